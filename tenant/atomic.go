package tenant

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// WriteFileAtomic is writeFileAtomic for the other writers of callops (plan
// files, fmt, scripts): one implementation of "old file or new file, never a
// torn one".
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return writeFileAtomic(path, data, perm)
}

// writeFileAtomic replaces path with data so that a crash at any point
// leaves either the old file or the new one, never a torn one: the data goes
// to a temporary file in the same directory, which is synced, renamed over
// path, and the directory is synced so the rename itself is durable.
//
// It replaces only a regular file: a rename would put a regular file in
// place of a symbolic link (leaving the file it points to as it was), a
// device or a named pipe. A file it replaces keeps its permissions; perm
// is for a new file.
func writeFileAtomic(path string, data []byte, perm os.FileMode) error {
	if fi, err := os.Lstat(path); err == nil {
		switch {
		case fi.IsDir():
			return fmt.Errorf("%s is a directory", path)
		case fi.Mode()&os.ModeSymlink != 0:
			return fmt.Errorf("%s is a symbolic link: callops replaces files, not links (name the file it points to)", path)
		case !fi.Mode().IsRegular():
			return fmt.Errorf("%s is not a regular file (%s)", path, fileKind(fi.Mode()))
		}
		perm = fi.Mode().Perm()
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+tempInfix+"*")
	if err != nil {
		return fmt.Errorf("creating temporary file: %w", err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	half := len(data) / 2
	if _, err := f.Write(data[:half]); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	fail("mid-write")
	if _, err := f.Write(data[half:]); err != nil {
		return fmt.Errorf("writing %s: %w", tmp, err)
	}
	if err := f.Chmod(perm); err != nil {
		return fmt.Errorf("setting mode of %s: %w", tmp, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("syncing %s: %w", tmp, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("closing %s: %w", tmp, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("renaming %s: %w", tmp, err)
	}
	ok = true
	fail("after-rename")
	return syncDir(dir)
}

// fileKind names what a file that is not a regular one is.
func fileKind(m os.FileMode) string {
	switch {
	case m&os.ModeNamedPipe != 0:
		return "a named pipe"
	case m&os.ModeSocket != 0:
		return "a socket"
	case m&os.ModeDevice != 0:
		return "a device"
	}
	return "mode " + m.String()
}

// tempInfix marks the temporary files of writeFileAtomic, so that a backend
// holding the lock can remove those a killed process left.
const tempInfix = ".tmp-"

// syncDir makes renames and removals in dir durable. Systems that can't sync
// a directory (Windows) report an error that is ignored: there a rename is
// as durable as the file system makes it.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !isSyncUnsupported(err) {
		return fmt.Errorf("syncing directory %s: %w", dir, err)
	}
	return nil
}

func isSyncUnsupported(err error) bool {
	s := err.Error()
	return strings.Contains(s, "invalid argument") || strings.Contains(s, "not supported") ||
		strings.Contains(s, "Access is denied")
}

// removeTempFiles removes the temporary files a killed writer of path (or
// of its backup) left behind. Only the lock holder calls it: no other writer can be running.
func removeTempFiles(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	for _, name := range []string{base, base + ".backup"} {
		matches, _ := filepath.Glob(filepath.Join(dir, "."+globEscape(name)+tempInfix+"*"))
		for _, m := range matches {
			os.Remove(m)
		}
	}
}

func globEscape(s string) string {
	r := strings.NewReplacer(`*`, `\*`, `?`, `\?`, `[`, `\[`, `\`, `\\`)
	return r.Replace(s)
}
