// Package gittest builds small git repositories for tests with go-git, so
// that tests need no git binary: init, stage, remove, commit and tag. It
// writes to the repository (package gitrepo only reads) and is meant for
// tests only.
package gittest

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// signature is fixed, with a fixed clock, so that test commits are
// reproducible apart from their parents.
var signature = object.Signature{Name: "callops test", Email: "test@callops.invalid", When: time.Unix(1700000000, 0).UTC()}

// Init creates an empty repository with a work tree at dir.
func Init(dir string) error {
	if _, err := git.PlainInit(dir, false); err != nil {
		return fmt.Errorf("git init %s: %w", dir, err)
	}
	return nil
}

func worktree(root string) (*git.Repository, *git.Worktree, error) {
	r, err := git.PlainOpen(root)
	if err != nil {
		return nil, nil, fmt.Errorf("opening %s: %w", root, err)
	}
	wt, err := r.Worktree()
	if err != nil {
		return nil, nil, fmt.Errorf("opening work tree of %s: %w", root, err)
	}
	return r, wt, nil
}

// Add stages paths (relative to root; "." stages every change in the work
// tree, deletions included, as `git add -A`).
func Add(root string, paths ...string) error {
	_, wt, err := worktree(root)
	if err != nil {
		return err
	}
	for _, p := range paths {
		if p == "." {
			if err := wt.AddWithOptions(&git.AddOptions{All: true}); err != nil {
				return fmt.Errorf("git add -A: %w", err)
			}
			continue
		}
		if _, err := os.Lstat(filepath.Join(root, p)); errors.Is(err, os.ErrNotExist) {
			// A deleted file: stage its removal, as `git add` does.
			if _, err := wt.Remove(filepath.ToSlash(p)); err != nil {
				return fmt.Errorf("git add %s (deleted): %w", p, err)
			}
			continue
		}
		if _, err := wt.Add(filepath.ToSlash(p)); err != nil {
			return fmt.Errorf("git add %s: %w", p, err)
		}
	}
	return nil
}

// Move renames a file in the work tree and the index (`git mv`).
func Move(root, from, to string) error {
	_, wt, err := worktree(root)
	if err != nil {
		return err
	}
	if _, err := wt.Move(filepath.ToSlash(from), filepath.ToSlash(to)); err != nil {
		return fmt.Errorf("git mv %s %s: %w", from, to, err)
	}
	return nil
}

// Remove deletes a file from the work tree and the index (`git rm`).
func Remove(root, path string) error {
	_, wt, err := worktree(root)
	if err != nil {
		return err
	}
	if _, err := wt.Remove(filepath.ToSlash(path)); err != nil {
		return fmt.Errorf("git rm %s: %w", path, err)
	}
	return nil
}

// Commit records the index as a new commit on HEAD and returns its sha.
func Commit(root, msg string) (string, error) {
	_, wt, err := worktree(root)
	if err != nil {
		return "", err
	}
	sig := signature
	h, err := wt.Commit(msg, &git.CommitOptions{Author: &sig, Committer: &sig, AllowEmptyCommits: true})
	if err != nil {
		return "", fmt.Errorf("git commit: %w", err)
	}
	return h.String(), nil
}

// Tag creates a lightweight tag name at HEAD.
func Tag(root, name string) error {
	r, _, err := worktree(root)
	if err != nil {
		return err
	}
	head, err := r.Head()
	if err != nil {
		return fmt.Errorf("git tag %s: %w", name, err)
	}
	if _, err := r.CreateTag(name, head.Hash(), nil); err != nil {
		return fmt.Errorf("git tag %s: %w", name, err)
	}
	return nil
}
