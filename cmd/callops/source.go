package main

// Where a desired state is read from: the work tree of DIR (the default), a
// git revision (--rev) or the git index (--staged). lint, plan and diff load
// through loadSource, so the three read git the same way and record the
// same apply.Source.

import (
	"errors"
	"fmt"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/apply"
	"github.com/callops/callops/internal/gitrepo"
	"github.com/callops/callops/schema"
)

// desiredSource says where loadSource reads a desired state: the work tree
// when both fields are zero.
type desiredSource struct {
	rev    string // --rev: a git revision (sha, branch, tag, HEAD~1)
	staged bool   // --staged: the git index, what `git commit` would record
	// timeout is --timeout (limits.go): how long CUE evaluation may take;
	// 0 is the loader's default. maxMemory is --max-memory (limits.go): the
	// live heap evaluation may reach; 0 is the default, negative no limit.
	// Neither changes where files are read.
	timeout   time.Duration
	maxMemory int64
	// noCache: evaluate the files even when the model cache has them
	// (apply: the command that changes the tenant reads the files).
	noCache bool
}

func (s desiredSource) String() string {
	switch {
	case s.rev != "":
		return "revision " + s.rev
	case s.staged:
		return "the git index"
	}
	return "the work tree"
}

// sourceFlags are --rev and --staged, for commands that read a desired state
// from git (lint takes both, plan takes --rev: a plan is made from committed
// source or from the work tree, not from the index).
func sourceFlags(staged bool) []cli.Flag {
	flags := []cli.Flag{
		&cli.StringFlag{Name: "rev", Usage: "read the desired state of DIR at git revision `REV` (sha, branch, tag, HEAD~1) without checking it out"},
	}
	if staged {
		flags = append(flags, &cli.BoolFlag{Name: "staged", Usage: "read the desired state of DIR from the git index (what 'git commit' will record), as a pre-commit hook should"})
	}
	return flags
}

// sourceFrom reads --rev and --staged (when the command has them).
func sourceFrom(c *cli.Context) (desiredSource, error) {
	s := desiredSource{rev: c.String("rev"), staged: c.Bool("staged")}
	if c.IsSet("rev") && s.rev == "" {
		return s, withHint(errors.New("--rev is empty"), "give a git revision: a sha, a branch, a tag or HEAD~1")
	}
	if s.rev != "" && s.staged {
		return s, withHint(errors.New("--rev and --staged exclude each other"), "--staged reads the git index, --rev a commit: choose one")
	}
	if err := limitsFrom(c, &s); err != nil { // --timeout, --max-memory (limits.go)
		return s, err
	}
	return s, nil
}

// sourceOptions are the loader's limits; gitrepo applies the same ones to
// the blobs it reads.
var sourceOptions = schema.Options{}

func gitLimits() gitrepo.Limits {
	return gitrepo.Limits{MaxFileSize: schema.DefaultMaxFileSize, MaxTotalSize: schema.DefaultMaxTotalSize, MaxFiles: schema.DefaultMaxFiles}
}

// readSource reads the desired-state files of dir from src and describes
// them: for the work tree Commit is HEAD and Dirty says whether dir's .cue
// files differ from it; for --rev Commit is the revision's commit and Dirty
// is false; for --staged Commit is HEAD and Dirty says whether the index
// differs from it. Outside git (work tree only) Commit is "" and Dirty
// false. Digest is left to the loader.
func readSource(dir string, src desiredSource) ([]schema.File, apply.Source, error) {
	meta := apply.Source{Dir: filepath.ToSlash(dir)}
	repo, err := gitrepo.Open(dir)
	if err != nil {
		switch {
		case src.rev == "" && !src.staged:
			// The work tree needs no git: a repository callops cannot
			// read (an extension go-git lacks: partial clone, sha256,
			// worktreeConfig) reads as "not in git", as gitHead has it.
		case errors.Is(err, gitrepo.ErrNotRepo):
			return nil, meta, withHint(err, "--rev and --staged read the desired state from git; DIR must be inside a git work tree")
		default:
			return nil, meta, withHint(fmt.Errorf("reading git repository: %w", err),
				"callops reads git itself and cannot read this repository; without --rev and --staged it lints the work tree")
		}
		files, err := schema.ReadDir(dir, sourceOptions)
		return files, meta, err
	}
	repo.Limits = gitLimits()
	switch {
	case src.rev != "":
		sha, err := repo.Resolve(src.rev)
		if err != nil {
			return nil, meta, withHint(err, "give a revision git knows: a sha, a branch, a tag or HEAD~N (a shallow clone may lack older commits: fetch-depth: 0)")
		}
		meta.Commit = sha
		files, err := repo.Files(sha, dir)
		if err != nil {
			return nil, meta, gitFilesError(err, dir, src)
		}
		return schemaFiles(files), meta, nil
	case src.staged:
		if meta.Commit, err = repo.Head(); err != nil {
			return nil, meta, err
		}
		files, err := repo.StagedFiles(dir)
		if err != nil {
			return nil, meta, gitFilesError(err, dir, src)
		}
		// The index differs from HEAD exactly when the staged files do.
		if meta.Commit != "" {
			head, err := repo.Files(meta.Commit, dir)
			if err != nil && !errors.Is(err, gitrepo.ErrNoDir) {
				return nil, meta, err
			}
			meta.Dirty = !sameFiles(head, files)
		} else {
			meta.Dirty = len(files) > 0
		}
		return schemaFiles(files), meta, nil
	}
	// The work tree: HEAD and whether DIR differs from it only describe
	// the source; a repository whose HEAD or index callops cannot read
	// (a split index, say) reads as "not in git" rather than failing.
	commit, cerr := repo.Head()
	dirty, derr := repo.Dirty(dir)
	if cerr == nil && derr == nil {
		meta.Commit, meta.Dirty = commit, dirty
	}
	files, err := schema.ReadDir(dir, sourceOptions)
	return files, meta, err
}

// gitFilesError explains a failure to read dir from git.
func gitFilesError(err error, dir string, src desiredSource) error {
	var le *gitrepo.LimitError
	switch {
	case errors.Is(err, gitrepo.ErrNoDir) && src.staged:
		return withHint(fmt.Errorf("no desired state in %s in the git index: nothing under it is staged or committed", dir),
			fmt.Sprintf("stage the desired state ('git add %s') or lint the work tree (without --staged)", filepath.ToSlash(dir)))
	case errors.Is(err, gitrepo.ErrNoDir):
		return withHint(fmt.Errorf("no desired state in %s at %s: %w", dir, src, err), "check DIR and the revision ('git ls-tree REV DIR/')")
	case errors.Is(err, gitrepo.ErrOutside):
		return withHint(err, "DIR must be inside the git work tree that holds it")
	case errors.Is(err, gitrepo.ErrUnmerged):
		return withHint(err, "resolve the merge conflicts and stage the result")
	case errors.As(err, &le):
		// Refused like an oversized file in the work tree: a positioned
		// problem, so lint reports it as a finding.
		return &schema.LoadError{Problems: []schema.Problem{{Pos: schema.Pos{File: le.File, Line: 1}, Message: le.Message}}}
	}
	return err
}

func schemaFiles(files []gitrepo.File) []schema.File {
	out := make([]schema.File, len(files))
	for i, f := range files {
		out[i] = schema.File{Name: f.Name, Data: f.Data}
	}
	return out
}

func sameFiles(a, b []gitrepo.File) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Name != b[i].Name || string(a[i].Data) != string(b[i].Data) {
			return false
		}
	}
	return true
}

// loadSource reads and evaluates the desired state of dir from src and
// returns it with the apply.Source a plan records. A desired state the
// loader rejects gives its *schema.LoadError (errors.As finds it), with the
// Source filled as far as it is known; "no .cue files" is an ordinary error.
func loadSource(dir string, src desiredSource) (*schema.Desired, apply.Source, error) {
	files, meta, err := readSource(dir, src)
	if err != nil {
		return nil, meta, err
	}
	if len(files) == 0 {
		return nil, meta, fmt.Errorf("no .cue files in %s at %s", dir, src)
	}
	// --timeout, --max-memory (limits.go): evaluation stops at either.
	opt := sourceOptions
	if !src.noCache {
		opt.CacheDir = modelCacheDir() // runtime.go
	}
	opt.Timeout = src.timeout
	if opt.Timeout <= 0 {
		opt.Timeout = schema.DefaultTimeout
	}
	start := time.Now()
	parsed := prewarmNumbers(files) // runtime.go
	d, err := loadWithin(files, opt, memoryLimit(src.maxMemory))
	if err != nil {
		return nil, meta, timeoutError(err, time.Since(start), opt.Timeout)
	}
	parsed()
	meta.Digest = d.Digest
	return d, meta, nil
}

// gitHead returns the commit HEAD of the repository holding dir and whether
// dir's desired-state files have uncommitted changes: "" and false outside
// git. apply PLANFILE compares it with the plan's commit.
func gitHead(dir string) (commit string, dirty bool, err error) {
	repo, err := gitrepo.Open(dir)
	if errors.Is(err, gitrepo.ErrNotRepo) {
		return "", false, nil
	}
	if err != nil {
		return "", false, fmt.Errorf("reading git repository: %w", err)
	}
	if commit, err = repo.Head(); err != nil {
		return "", false, err
	}
	if dirty, err = repo.Dirty(dir); err != nil {
		return "", false, err
	}
	return commit, dirty, nil
}
