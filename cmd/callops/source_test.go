package main

import (
	"errors"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/apply"
	"github.com/callops/callops/internal/gitrepo"
	"github.com/callops/callops/internal/gitrepo/gittest"
)

// TestReadSource checks the files and the apply.Source that each kind of
// source gives, in a repository with two commits, a staged edit and an
// unstaged one.
func TestReadSource(t *testing.T) {
	root := t.TempDir()
	check := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	check(gittest.Init(root))
	writeTestFile(t, root, "t/a.cue", "package tenant\n// v1\n")
	check(gittest.Add(root, "."))
	c1, err := gittest.Commit(root, "c1")
	check(err)
	writeTestFile(t, root, "t/a.cue", "package tenant\n// v2\n")
	check(gittest.Add(root, "."))
	c2, err := gittest.Commit(root, "c2")
	check(err)
	dir := filepath.Join(root, "t")
	slashDir := filepath.ToSlash(dir)

	type got struct {
		Data   string
		Source apply.Source
	}
	read := func(src desiredSource) got {
		t.Helper()
		files, meta, err := readSource(dir, src)
		if err != nil {
			t.Fatalf("readSource(%s): %v", src, err)
		}
		if len(files) != 1 || files[0].Name != "a.cue" {
			t.Fatalf("readSource(%s): files %+v, want a.cue only", src, files)
		}
		return got{string(files[0].Data), meta}
	}
	tests := []struct {
		name  string
		setup func()
		src   desiredSource
		want  got
	}{
		{"work tree, clean", func() {}, desiredSource{},
			got{"package tenant\n// v2\n", apply.Source{Dir: slashDir, Commit: c2}}},
		{"revision HEAD~1", func() {}, desiredSource{rev: "HEAD~1"},
			got{"package tenant\n// v1\n", apply.Source{Dir: slashDir, Commit: c1}}},
		{"index, same as HEAD", func() {}, desiredSource{staged: true},
			got{"package tenant\n// v2\n", apply.Source{Dir: slashDir, Commit: c2}}},
		{"work tree, unstaged edit", func() { writeTestFile(t, root, "t/a.cue", "package tenant\n// v3\n") }, desiredSource{},
			got{"package tenant\n// v3\n", apply.Source{Dir: slashDir, Commit: c2, Dirty: true}}},
		{"index, unstaged edit", func() {}, desiredSource{staged: true},
			got{"package tenant\n// v2\n", apply.Source{Dir: slashDir, Commit: c2}}},
		{"index, staged edit", func() { check(gittest.Add(root, "t/a.cue")) }, desiredSource{staged: true},
			got{"package tenant\n// v3\n", apply.Source{Dir: slashDir, Commit: c2, Dirty: true}}},
		{"revision HEAD with a staged edit", func() {}, desiredSource{rev: "HEAD"},
			got{"package tenant\n// v2\n", apply.Source{Dir: slashDir, Commit: c2}}},
	}
	for _, tt := range tests {
		tt.setup()
		if d := cmp.Diff(tt.want, read(tt.src)); d != "" {
			t.Errorf("%s (-want +got):\n%s", tt.name, d)
		}
	}
}

func TestReadSourceOutsideGit(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, dir, "a.cue", "package tenant\n")
	files, meta, err := readSource(dir, desiredSource{})
	if err != nil || len(files) != 1 {
		t.Fatalf("work tree outside git: %d files, %v", len(files), err)
	}
	if d := cmp.Diff(apply.Source{Dir: filepath.ToSlash(dir)}, meta); d != "" {
		t.Errorf("work tree outside git: source (-want +got):\n%s", d)
	}
	for _, src := range []desiredSource{{rev: "HEAD"}, {staged: true}} {
		if _, _, err := readSource(dir, src); !errors.Is(err, gitrepo.ErrNotRepo) {
			t.Errorf("%s outside git: error %v, want ErrNotRepo", src, err)
		}
	}
}
