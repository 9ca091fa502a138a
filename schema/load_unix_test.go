//go:build unix

package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestReadDirNotRegular: a named pipe called *.cue is refused (reading it
// would block) and a directory called *.cue is skipped, as CUE skips it.
func TestReadDirNotRegular(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "a.cue"), []byte("package tenant\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub.cue"), 0o755); err != nil {
		t.Fatal(err)
	}
	fs, err := ReadDir(dir, Options{})
	if err != nil || len(fs) != 1 || fs[0].Name != "a.cue" {
		t.Fatalf("with a directory named sub.cue: %v, %+v", err, fs)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.cue"), 0o600); err != nil {
		t.Skipf("no named pipes: %v", err)
	}
	_, err = ReadDir(dir, Options{})
	var le *LoadError
	if !errors.As(err, &le) || le.Problems[0].Pos.File != "pipe.cue" || !strings.Contains(le.Problems[0].Message, "pipe.cue is not a regular file") {
		t.Errorf("named pipe: %v", err)
	}
}
