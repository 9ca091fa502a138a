// Package gitrepo reads desired states out of git: the files of a directory
// at any revision and in the index, the HEAD commit, and whether the work
// tree's desired-state files differ from HEAD. It reads objects directly and
// never checks anything out, so linting `--rev` or `--staged` leaves the work
// tree alone.
//
// It is the only package of callops that imports go-git. It never prints,
// never reads the environment and never writes to the repository.
package gitrepo

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	git "github.com/go-git/go-git/v5"
	"github.com/go-git/go-git/v5/plumbing"
	"github.com/go-git/go-git/v5/plumbing/filemode"
	"github.com/go-git/go-git/v5/plumbing/object"
)

// Errors callers branch on. They are wrapped with what was being done.
var (
	// ErrNotRepo: the directory is not inside a git work tree.
	ErrNotRepo = errors.New("not inside a git repository")
	// ErrUnknownRevision: a revision names no commit.
	ErrUnknownRevision = errors.New("unknown revision")
	// ErrNoDir: the directory does not exist at the revision (or in the
	// index).
	ErrNoDir = errors.New("directory does not exist at this revision")
	// ErrOutside: the directory is not inside the repository's work tree.
	ErrOutside = errors.New("directory is outside the repository")
	// ErrUnmerged: the index has unresolved merge conflicts in the
	// directory, so it holds no single version of a file.
	ErrUnmerged = errors.New("unmerged (conflicted) files in the index")
)

// Default limits, equal to the desired-state loader's (schema.Default*);
// they are repeated here because this package does not import schema.
const (
	DefaultMaxFileSize  = 32 << 20
	DefaultMaxTotalSize = 128 << 20
	DefaultMaxFiles     = 1000
)

// Limits bound what Files and StagedFiles read: a pull request from anyone
// may be linted, and a blob's size is known before it is read. Zero values
// mean the defaults.
type Limits struct {
	MaxFileSize  int64
	MaxTotalSize int64
	MaxFiles     int
}

func (l Limits) withDefaults() Limits {
	if l.MaxFileSize <= 0 {
		l.MaxFileSize = DefaultMaxFileSize
	}
	if l.MaxTotalSize <= 0 {
		l.MaxTotalSize = DefaultMaxTotalSize
	}
	if l.MaxFiles <= 0 {
		l.MaxFiles = DefaultMaxFiles
	}
	return l
}

// LimitError is returned when a directory's files exceed Limits.
type LimitError struct {
	File    string // relative to the directory; empty for a limit on the whole set
	Message string
}

func (e *LimitError) Error() string {
	if e.File == "" {
		return e.Message
	}
	return e.File + ": " + e.Message
}

// File is one desired-state file: Name is relative to the directory it was
// read from (a base name, since only files directly in it are read).
type File struct {
	Name string
	Data []byte
}

// Repo is an open repository. It is safe for sequential use only.
type Repo struct {
	repo *git.Repository
	root string // absolute, symbolic links resolved
	// Limits bound the files read by Files and StagedFiles.
	Limits Limits
}

// Open opens the repository whose work tree encloses dir (dir itself or one
// of its parents holds .git). dir need not exist (it may exist only at some
// revision): the search starts at its nearest existing ancestor. A dir
// outside any repository gives an error wrapping ErrNotRepo.
func Open(dir string) (*Repo, error) {
	start, err := existingAncestor(dir)
	if err != nil {
		return nil, fmt.Errorf("opening git repository of %s: %w", dir, err)
	}
	repo, err := git.PlainOpenWithOptions(start, &git.PlainOpenOptions{DetectDotGit: true, EnableDotGitCommonDir: true})
	if errors.Is(err, git.ErrRepositoryNotExists) {
		return nil, fmt.Errorf("%s: %w", dir, ErrNotRepo)
	}
	if err != nil {
		return nil, fmt.Errorf("opening git repository of %s: %w", dir, err)
	}
	wt, err := repo.Worktree()
	if errors.Is(err, git.ErrIsBareRepository) {
		return nil, fmt.Errorf("%s: bare repository: %w", dir, ErrNotRepo)
	}
	if err != nil {
		return nil, fmt.Errorf("opening git repository of %s: %w", dir, err)
	}
	root, err := resolve(wt.Filesystem.Root())
	if err != nil {
		return nil, fmt.Errorf("opening git repository of %s: %w", dir, err)
	}
	return &Repo{repo: repo, root: root}, nil
}

// Root is the absolute path of the repository's work tree.
func (r *Repo) Root() string { return r.root }

// existingAncestor returns the absolute path of dir's nearest existing
// ancestor (dir itself when it exists).
func existingAncestor(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for p := abs; ; p = filepath.Dir(p) {
		if fi, err := os.Stat(p); err == nil && fi.IsDir() {
			return p, nil
		}
		if filepath.Dir(p) == p {
			return "", fmt.Errorf("no existing directory above %s", abs)
		}
	}
}

// resolve makes p absolute and resolves symbolic links in the part of it that
// exists, so that paths compare with the work tree's root.
func resolve(p string) (string, error) {
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", err
	}
	rest := ""
	for cur := abs; ; cur = filepath.Dir(cur) {
		if real, err := filepath.EvalSymlinks(cur); err == nil {
			return filepath.Join(real, rest), nil
		}
		if filepath.Dir(cur) == cur {
			return abs, nil
		}
		rest = filepath.Join(filepath.Base(cur), rest)
	}
}

// RelDir returns dir (as the user wrote it, relative to the current
// directory or absolute) as a slash path relative to the repository root,
// "." for the root itself.
func (r *Repo) RelDir(dir string) (string, error) {
	abs, err := resolve(dir)
	if err != nil {
		return "", fmt.Errorf("resolving %s: %w", dir, err)
	}
	rel, err := filepath.Rel(r.root, abs)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return "", fmt.Errorf("%s (repository %s): %w", dir, r.root, ErrOutside)
	}
	return filepath.ToSlash(rel), nil
}

// Head returns the sha of the commit HEAD points to; "" when the repository
// has no commit yet.
func (r *Repo) Head() (string, error) {
	ref, err := r.repo.Head()
	if errors.Is(err, plumbing.ErrReferenceNotFound) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading HEAD: %w", err)
	}
	return ref.Hash().String(), nil
}

// Resolve returns the sha of the commit rev names: a sha or its prefix, a
// branch, a tag, HEAD, and suffixes such as ~1 and ^.
func (r *Repo) Resolve(rev string) (string, error) {
	c, err := r.commit(rev)
	if err != nil {
		return "", err
	}
	return c.Hash.String(), nil
}

func (r *Repo) commit(rev string) (*object.Commit, error) {
	if rev == "" {
		return nil, fmt.Errorf("resolving revision: empty revision: %w", ErrUnknownRevision)
	}
	h, err := r.repo.ResolveRevision(plumbing.Revision(rev))
	if err != nil {
		// go-git returns several errors (not found, a bare EOF for ~1
		// past the first commit, parse errors): revisionError says which
		// part of rev git lacks.
		return nil, r.revisionError(rev, err)
	}
	c, err := r.repo.CommitObject(*h)
	if err != nil {
		return nil, fmt.Errorf("revision %q (%s) is not a commit: %w (%v)", rev, h, ErrUnknownRevision, err)
	}
	return c, nil
}

// isDesiredFile reports whether name (a base name) is a file the loader
// reads: *.cue, not hidden (".x.cue" and "_x.cue" are ignored, as CUE does).
func isDesiredFile(name string) bool {
	return strings.HasSuffix(name, ".cue") && !strings.HasPrefix(name, ".") && !strings.HasPrefix(name, "_")
}

// Files returns the desired-state files directly in dir at revision rev,
// read from the commit's tree without checking it out, sorted by name. dir is
// as the user wrote it (relative to the current directory or absolute) and
// must lie inside the work tree; it need not exist there now. A directory
// absent at rev gives an error wrapping ErrNoDir; a symbolic link among the
// files is refused, since the loader never follows links.
func (r *Repo) Files(rev, dir string) ([]File, error) {
	rel, err := r.RelDir(dir)
	if err != nil {
		return nil, err
	}
	c, err := r.commit(rev)
	if err != nil {
		return nil, err
	}
	tree, err := c.Tree()
	if err != nil {
		return nil, fmt.Errorf("reading tree of %s: %w", rev, err)
	}
	if rel != "." {
		tree, err = tree.Tree(rel)
		if errors.Is(err, object.ErrDirectoryNotFound) || errors.Is(err, object.ErrEntryNotFound) {
			return nil, fmt.Errorf("reading %s at %s: %w", dir, rev, ErrNoDir)
		}
		if err != nil {
			return nil, fmt.Errorf("reading %s at %s: %w", dir, rev, err)
		}
	}
	var entries []blobEntry
	for _, e := range tree.Entries {
		if !isDesiredFile(e.Name) {
			continue
		}
		entries = append(entries, blobEntry{name: e.Name, mode: e.Mode, hash: e.Hash})
	}
	files, err := r.readBlobs(entries)
	if err != nil {
		return nil, fmt.Errorf("reading %s at %s: %w", dir, rev, err)
	}
	return files, nil
}

// StagedFiles returns the desired-state files directly in dir as the index
// holds them: what `git commit` would record, whatever the work tree says.
// It is an error (wrapping ErrUnmerged) when one of them has unresolved
// conflicts, and ErrNoDir when the index has no file in dir at all.
func (r *Repo) StagedFiles(dir string) ([]File, error) {
	rel, err := r.RelDir(dir)
	if err != nil {
		return nil, err
	}
	idx, err := r.repo.Storer.Index()
	if err != nil {
		return nil, fmt.Errorf("reading the git index: %w", err)
	}
	var entries []blobEntry
	any := false
	for _, e := range idx.Entries {
		name, ok := childOf(rel, e.Name)
		if !ok {
			continue
		}
		any = true
		if strings.Contains(name, "/") || !isDesiredFile(name) {
			continue
		}
		if e.Stage != 0 {
			return nil, fmt.Errorf("reading %s from the index: %s: %w", dir, name, ErrUnmerged)
		}
		if e.IntentToAdd {
			// `git add -N`: the path is known but no content is staged.
			continue
		}
		entries = append(entries, blobEntry{name: name, mode: e.Mode, hash: e.Hash})
	}
	if !any {
		return nil, fmt.Errorf("reading %s from the index: %w", dir, ErrNoDir)
	}
	files, err := r.readBlobs(entries)
	if err != nil {
		return nil, fmt.Errorf("reading %s from the index: %w", dir, err)
	}
	return files, nil
}

// childOf returns p relative to dir when p lies under dir (both slash paths
// relative to the root; dir "." is the root).
func childOf(dir, p string) (string, bool) {
	if dir == "." {
		return p, true
	}
	if strings.HasPrefix(p, dir+"/") {
		return p[len(dir)+1:], true
	}
	return "", false
}

type blobEntry struct {
	name string
	mode filemode.FileMode
	hash plumbing.Hash
}

// readBlobs reads entries' blobs within r.Limits, sorted by name.
func (r *Repo) readBlobs(entries []blobEntry) ([]File, error) {
	lim := r.Limits.withDefaults()
	sort.Slice(entries, func(i, j int) bool { return entries[i].name < entries[j].name })
	var files []File
	var total int64
	for _, e := range entries {
		switch e.mode {
		case filemode.Regular, filemode.Executable, filemode.Deprecated:
		case filemode.Symlink:
			return nil, fmt.Errorf("%s is a symbolic link; callops reads only regular files inside the directory", e.name)
		default:
			continue // submodules and directories named *.cue
		}
		if len(files) >= lim.MaxFiles {
			return nil, &LimitError{Message: fmt.Sprintf("more than %d .cue files", lim.MaxFiles)}
		}
		blob, err := r.repo.BlobObject(e.hash)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.name, err)
		}
		if blob.Size > lim.MaxFileSize {
			return nil, &LimitError{File: e.name, Message: fmt.Sprintf("file is %d bytes, larger than the limit of %d", blob.Size, lim.MaxFileSize)}
		}
		total += blob.Size
		if total > lim.MaxTotalSize {
			return nil, &LimitError{File: e.name, Message: fmt.Sprintf("desired state is larger than the limit of %d bytes", lim.MaxTotalSize)}
		}
		rd, err := blob.Reader()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.name, err)
		}
		data, err := io.ReadAll(io.LimitReader(rd, lim.MaxFileSize+1))
		rd.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", e.name, err)
		}
		files = append(files, File{Name: e.name, Data: data})
	}
	return files, nil
}

// Dirty reports whether the desired-state files directly in dir (the *.cue
// files the loader reads) differ between HEAD, the index and the work tree:
// a change staged or not, a new file (untracked, even if ignored: the loader
// reads it), a deleted one. Other files in dir, such as the state file that
// `apply` rewrites, do not count: they are not part of the desired state.
// Content is compared by blob hash; line-ending conversion is not applied.
func (r *Repo) Dirty(dir string) (bool, error) {
	rel, err := r.RelDir(dir)
	if err != nil {
		return false, err
	}
	head := map[string]plumbing.Hash{}
	sha, err := r.Head()
	if err != nil {
		return false, err
	}
	if sha != "" {
		c, err := r.commit(sha)
		if err != nil {
			return false, err
		}
		tree, err := c.Tree()
		if err != nil {
			return false, fmt.Errorf("reading tree of HEAD: %w", err)
		}
		if rel != "." {
			tree, err = tree.Tree(rel)
		}
		switch {
		case err == nil:
			for _, e := range tree.Entries {
				if isDesiredFile(e.Name) && e.Mode.IsFile() {
					head[e.Name] = e.Hash
				}
			}
		case errors.Is(err, object.ErrDirectoryNotFound), errors.Is(err, object.ErrEntryNotFound):
		default:
			return false, fmt.Errorf("reading tree of HEAD: %w", err)
		}
	}

	idx, err := r.repo.Storer.Index()
	if err != nil {
		return false, fmt.Errorf("reading the git index: %w", err)
	}
	staged := map[string]plumbing.Hash{}
	for _, e := range idx.Entries {
		name, ok := childOf(rel, e.Name)
		if !ok || strings.Contains(name, "/") || !isDesiredFile(name) || !e.Mode.IsFile() {
			continue
		}
		if e.Stage != 0 || e.IntentToAdd {
			return true, nil
		}
		staged[name] = e.Hash
	}
	if !sameHashes(head, staged) {
		return true, nil
	}

	work := map[string]plumbing.Hash{}
	full := filepath.Join(r.root, filepath.FromSlash(rel))
	des, err := os.ReadDir(full)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return false, fmt.Errorf("reading %s: %w", dir, err)
	}
	for _, de := range des {
		name := de.Name()
		if !isDesiredFile(name) {
			continue
		}
		p := filepath.Join(full, name)
		fi, err := os.Lstat(p)
		if err != nil {
			return false, fmt.Errorf("reading %s: %w", dir, err)
		}
		var data []byte
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return false, fmt.Errorf("reading %s: %w", dir, err)
			}
			data = []byte(filepath.ToSlash(target))
		case fi.Mode().IsRegular():
			if data, err = os.ReadFile(p); err != nil {
				return false, fmt.Errorf("reading %s: %w", dir, err)
			}
		default:
			continue
		}
		work[name] = plumbing.ComputeHash(plumbing.BlobObject, data)
	}
	return !sameHashes(staged, work), nil
}

func sameHashes(a, b map[string]plumbing.Hash) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
