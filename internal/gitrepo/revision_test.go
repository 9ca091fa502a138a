package gitrepo

import (
	"errors"
	"strings"
	"testing"

	"github.com/callops/callops/internal/gitrepo/gittest"
	"github.com/google/go-cmp/cmp"
)

// TestRevisionErrors checks that a revision git lacks is explained in words
// (go-git says only "EOF" for HEAD~1 in a repository of one commit).
func TestRevisionErrors(t *testing.T) {
	one := t.TempDir()
	must(t, gittest.Init(one))
	write(t, one, "tenant/a.cue", "A1")
	commit(t, one, "c1")
	three, _ := history(t)
	empty := t.TempDir()
	must(t, gittest.Init(empty))

	tests := []struct {
		name, root, rev, want string
	}{
		{"HEAD~1 of one commit", one, "HEAD~1", `revision "HEAD~1" not found in ROOT: the repository has one commit`},
		{"HEAD^ of one commit", one, "HEAD^", `revision "HEAD^" not found in ROOT: the repository has one commit`},
		{"past the first of three", three, "HEAD~5", `revision "HEAD~5" not found in ROOT: HEAD has 2 ancestors`},
		{"past a tag", three, "v2~2", `revision "v2~2" not found in ROOT: v2 has 1 ancestor`},
		{"second parent of a plain commit", three, "HEAD^2", `revision "HEAD^2" not found in ROOT: commit `},
		{"unknown name", three, "no-such-branch", `revision "no-such-branch" not found in ROOT: no commit, branch or tag has that name`},
		{"unknown name with suffix", three, "nope~1", `revision "nope~1" not found in ROOT: no commit, branch or tag has that name`},
		{"no commit yet", empty, "HEAD~1", `revision "HEAD~1" not found in ROOT: the repository has no commit yet`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := Open(tt.root)
			must(t, err)
			_, err = r.Resolve(tt.rev)
			if !errors.Is(err, ErrUnknownRevision) {
				t.Fatalf("error %v, want ErrUnknownRevision", err)
			}
			want := strings.ReplaceAll(tt.want, "ROOT", r.Root())
			if got := err.Error(); !strings.HasPrefix(got, want) || strings.Contains(got, "EOF") {
				t.Errorf("error (-want prefix +got):\n%s", cmp.Diff(want, got))
			}
		})
	}
}

func TestSplitRevision(t *testing.T) {
	tests := []struct {
		rev   string
		base  string
		steps []revStep
		ok    bool
	}{
		{"HEAD", "HEAD", nil, true},
		{"HEAD~1", "HEAD", []revStep{{count: 1}}, true},
		{"main~", "main", []revStep{{count: 1}}, true},
		{"v1.2^2~3", "v1.2", []revStep{{parent: true, count: 2}, {count: 3}}, true},
		{"HEAD@{1}", "", nil, false},
		{"~1", "", nil, false},
		{"HEAD~x", "", nil, false},
	}
	for _, tt := range tests {
		base, steps, ok := splitRevision(tt.rev)
		got := struct {
			Base  string
			Steps []revStep
			OK    bool
		}{base, steps, ok}
		want := struct {
			Base  string
			Steps []revStep
			OK    bool
		}{tt.base, tt.steps, tt.ok}
		if d := cmp.Diff(want, got, cmp.AllowUnexported(revStep{})); d != "" {
			t.Errorf("splitRevision(%q) (-want +got):\n%s", tt.rev, d)
		}
	}
}
