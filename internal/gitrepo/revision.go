package gitrepo

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// revisionError is the error of a revision that names no commit. go-git
// says "reference not found", or only "EOF" for HEAD~1 in a repository of
// one commit; the user is told which part of the revision git lacks.
func (r *Repo) revisionError(rev string, cause error) error {
	return &unknownRevisionError{msg: fmt.Sprintf("revision %q not found in %s: %s", rev, r.root, r.whyUnresolved(rev, cause))}
}

// unknownRevisionError is an ErrUnknownRevision whose message says it all
// already (without a trailing ": unknown revision").
type unknownRevisionError struct{ msg string }

func (e *unknownRevisionError) Error() string { return e.msg }

// Is makes errors.Is(err, ErrUnknownRevision) hold.
func (e *unknownRevisionError) Is(target error) bool { return target == ErrUnknownRevision }

// whyUnresolved says why rev does not resolve: the name before any ~ or ^
// suffix is unknown, or the history is shorter than the suffix walks (a
// root commit, a shallow clone).
func (r *Repo) whyUnresolved(rev string, cause error) string {
	base, steps, ok := splitRevision(rev)
	if !ok {
		return fmt.Sprintf("git can't resolve it (%v)", cause)
	}
	h, err := r.repo.ResolveRevision(plumbing.Revision(base))
	if err != nil {
		if base == "HEAD" || base == "@" {
			return "the repository has no commit yet"
		}
		return "no commit, branch or tag has that name"
	}
	if len(steps) == 0 {
		return fmt.Sprintf("git can't resolve it (%v)", cause)
	}
	c, err := r.repo.CommitObject(*h)
	if err != nil {
		return fmt.Sprintf("%s is not a commit", base)
	}
	depth := 0 // parent steps taken from base
	step := func(idx int) string {
		if idx >= c.NumParents() {
			return r.shortHistory(base, c, depth, idx > 0)
		}
		p, err := c.Parent(idx)
		if err != nil {
			if errors.Is(err, plumbing.ErrObjectNotFound) || r.isShallow(c.Hash) {
				return fmt.Sprintf("the clone is shallow: the parent of %s was not fetched (fetch the history: git fetch --unshallow, or fetch-depth: 0)", short(c.Hash))
			}
			return fmt.Sprintf("reading the parent of %s: %v", short(c.Hash), err)
		}
		c = p
		depth++
		return ""
	}
	for _, s := range steps {
		switch {
		case s.parent && s.count > 0:
			if why := step(s.count - 1); why != "" {
				return why
			}
		case !s.parent:
			for range s.count {
				if why := step(0); why != "" {
					return why
				}
			}
		}
	}
	return fmt.Sprintf("git can't resolve it (%v)", cause)
}

// shortHistory explains a suffix that walks past commit c, reached from base
// in depth steps; mergeParent is set when the suffix asked for a second or
// later parent (^2) of c.
func (r *Repo) shortHistory(base string, c *object.Commit, depth int, mergeParent bool) string {
	if mergeParent && c.NumParents() > 0 {
		return fmt.Sprintf("commit %s has %d parent(s), not that many", short(c.Hash), c.NumParents())
	}
	if r.isShallow(c.Hash) {
		return fmt.Sprintf("the clone is shallow: its history stops at %s (fetch the history: git fetch --unshallow, or fetch-depth: 0)", short(c.Hash))
	}
	if depth == 0 && r.oneCommit(c.Hash) {
		return "the repository has one commit"
	}
	if depth == 0 {
		return fmt.Sprintf("%s is the first commit of its history", base)
	}
	if depth == 1 {
		return fmt.Sprintf("%s has 1 ancestor", base)
	}
	return fmt.Sprintf("%s has %d ancestors", base, depth)
}

// oneCommit reports whether every reference of the repository points to
// the root commit h, that is, whether the repository has one commit.
func (r *Repo) oneCommit(h plumbing.Hash) bool {
	refs, err := r.repo.References()
	if err != nil {
		return false
	}
	defer refs.Close()
	one := true
	_ = refs.ForEach(func(ref *plumbing.Reference) error {
		if ref.Type() != plumbing.HashReference {
			return nil
		}
		target := ref.Hash()
		if t, err := r.repo.TagObject(target); err == nil {
			target = t.Target
		}
		if target != h {
			one = false
			return errStop
		}
		return nil
	})
	return one
}

var errStop = errors.New("stop")

// isShallow reports whether h is a shallow boundary of a shallow clone
// (its parents were not fetched).
func (r *Repo) isShallow(h plumbing.Hash) bool {
	hs, err := r.repo.Storer.Shallow()
	if err != nil {
		return false
	}
	for _, s := range hs {
		if s == h {
			return true
		}
	}
	return false
}

// revStep is one ~N (count first-parent steps) or ^N (the N-th parent;
// ^0 is the commit itself) suffix of a revision.
type revStep struct {
	parent bool
	count  int
}

// splitRevision splits rev into the name it starts with and its ~ and ^
// suffixes; ok is false for a syntax this does not explain (@{...}, ^{...},
// :/text).
func splitRevision(rev string) (base string, steps []revStep, ok bool) {
	if strings.ContainsAny(rev, "{}:") {
		return "", nil, false
	}
	i := strings.IndexAny(rev, "~^")
	if i < 0 {
		return rev, nil, true
	}
	base, rest := rev[:i], rev[i:]
	if base == "" {
		return "", nil, false
	}
	for rest != "" {
		op := rest[0]
		rest = rest[1:]
		j := 0
		for j < len(rest) && rest[j] >= '0' && rest[j] <= '9' {
			j++
		}
		n := 1
		if j > 0 {
			var err error
			if n, err = strconv.Atoi(rest[:j]); err != nil || n > 1<<20 {
				return "", nil, false
			}
		}
		rest = rest[j:]
		steps = append(steps, revStep{parent: op == '^', count: n})
		if rest != "" && rest[0] != '~' && rest[0] != '^' {
			return "", nil, false
		}
	}
	return base, steps, true
}

func short(h plumbing.Hash) string { return h.String()[:12] }
