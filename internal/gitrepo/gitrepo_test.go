package gitrepo

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/callops/callops/internal/gitrepo/gittest"
	"github.com/google/go-cmp/cmp"
)

func write(t *testing.T, root, name, data string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func commit(t *testing.T, root, msg string) string {
	t.Helper()
	must(t, gittest.Add(root, "."))
	sha, err := gittest.Commit(root, msg)
	must(t, err)
	return sha
}

// history builds a repository with three commits touching tenant/, then a
// staged and an unstaged change on top:
//
//	c1 (HEAD~2): tenant/a.cue=A1, tenant/b.cue=B1 (+ files the loader ignores)
//	c2 (HEAD~1, tag v2): a.cue=A2, b.cue renamed to renamed.cue
//	c3 (HEAD): renamed.cue deleted
//	index: a.cue=A3; work tree: a.cue=A4, untracked new.cue
func history(t *testing.T) (root string, shas []string) {
	t.Helper()
	root = t.TempDir()
	must(t, gittest.Init(root))
	write(t, root, "root.cue", "ROOT")
	write(t, root, "tenant/a.cue", "A1")
	write(t, root, "tenant/b.cue", "B1")
	write(t, root, "tenant/_hidden.cue", "H")
	write(t, root, "tenant/.dot.cue", "D")
	write(t, root, "tenant/notes.txt", "N")
	write(t, root, "tenant/sub/c.cue", "C")
	shas = append(shas, commit(t, root, "c1"))
	write(t, root, "tenant/a.cue", "A2")
	must(t, gittest.Move(root, "tenant/b.cue", "tenant/renamed.cue"))
	shas = append(shas, commit(t, root, "c2"))
	must(t, gittest.Tag(root, "v2"))
	must(t, gittest.Remove(root, "tenant/renamed.cue"))
	shas = append(shas, commit(t, root, "c3"))
	write(t, root, "tenant/a.cue", "A3")
	must(t, gittest.Add(root, "tenant/a.cue"))
	write(t, root, "tenant/a.cue", "A4")
	write(t, root, "tenant/new.cue", "NEW")
	return root, shas
}

func files(pairs ...string) []File {
	var fs []File
	for i := 0; i < len(pairs); i += 2 {
		fs = append(fs, File{Name: pairs[i], Data: []byte(pairs[i+1])})
	}
	return fs
}

func TestFiles(t *testing.T) {
	root, shas := history(t)
	r, err := Open(filepath.Join(root, "tenant"))
	must(t, err)
	dir := filepath.Join(root, "tenant")
	tests := []struct {
		rev, dir string
		want     []File
	}{
		{"HEAD", dir, files("a.cue", "A2")},
		{"HEAD~1", dir, files("a.cue", "A2", "renamed.cue", "B1")},
		{"HEAD^", dir, files("a.cue", "A2", "renamed.cue", "B1")},
		{"v2", dir, files("a.cue", "A2", "renamed.cue", "B1")},
		{"HEAD~2", dir, files("a.cue", "A1", "b.cue", "B1")},
		{shas[0], dir, files("a.cue", "A1", "b.cue", "B1")},
		{shas[0][:10], dir, files("a.cue", "A1", "b.cue", "B1")},
		{"master", dir, files("a.cue", "A2")},
		{"HEAD", root, files("root.cue", "ROOT")},
		{"HEAD~2", filepath.Join(root, "tenant", "sub"), files("c.cue", "C")},
	}
	for _, tt := range tests {
		got, err := r.Files(tt.rev, tt.dir)
		if err != nil {
			t.Errorf("Files(%s, %s): %v", tt.rev, tt.dir, err)
			continue
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("Files(%s, %s) (-want +got):\n%s", tt.rev, tt.dir, d)
		}
	}
}

func TestFilesRelativeDir(t *testing.T) {
	root, _ := history(t)
	t.Chdir(filepath.Join(root, "tenant", "sub"))
	r, err := Open(".")
	must(t, err)
	got, err := r.Files("HEAD", "..")
	must(t, err)
	if d := cmp.Diff(files("a.cue", "A2"), got); d != "" {
		t.Errorf("Files(HEAD, ..) from tenant/sub (-want +got):\n%s", d)
	}
	rel, err := r.RelDir(".")
	must(t, err)
	if rel != "tenant/sub" {
		t.Errorf("RelDir(.) = %q, want tenant/sub", rel)
	}
}

func TestStagedFiles(t *testing.T) {
	root, _ := history(t)
	r, err := Open(root)
	must(t, err)
	got, err := r.StagedFiles(filepath.Join(root, "tenant"))
	must(t, err)
	// The index has A3 (not the work tree's A4) and not the untracked new.cue.
	if d := cmp.Diff(files("a.cue", "A3"), got); d != "" {
		t.Errorf("StagedFiles (-want +got):\n%s", d)
	}
	if _, err := r.StagedFiles(filepath.Join(root, "nowhere")); !errors.Is(err, ErrNoDir) {
		t.Errorf("StagedFiles(nowhere) = %v, want ErrNoDir", err)
	}
}

func TestErrors(t *testing.T) {
	root, _ := history(t)
	r, err := Open(root)
	must(t, err)
	tests := []struct {
		name string
		err  error
		want error
	}{
		{"unknown branch", second(r.Files("no-such-branch", root)), ErrUnknownRevision},
		{"past the first commit", second(r.Files("HEAD~5", root)), ErrUnknownRevision},
		{"empty revision", second(r.Files("", root)), ErrUnknownRevision},
		{"dir absent at revision", second(r.Files("HEAD", filepath.Join(root, "later"))), ErrNoDir},
		{"dir outside the repository", second(r.Files("HEAD", t.TempDir())), ErrOutside},
		{"dir outside any repository", second(Open(t.TempDir())), ErrNotRepo},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, tt.want) {
			t.Errorf("%s: error %v, want %v", tt.name, tt.err, tt.want)
		}
	}
	if _, err := r.Resolve("HEAD"); err != nil {
		t.Errorf("Resolve(HEAD): %v", err)
	}
}

func second[T any](_ T, err error) error { return err }

func TestLimits(t *testing.T) {
	root := t.TempDir()
	must(t, gittest.Init(root))
	write(t, root, "a.cue", "0123456789")
	write(t, root, "b.cue", "0123456789")
	commit(t, root, "c1")
	r, err := Open(root)
	must(t, err)
	tests := []struct {
		lim  Limits
		file string
	}{
		{Limits{MaxFileSize: 9}, "a.cue"},
		{Limits{MaxTotalSize: 15}, "b.cue"},
		{Limits{MaxFiles: 1}, ""},
	}
	for _, tt := range tests {
		r.Limits = tt.lim
		_, err := r.Files("HEAD", root)
		var le *LimitError
		if !errors.As(err, &le) {
			t.Errorf("limits %+v: error %v, want a *LimitError", tt.lim, err)
			continue
		}
		if le.File != tt.file {
			t.Errorf("limits %+v: error names file %q, want %q", tt.lim, le.File, tt.file)
		}
	}
	r.Limits = Limits{MaxFileSize: 10, MaxTotalSize: 20, MaxFiles: 2}
	if _, err := r.Files("HEAD", root); err != nil {
		t.Errorf("at the limits exactly: %v", err)
	}
}

func TestSymlinkRefused(t *testing.T) {
	root := t.TempDir()
	must(t, gittest.Init(root))
	write(t, root, "a.cue", "A")
	must(t, os.Symlink("/etc/passwd", filepath.Join(root, "b.cue")))
	commit(t, root, "c1")
	r, err := Open(root)
	must(t, err)
	if _, err := r.Files("HEAD", root); err == nil {
		t.Errorf("Files with a committed symbolic link: no error")
	}
}

func TestHead(t *testing.T) {
	root := t.TempDir()
	must(t, gittest.Init(root))
	r, err := Open(root)
	must(t, err)
	if sha, err := r.Head(); err != nil || sha != "" {
		t.Errorf("Head of an empty repository = %q, %v; want \"\", nil", sha, err)
	}
	write(t, root, "a.cue", "A")
	want := commit(t, root, "c1")
	if sha, err := r.Head(); err != nil || sha != want {
		t.Errorf("Head = %q, %v; want %q", sha, err, want)
	}
}

func TestDirty(t *testing.T) {
	tests := []struct {
		name   string
		change func(t *testing.T, root string)
		want   bool
	}{
		{"clean", func(*testing.T, string) {}, false},
		{"unstaged edit", func(t *testing.T, root string) { write(t, root, "tenant/a.cue", "A2") }, true},
		{"staged edit", func(t *testing.T, root string) {
			write(t, root, "tenant/a.cue", "A2")
			must(t, gittest.Add(root, "tenant/a.cue"))
		}, true},
		{"edit staged then reverted in the work tree", func(t *testing.T, root string) {
			write(t, root, "tenant/a.cue", "A2")
			must(t, gittest.Add(root, "tenant/a.cue"))
			write(t, root, "tenant/a.cue", "A1")
		}, true},
		{"untracked .cue file", func(t *testing.T, root string) { write(t, root, "tenant/new.cue", "N") }, true},
		{"deleted file", func(t *testing.T, root string) { must(t, os.Remove(filepath.Join(root, "tenant/a.cue"))) }, true},
		{"staged deletion", func(t *testing.T, root string) { must(t, gittest.Remove(root, "tenant/a.cue")) }, true},
		{"state file changed", func(t *testing.T, root string) { write(t, root, "tenant/callops.state.json", "{}") }, false},
		{"untracked hidden .cue", func(t *testing.T, root string) { write(t, root, "tenant/_x.cue", "X") }, false},
		{"change in a subdirectory", func(t *testing.T, root string) { write(t, root, "tenant/sub/c.cue", "C2") }, false},
		{"change in another directory", func(t *testing.T, root string) { write(t, root, "other/x.cue", "X") }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			root := t.TempDir()
			must(t, gittest.Init(root))
			write(t, root, "tenant/a.cue", "A1")
			write(t, root, "tenant/sub/c.cue", "C")
			write(t, root, "tenant/callops.state.json", "")
			commit(t, root, "c1")
			tt.change(t, root)
			r, err := Open(root)
			must(t, err)
			got, err := r.Dirty(filepath.Join(root, "tenant"))
			must(t, err)
			if got != tt.want {
				t.Errorf("Dirty = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestDirtyBeforeFirstCommit(t *testing.T) {
	root := t.TempDir()
	must(t, gittest.Init(root))
	r, err := Open(root)
	must(t, err)
	if d, err := r.Dirty(root); err != nil || d {
		t.Errorf("empty repository: Dirty = %v, %v; want false", d, err)
	}
	write(t, root, "a.cue", "A")
	if d, err := r.Dirty(root); err != nil || !d {
		t.Errorf("uncommitted file before the first commit: Dirty = %v, %v; want true", d, err)
	}
}
