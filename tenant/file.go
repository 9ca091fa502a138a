package tenant

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"time"
)

// FileOptions configures OpenFile.
type FileOptions struct {
	// Operation says what holds the lock ("apply", "state restore"), for
	// the message another callops shows while it waits.
	Operation string
	// LockTimeout is how long to wait for another holder's lock; 0 tries
	// once.
	LockTimeout time.Duration
	// Now is the clock for the lock's time and the checkpoint interval;
	// nil is time.Now.
	Now func() time.Time
}

func (o FileOptions) now() time.Time {
	if o.Now != nil {
		return o.Now()
	}
	return time.Now()
}

// smallState is the size under which every step is checkpointed; tests
// lower it to exercise the throttled path.
var smallState = 256 << 10

// checkpointInterval is the least time between checkpoints of a large state.
const checkpointInterval = 200 * time.Millisecond

// FileBackend is the file backend: the state file is the tenant. It is not
// safe for concurrent use.
//
// OpenFile locks the state (<state>.lock, created with O_EXCL) and reads it.
// Apply carries an operation out in memory through Snapshot.Apply (the
// service's rules) and persists it. Between Begin and the end of the plan
// every step is journaled (<state>.journal) before and after it runs, and
// the state file is checkpointed: written to a temporary file, synced,
// renamed over the state and the directory synced, with Serial+1, so a kill
// at any point leaves the old or the new state file, never a torn one.
//
// Checkpoints are not written after every step of a large state: writing a
// 10 MB state after each of 3,000 steps would take minutes. A state whose
// last write was under 256 KiB is checkpointed after every step; a larger
// one when at least 200 ms, and at least four times the last write's
// duration, have passed since the last checkpoint (so writing costs at most
// about a fifth of the apply), and always at the end, on a refusal and on
// Close. Steps done after the last checkpoint are in the journal, with the
// plan's operations, and a resume replays them on the checkpointed state.
//
// Journal records are written at once, so a kill loses none; they are
// synced with the next checkpoint record, which is what makes them matter
// (see journalWriter.write).
//
// The first checkpoint of an apply keeps the state before it as
// <state>.backup (RestoreBackup puts it back). The lineage is kept and the
// serial grows by one on every write.
type FileBackend struct {
	path string
	opt  FileOptions
	lock LockInfo
	cur  *Snapshot

	journal *journalWriter
	ops     []Op // the journaled plan, nil outside one
	steps   int  // steps of the plan applied in memory
	saved   int  // steps of the plan the state file covers
	dirty   bool // memory differs from the state file

	backedUp  bool
	lastWrite time.Time
	writeCost time.Duration
	writeSize int
	closed    bool
}

// OpenFile locks the state file at path and reads it. It waits up to
// opt.LockTimeout for another holder and then returns a *LockHeldError.
// Temporary files a killed writer left are removed.
//
// A path that is a symbolic link is followed once, here: the lock, the
// journal, the backup and every checkpoint are beside the file it points
// to, which is the file that is rewritten (renaming over the link would
// replace the link with a copy and leave the file behind it stale).
func OpenFile(path string, opt FileOptions) (*FileBackend, error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	lock, err := acquireLock(path, opt)
	if err != nil {
		return nil, err
	}
	s, err := readState(path)
	if err != nil {
		releaseLock(path, lock)
		return nil, err
	}
	removeTempFiles(path)
	return &FileBackend{path: path, opt: opt, lock: lock, cur: s, writeSize: -1}, nil
}

// ReadState reads and parses the state file at path without locking it
// (plan, lint: a read of a file replaced atomically is never torn). Errors
// say which file; a missing file wraps fs.ErrNotExist, a bad one is a
// *ParseError.
func ReadState(path string) (*Snapshot, error) { return readState(path) }

// readState reads and parses a state file.
func readState(path string) (*Snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading state %s: %w", path, err)
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("reading state %s: %w", path, err)
	}
	return s, nil
}

// Path returns the state file's path.
func (fb *FileBackend) Path() string { return fb.path }

// Lock returns the lock this backend holds.
func (fb *FileBackend) Lock() LockInfo { return fb.lock }

// Current returns the tenant as applied so far. The snapshot belongs to the
// backend: read it, clone it, don't change it.
func (fb *FileBackend) Current() *Snapshot { return fb.cur }

// Pending returns the unfinished apply journaled beside the state, nil when
// there is none. A journal that does not match the state file (another
// lineage, a serial none of its checkpoints names) is a
// *JournalMismatchError.
func (fb *FileBackend) Pending() (*Journal, error) {
	if fb.journal != nil {
		return nil, fmt.Errorf("reading journal: an apply is running")
	}
	return readJournal(fb.path, fb.cur)
}

// Begin journals the plan planID made of ops; the Apply calls that follow
// are its steps, in order, and must be those ops. The journal is removed
// when the last step is applied and persisted (at Close). It returns
// ErrJournalPending, wrapped, when an unfinished journal exists: resume it
// (Resume) or drop it (Discard) first.
func (fb *FileBackend) Begin(planID string, ops []Op) error {
	if fb.closed {
		return errors.New("journaling the plan: backend closed")
	}
	if fb.journal != nil {
		return fmt.Errorf("journaling plan %s: %w", planID, ErrJournalPending)
	}
	// Each checkpoint adds one to the serial: at most one per step, and
	// one more on a refusal and at the end. Refused before anything runs.
	if fb.cur.Serial > math.MaxInt64-int64(len(ops))-2 {
		return fmt.Errorf("journaling plan %s: the state's serial %d cannot grow by the %d writes the plan may need (a state serial only counts writes: set it lower by hand)", planID, fb.cur.Serial, len(ops)+2)
	}
	if _, err := os.Stat(journalPath(fb.path)); err == nil {
		j, err := readJournal(fb.path, fb.cur)
		if err != nil || j != nil {
			return fmt.Errorf("journaling plan %s: %w (%s)", planID, ErrJournalPending, journalPath(fb.path))
		}
		// Only a begin record cut short: nothing of it ran.
		if err := os.Remove(journalPath(fb.path)); err != nil {
			return fmt.Errorf("journaling plan %s: %w", planID, err)
		}
	}
	if err := fb.flush(); err != nil {
		return err
	}
	w, err := createJournal(fb.path)
	if err != nil {
		return err
	}
	rec := journalRecord{Type: "begin", Plan: planID, Lineage: fb.cur.Lineage, Serial: fb.cur.Serial,
		Ops: ops, Time: fb.opt.now().UTC()}
	if err := w.write(rec); err != nil {
		w.close()
		os.Remove(journalPath(fb.path))
		return err
	}
	fb.journal, fb.ops, fb.steps, fb.saved = w, slices.Clone(ops), 0, 0
	fb.backedUp = false
	return nil
}

// Resume continues the unfinished apply j (from Pending): the Apply calls
// that follow are its steps from j.Ops[j.Done] on. The state file already
// holds the steps before.
func (fb *FileBackend) Resume(j *Journal) error {
	if fb.journal != nil {
		return fmt.Errorf("resuming plan %s: %w", j.PlanID, ErrJournalPending)
	}
	if j.Serial != fb.cur.Serial || j.Lineage != fb.cur.Lineage {
		return fmt.Errorf("resuming plan %s: the journal was read for serial %d, the state has %d", j.PlanID, j.Serial, fb.cur.Serial)
	}
	w, err := appendJournal(fb.path)
	if err != nil {
		return fmt.Errorf("resuming plan %s: %w", j.PlanID, err)
	}
	fb.journal, fb.ops, fb.steps, fb.saved = w, slices.Clone(j.Ops), j.Done, j.Done
	// The backup of the first attempt is the state before the plan: keep it.
	_, err = os.Stat(backupPath(fb.path))
	fb.backedUp = err == nil
	if fb.steps == len(fb.ops) {
		return fb.finish()
	}
	return nil
}

// Discard removes an unfinished journal without resuming it: the state
// file keeps the steps it covers.
func (fb *FileBackend) Discard() error {
	if fb.journal != nil {
		return errors.New("discarding the journal: an apply is running")
	}
	if err := os.Remove(journalPath(fb.path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("discarding the journal: %w", err)
	}
	return syncDir(dirOf(fb.path))
}

// Apply carries op out on the state: refused ops return the service's
// *RefusedError and leave the state as it was. Outside a journaled plan the
// state file is written at once.
func (fb *FileBackend) Apply(op Op) error {
	if fb.closed {
		return errors.New("applying: backend closed")
	}
	if fb.journal == nil {
		if err := fb.cur.Apply(op); err != nil {
			return err
		}
		fb.dirty = true
		return fb.checkpoint()
	}
	step := fb.steps + 1
	if step > len(fb.ops) {
		return fmt.Errorf("applying step %d: the journaled plan has %d steps", step, len(fb.ops))
	}
	if !opEqual(fb.ops[step-1], op) {
		return fmt.Errorf("applying step %d: it is not the journaled plan's step %d (%s)", step, step, fb.ops[step-1].Action)
	}
	if err := fb.journal.write(journalRecord{Type: "intent", Step: step}); err != nil {
		return err
	}
	fail(fmt.Sprintf("before-step-%d", step))
	if err := fb.cur.Apply(op); err != nil {
		// Persist what was done, so that the state file shows it; the
		// refusal itself is returned as it is, for errors.As.
		jerr := fb.journal.write(journalRecord{Type: "failed", Step: step, Error: err.Error()})
		if ferr := errors.Join(jerr, fb.flush()); ferr != nil {
			return errors.Join(err, ferr)
		}
		return err
	}
	fb.steps, fb.dirty = step, true
	if err := fb.journal.write(journalRecord{Type: "done", Step: step}); err != nil {
		return err
	}
	fail(fmt.Sprintf("after-step-%d", step))
	if fb.steps == len(fb.ops) {
		return fb.finish()
	}
	if fb.writeSize >= 0 && fb.writeSize < smallState || fb.due() {
		return fb.checkpoint()
	}
	return nil
}

// due reports whether a large state's checkpoint is due.
func (fb *FileBackend) due() bool {
	if fb.writeSize < 0 {
		return true // never written: learn the size
	}
	since := fb.opt.now().Sub(fb.lastWrite)
	return since >= checkpointInterval && since >= 4*fb.writeCost
}

// flush checkpoints when memory is ahead of the state file.
func (fb *FileBackend) flush() error {
	if !fb.dirty {
		return nil
	}
	return fb.checkpoint()
}

// checkpoint writes the state with Serial+1, journaling first which serial
// covers how many steps, and keeping the previous state as the backup on
// the first write of an apply.
func (fb *FileBackend) checkpoint() error {
	if fb.cur.Serial == math.MaxInt64 {
		return fmt.Errorf("writing state %s: its serial %d cannot grow (a state serial only counts writes: set it lower by hand)", fb.path, fb.cur.Serial)
	}
	next := fb.cur.Clone()
	next.Serial = fb.cur.Serial + 1
	data, err := next.Encode()
	if err != nil {
		return fmt.Errorf("writing state %s: %w", fb.path, err)
	}
	if !fb.backedUp {
		if err := copyFileAtomic(fb.path, backupPath(fb.path)); err != nil {
			return fmt.Errorf("keeping a backup of %s: %w", fb.path, err)
		}
		fb.backedUp = true
	}
	if fb.journal != nil {
		if err := fb.journal.write(journalRecord{Type: "checkpoint", Serial: next.Serial, Steps: fb.steps}); err != nil {
			return err
		}
		fail("checkpoint-recorded")
	}
	start := time.Now()
	if err := writeFileAtomic(fb.path, data, 0o644); err != nil {
		return fmt.Errorf("writing state %s: %w", fb.path, err)
	}
	fb.writeCost = time.Since(start)
	fb.writeSize = len(data)
	fb.lastWrite = fb.opt.now()
	fb.cur.Serial = next.Serial
	fb.saved, fb.dirty = fb.steps, false
	return nil
}

// finish persists the last step of the plan and removes the journal.
func (fb *FileBackend) finish() error {
	if err := fb.flush(); err != nil {
		return err
	}
	err := fb.journal.close()
	fb.journal, fb.ops = nil, nil
	if rerr := os.Remove(journalPath(fb.path)); rerr != nil {
		return errors.Join(err, fmt.Errorf("removing journal: %w", rerr))
	}
	fail("journal-removed")
	return errors.Join(err, syncDir(dirOf(fb.path)))
}

// Close persists steps not yet written and releases the lock. An unfinished
// plan's journal stays, for Pending and Resume.
func (fb *FileBackend) Close() error {
	if fb.closed {
		return nil
	}
	fb.closed = true
	err := fb.flush()
	if fb.journal != nil {
		err = errors.Join(err, fb.journal.close())
		fb.journal = nil
	}
	return errors.Join(err, releaseLock(fb.path, fb.lock))
}

func backupPath(path string) string { return path + ".backup" }

// copyFileAtomic copies src over dst atomically; a missing src is no error.
func copyFileAtomic(src, dst string) error {
	data, err := os.ReadFile(src)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return writeFileAtomic(dst, data, 0o644)
}

// RestoreBackup puts the backup of the state file at path back (`callops
// state restore`), under the lock: the backup's content becomes the state
// with the next serial, the replaced state becomes the backup (so a restore
// can be undone) and an unfinished journal is dropped (it belonged to the
// replaced state). The backup must have the state's lineage. A held lock is
// a *LockHeldError at once (no waiting).
func RestoreBackup(path string) (err error) {
	fb, err := OpenFile(path, FileOptions{Operation: "state restore"})
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, fb.Close()) }()
	old, err := readState(backupPath(path))
	if err != nil {
		return fmt.Errorf("restoring backup: %w", err)
	}
	if old.Lineage != fb.cur.Lineage {
		return fmt.Errorf("restoring backup: its lineage %s is not the state's %s", old.Lineage, fb.cur.Lineage)
	}
	if err := os.Remove(journalPath(path)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("restoring backup: removing the journal: %w", err)
	}
	old.Serial = fb.cur.Serial
	fb.cur = old
	fb.dirty = true
	return fb.flush()
}

// WriteState writes s to path atomically, as it is (lineage and serial
// included), without a lock: for a new state file (callops import). An
// existing file is replaced.
func WriteState(path string, s *Snapshot) error {
	data, err := s.Encode()
	if err != nil {
		return fmt.Errorf("writing state %s: %w", path, err)
	}
	if err := writeFileAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("writing state %s: %w", path, err)
	}
	return nil
}

// ReplaceState writes s as the state file at path, in place of whatever
// state is there (import of the tenant as it is now), under the state's
// lock: it waits up to opt.LockTimeout for an apply or another writer that
// holds it (then a *LockHeldError). A path that is a symbolic link is
// followed, as OpenFile does.
//
// Over a state callops can read, the new state continues it: same lineage,
// the next serial (so plans made before are stale, and RestoreBackup puts
// the replaced state, kept as <state>.backup, back). A journaled apply that
// did not finish is refused (wrapping ErrJournalPending): it must be resumed
// or its journal dropped first, or it would be replayed on the new state.
// A state of another tenant (another domain) is refused with an
// *OtherTenantError. s is not modified.
func ReplaceState(path string, s *Snapshot, opt FileOptions) error {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	if dir := filepath.Dir(path); dir != "" {
		if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
			return fmt.Errorf("writing state %s: directory %s does not exist", path, dir)
		}
	}
	lock, err := acquireLock(path, opt)
	if err != nil {
		return err
	}
	defer releaseLock(path, lock)
	if _, err := os.Stat(journalPath(path)); err == nil {
		return fmt.Errorf("writing state %s: %w (%s)", path, ErrJournalPending, journalPath(path))
	}
	next := s
	if fi, err := os.Lstat(path); err == nil && fi.Mode().IsRegular() {
		if old, err := readState(path); err == nil {
			if OtherDomain(old.Tenant.Domain, s.Tenant.Domain) {
				return &OtherTenantError{Path: path, State: old.Tenant.Domain, New: s.Tenant.Domain}
			}
			if old.Serial == math.MaxInt64 {
				return fmt.Errorf("writing state %s: its serial %d cannot grow", path, old.Serial)
			}
			next = s.Clone()
			next.Lineage, next.Serial = old.Lineage, old.Serial+1
			if next.Tenant.Domain == "" {
				// An export without a domain continues the state's:
				// the tenant check stays.
				next.Tenant.Domain = old.Tenant.Domain
			}
		}
		if err := copyFileAtomic(path, backupPath(path)); err != nil {
			return fmt.Errorf("keeping a backup of %s: %w", path, err)
		}
	}
	return WriteState(path, next)
}

// OtherTenantError is ReplaceState refusing to continue a state of one
// tenant with a snapshot of another (their domains differ): the new state
// would take over the old one's lineage, and plans made for one tenant
// would read as made for the other. Nothing was written.
type OtherTenantError struct {
	Path       string
	State, New string // tenant domains: the existing state's, the new snapshot's
}

func (e *OtherTenantError) Error() string {
	return fmt.Sprintf("writing state %s: it is the state of tenant %s, and the new state is of tenant %s",
		e.Path, Printable(e.State), Printable(e.New))
}

func dirOf(path string) string {
	for i := len(path) - 1; i >= 0; i-- {
		if os.IsPathSeparator(path[i]) {
			return path[:i+1]
		}
	}
	return "."
}

// opEqual compares operations, an empty Numbers list equal to none (the
// journal's JSON does not keep the difference).
func opEqual(a, b Op) bool {
	if (a.Grant == nil) != (b.Grant == nil) || a.Grant != nil && *a.Grant != *b.Grant {
		return false
	}
	if !slices.Equal(a.Numbers, b.Numbers) {
		return false
	}
	a.Grant, b.Grant, a.Numbers, b.Numbers = nil, nil, nil, nil
	return reflect.DeepEqual(a, b)
}
