package tenant

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"syscall"
	"time"
)

// LockInfo is the content of a state lock file, "<state>.lock": who holds
// the lock, so that a user can tell a running apply from a dead one.
type LockInfo struct {
	ID        string    `json:"id"`
	PID       int       `json:"pid"`
	Host      string    `json:"host"`
	Operation string    `json:"operation"`
	Time      time.Time `json:"time"`
}

// LockHeldError is returned when the state is locked by someone else after
// the lock timeout. Stale reports that the holder's process is not running
// on this host: the lock is still held (callops never breaks a lock by
// itself), but `callops state unlock ID` may release it.
type LockHeldError struct {
	Path      string // the lock file
	ID        string
	PID       int
	Host      string
	Operation string
	Time      time.Time
	Stale     bool
}

func (e *LockHeldError) Error() string {
	what := e.Operation
	if what == "" {
		what = "another callops"
	}
	msg := fmt.Sprintf("state is locked by %s (lock id %s, pid %d on %s, since %s)",
		what, e.ID, e.PID, e.Host, e.Time.UTC().Format(time.RFC3339))
	if e.ID == "" {
		msg = fmt.Sprintf("state is locked: lock file %s is unreadable", e.Path)
	}
	if e.Stale {
		msg += "; stale? process not running"
	}
	return msg
}

// ErrLockMismatch is returned by Unlock when the lock has another id.
var ErrLockMismatch = errors.New("lock id does not match")

// lockPath is the lock file of a state file.
func lockPath(path string) string { return path + ".lock" }

// lockPoll is how often a waiting OpenFile looks at the lock again.
const lockPoll = 100 * time.Millisecond

// acquireLock creates path's lock file with O_EXCL, waiting up to timeout
// for a holder to release it.
func acquireLock(path string, opt FileOptions) (LockInfo, error) {
	host, _ := os.Hostname()
	info := LockInfo{ID: randomID(), PID: os.Getpid(), Host: host, Operation: opt.Operation, Time: opt.now()}
	data, err := json.Marshal(info)
	if err != nil {
		return LockInfo{}, err
	}
	deadline := time.Now().Add(opt.LockTimeout)
	lp := lockPath(path)
	for {
		f, err := os.OpenFile(lp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := f.Write(append(data, '\n'))
			serr := f.Sync()
			cerr := f.Close()
			if err := errors.Join(werr, serr, cerr); err != nil {
				os.Remove(lp)
				return LockInfo{}, fmt.Errorf("writing lock %s: %w", lp, err)
			}
			return info, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return LockInfo{}, fmt.Errorf("creating lock %s: %w", lp, err)
		}
		if wait := time.Until(deadline); wait > 0 {
			fail("lock-wait")
			time.Sleep(min(wait, lockPoll))
			continue
		}
		held, rerr := readLock(lp)
		if errors.Is(rerr, fs.ErrNotExist) {
			continue // released just now
		}
		e := &LockHeldError{Path: lp, ID: held.ID, PID: held.PID, Host: held.Host, Operation: held.Operation, Time: held.Time}
		e.Stale = rerr == nil && held.Host == host && !processAlive(held.PID)
		return LockInfo{}, e
	}
}

// readLock reads a lock file.
func readLock(lp string) (LockInfo, error) {
	data, err := os.ReadFile(lp)
	if err != nil {
		return LockInfo{}, err
	}
	var info LockInfo
	if err := json.Unmarshal(data, &info); err != nil {
		return LockInfo{}, fmt.Errorf("reading lock %s: %w", lp, err)
	}
	return info, nil
}

// ReadLock returns the holder of a state file's lock, or an error wrapping
// fs.ErrNotExist when the state is not locked.
func ReadLock(path string) (LockInfo, error) {
	return readLock(lockPath(path))
}

// Unlock removes the lock of the state file at path if its id is id (as
// `callops state unlock ID` does for a lock a killed process left). An
// unreadable lock file (a crash while it was written) is removed when id is
// empty. It returns ErrLockMismatch, wrapped, when the lock has another id,
// and an error wrapping fs.ErrNotExist when there is no lock.
func Unlock(path, id string) error {
	lp := lockPath(path)
	info, err := readLock(lp)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("unlocking %s: %w", path, err)
	case err != nil && id != "":
		return fmt.Errorf("unlocking %s: %w", path, err)
	case err == nil && info.ID != id:
		return fmt.Errorf("unlocking %s: %w (held by %s, not %s)", path, ErrLockMismatch, info.ID, id)
	}
	if err := os.Remove(lp); err != nil {
		return fmt.Errorf("unlocking %s: %w", path, err)
	}
	return nil
}

// releaseLock removes our own lock, only if it is still ours.
func releaseLock(path string, info LockInfo) error {
	held, err := readLock(lockPath(path))
	if err != nil || held.ID != info.ID {
		return fmt.Errorf("releasing lock of %s: it is no longer ours", path)
	}
	if err := os.Remove(lockPath(path)); err != nil {
		return fmt.Errorf("releasing lock of %s: %w", path, err)
	}
	return nil
}

// processAlive reports whether a process of this host is running. Signal 0
// checks existence without signalling; EPERM means it exists under another
// user.
func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	if runtime.GOOS == "windows" {
		// FindProcess opens the process there: it exists.
		p.Release()
		return true
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// randomID is 16 random bytes in hex (a lock id, a lineage).
func randomID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// NewLineage returns a new random lineage (a UUID, version 4) for a state
// that starts a history of its own (callops import).
func NewLineage() string {
	var b [16]byte
	rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
