//go:build unix

package tenant

import (
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestWriteFileAtomicReplacesOnlyFiles: a symbolic link, a named pipe or a
// directory at the path is refused and left as it was; a replaced file
// keeps its permissions, a new one gets perm.
func TestWriteFileAtomicReplacesOnlyFiles(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.json")
	if err := os.WriteFile(target, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	for path, want := range map[string]string{
		link: "is a symbolic link",
		fifo: "is not a regular file (a named pipe)",
		dir:  "is a directory",
	} {
		err := WriteFileAtomic(path, []byte("new"), 0o644)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("WriteFileAtomic(%s) = %v, want %q", filepath.Base(path), err, want)
		}
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v", err)
	}
	if fi, err := os.Lstat(fifo); err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		t.Errorf("the pipe was replaced: %v", err)
	}

	if err := WriteFileAtomic(target, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(target); err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("replaced file's mode = %v (%v), want 0600 kept", fi.Mode().Perm(), err)
	}
	fresh := filepath.Join(dir, "fresh.json")
	if err := WriteFileAtomic(fresh, []byte("x"), 0o640); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(fresh); err != nil || fi.Mode().Perm() != 0o640 {
		t.Errorf("new file's mode = %v (%v), want 0640", fi.Mode().Perm(), err)
	}
}

// TestOpenFileThroughLink: a state named through a symbolic link is
// rewritten where the link points (the link stays a link, and the file
// behind it has the apply), with its lock, journal and backup beside it.
func TestOpenFileThroughLink(t *testing.T) {
	path := writeFixture(t)
	link := filepath.Join(t.TempDir(), "state-link.json")
	if err := os.Symlink(path, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	fb, err := OpenFile(link, FileOptions{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	if !exists(path+".lock") || exists(link+".lock") {
		t.Errorf("the lock is not beside the file the link names")
	}
	if err := fb.Apply(Op{Action: GrantUser, User: "bob@contoso.com", Grant: ptr("Seattle")}); err != nil {
		t.Fatal(err)
	}
	if err := fb.Close(); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file: %v", err)
	}
	if got := readFile(t, path); got.Serial != 2 || got.UserByUPN("bob@contoso.com").SharedCallingPolicy != "Seattle" {
		t.Errorf("the file behind the link has serial %d, want the apply (2)", got.Serial)
	}
	if !exists(path + ".backup") {
		t.Errorf("no backup beside the file the link names")
	}
}

// TestBeginRefusesSerialOverflow: a plan whose writes would take the serial
// past the largest int64 is refused before anything runs or is written.
func TestBeginRefusesSerialOverflow(t *testing.T) {
	path := filepath.Join(t.TempDir(), "callops.state.json")
	s := fixture()
	s.Serial = math.MaxInt64 - 3
	if err := WriteState(path, s); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	fb, err := OpenFile(path, FileOptions{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	err = fb.Begin("plan-1", plan10())
	if err == nil || !strings.Contains(err.Error(), "cannot grow") {
		t.Fatalf("Begin = %v, want the serial refused", err)
	}
	if after, _ := os.ReadFile(path); string(after) != string(before) || exists(path+".journal") {
		t.Errorf("the refused plan wrote the state or a journal")
	}
}
