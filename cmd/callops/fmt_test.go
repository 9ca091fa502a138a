package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestWriteFileAtomic checks that a rewritten file has the new content and
// its old permissions, and that no temporary file is left beside it.
func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.cue")
	if err := os.WriteFile(file, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(file, []byte("new\n")); err != nil {
		t.Fatalf("writeFileAtomic: %v", err)
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("new\n", string(got)); diff != "" {
		t.Errorf("content (-want +got):\n%s", diff)
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if diff := cmp.Diff([]string{"a.cue"}, names); diff != "" {
		t.Errorf("directory after the write (-want +got):\n%s", diff)
	}
}

// TestWriteFileAtomicFailure checks that a failed write leaves the old file.
func TestWriteFileAtomicFailure(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root can write into a read-only directory")
	}
	dir := t.TempDir()
	file := filepath.Join(dir, "a.cue")
	if err := os.WriteFile(file, []byte("old\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, 0o555); err != nil {
		t.Fatal(err)
	}
	defer os.Chmod(dir, 0o755)
	if err := writeFileAtomic(file, []byte("new\n")); err == nil {
		t.Fatal("writeFileAtomic into a read-only directory succeeded")
	}
	got, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff("old\n", string(got)); diff != "" {
		t.Errorf("content after a failed write (-want +got):\n%s", diff)
	}
}

// TestReplaceIfUnchanged: fmt writes a file only if it is still what fmt
// read (an edit saved meanwhile is kept) and is not read-only.
func TestReplaceIfUnchanged(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a.cue")
	write := func(data string, mode os.FileMode) {
		t.Helper()
		os.Chmod(path, 0o644)
		if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, mode); err != nil {
			t.Fatal(err)
		}
	}
	read := func() string {
		b, _ := os.ReadFile(path)
		return string(b)
	}
	f := formatted{path: path, old: []byte("x:   1\n"), new: []byte("x: 1\n")}

	write("x:   2 // edited\n", 0o644)
	if err := replaceIfUnchanged(f); err == nil || !strings.Contains(err.Error(), "changed while callops fmt ran") || read() != "x:   2 // edited\n" {
		t.Errorf("edited meanwhile: %v, file %q", err, read())
	}
	write("x:   1\n", 0o444)
	if err := replaceIfUnchanged(f); err == nil || !strings.Contains(err.Error(), "is read-only") || read() != "x:   1\n" {
		t.Errorf("read-only: %v, file %q", err, read())
	}
	write("x:   1\n", 0o640)
	if err := replaceIfUnchanged(f); err != nil || read() != "x: 1\n" {
		t.Errorf("unchanged: %v, file %q", err, read())
	}
}
