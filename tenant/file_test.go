package tenant

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// plan10 is a ten-step plan on fixture() that moves numbers between RAs,
// frees an emergency number for a user and recreates a policy.
func plan10() []Op {
	return []Op{
		{Action: NumberUnassign, Number: "+14255550100", Holder: "ra1@contoso.com"},
		{Action: NumberUnassign, Number: "+14255550200", Holder: "ra2@contoso.com"},
		{Action: NumberAssign, Number: "+14255550100", Holder: "ra2@contoso.com", NumberType: "CallingPlan"},
		{Action: NumberAssign, Number: "+14255550200", Holder: "ra1@contoso.com", NumberType: "CallingPlan"},
		{Action: PolicyRemoveEmergency, Policy: "Redmond", Numbers: []string{"+14255556677"}},
		{Action: NumberAssign, Number: "+14255556677", Holder: "bob@contoso.com", NumberType: "CallingPlan"},
		{Action: GrantUser, User: "alice@contoso.com"},
		{Action: GrantUser, User: "carol@contoso.com"},
		{Action: PolicyDelete, Policy: "Redmond"},
		{Action: PolicyCreate, Policy: "Redmond", ResourceAccount: "ra1@contoso.com", Numbers: []string{"+14255556678"}},
	}
}

// prefixDigests returns the digest of fixture() after each prefix of ops:
// [0] is the start, [len(ops)] the end.
func prefixDigests(t *testing.T, ops []Op) []string {
	t.Helper()
	s := fixture()
	out := []string{s.Digest()}
	for i, op := range ops {
		if err := s.Apply(op); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		out = append(out, s.Digest())
	}
	return out
}

func writeFixture(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "callops.state.json")
	if err := WriteState(path, fixture()); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, path string) *Snapshot {
	t.Helper()
	s, err := readState(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func TestFileApplyPlan(t *testing.T) {
	path := writeFixture(t)
	want := prefixDigests(t, plan10())
	fb, err := OpenFile(path, FileOptions{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	if !exists(path + ".lock") {
		t.Errorf("no lock file while open")
	}
	if err := fb.Begin("plan-1", plan10()); err != nil {
		t.Fatal(err)
	}
	for i, op := range plan10() {
		if err := fb.Apply(op); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		if i == 4 && !exists(path+".journal") {
			t.Errorf("no journal during the apply")
		}
	}
	if err := fb.Close(); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, path)
	if diff := cmp.Diff(want[len(want)-1], got.Digest()); diff != "" {
		t.Errorf("final state (-want +got):\n%s", diff)
	}
	if got.Lineage != "lin" || got.Serial <= 1 {
		t.Errorf("lineage %q serial %d, want lin and > 1", got.Lineage, got.Serial)
	}
	for _, f := range []string{".lock", ".journal"} {
		if exists(path + f) {
			t.Errorf("%s left after a finished apply", f)
		}
	}
	if b := readFile(t, path+".backup"); b.Digest() != want[0] || b.Serial != 1 {
		t.Errorf("backup is not the state before the apply (serial %d)", b.Serial)
	}
}

func TestFileApplyWithoutPlan(t *testing.T) {
	path := writeFixture(t)
	fb, err := OpenFile(path, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	if err := fb.Apply(Op{Action: GrantUser, User: "bob@contoso.com", Grant: ptr("Seattle")}); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, path)
	if got.Serial != 2 || got.UserByUPN("bob@contoso.com").SharedCallingPolicy != "Seattle" {
		t.Errorf("state not written at once: serial %d", got.Serial)
	}
	err = fb.Apply(Op{Action: GrantUser, User: "bob@contoso.com", Grant: ptr("Nope")})
	var re *RefusedError
	if !errors.As(err, &re) || re.Rule != RulePolicyUnknown {
		t.Errorf("Apply = %v, want refusal %s", err, RulePolicyUnknown)
	}
	if got := readFile(t, path); got.Serial != 2 {
		t.Errorf("a refused op wrote the state (serial %d)", got.Serial)
	}
}

func TestFileRefusalKeepsJournal(t *testing.T) {
	path := writeFixture(t)
	ops := plan10()[:4]
	ops = append(ops, Op{Action: PolicyDelete, Policy: "Redmond"}) // still granted: refused
	fb, err := OpenFile(path, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := fb.Begin("plan-2", ops); err != nil {
		t.Fatal(err)
	}
	for i, op := range ops {
		err = fb.Apply(op)
		if i < 4 && err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	// The refusal comes back as it is, not wrapped.
	if re, ok := err.(*RefusedError); !ok || re.Rule != RulePolicyHasNumbers {
		t.Fatalf("step 5 = %#v, want *RefusedError %s", err, RulePolicyHasNumbers)
	}
	if err := fb.Close(); err != nil {
		t.Fatal(err)
	}
	fb, err = OpenFile(path, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	j, err := fb.Pending()
	if err != nil || j == nil {
		t.Fatalf("Pending = %v, %v", j, err)
	}
	got := []any{j.PlanID, j.Done, j.Failed, len(j.Ops)}
	if diff := cmp.Diff([]any{"plan-2", 4, 5, 5}, got); diff != "" {
		t.Errorf("journal (-want +got):\n%s", diff)
	}
	if want := prefixDigests(t, ops[:4]); fb.Current().Digest() != want[4] {
		t.Errorf("state does not hold the four steps before the refusal")
	}
	if err := fb.Begin("plan-3", nil); !errors.Is(err, ErrJournalPending) {
		t.Errorf("Begin with a pending journal = %v, want ErrJournalPending", err)
	}
	if err := fb.Discard(); err != nil {
		t.Fatal(err)
	}
	if j, err := fb.Pending(); j != nil || err != nil {
		t.Errorf("Pending after Discard = %v, %v", j, err)
	}
}

func TestFileStepMustMatchJournal(t *testing.T) {
	path := writeFixture(t)
	fb, err := OpenFile(path, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	if err := fb.Begin("p", plan10()); err != nil {
		t.Fatal(err)
	}
	if err := fb.Apply(plan10()[1]); err == nil {
		t.Errorf("applying step 2 as step 1 was accepted")
	}
}

func TestPendingMismatch(t *testing.T) {
	path := writeFixture(t)
	fb, err := OpenFile(path, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fb.Begin("p", plan10())
	fb.Apply(plan10()[0])
	fb.Close()
	// The state is changed behind the journal's back.
	s := readFile(t, path)
	s.Serial += 5
	if err := WriteState(path, s); err != nil {
		t.Fatal(err)
	}
	fb, err = OpenFile(path, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	_, err = fb.Pending()
	var me *JournalMismatchError
	if !errors.As(err, &me) {
		t.Errorf("Pending = %v, want *JournalMismatchError", err)
	}
}

func TestLockHeld(t *testing.T) {
	path := writeFixture(t)
	a, err := OpenFile(path, FileOptions{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	_, err = OpenFile(path, FileOptions{Operation: "apply", LockTimeout: 150 * time.Millisecond})
	var le *LockHeldError
	if !errors.As(err, &le) {
		t.Fatalf("second OpenFile = %v, want *LockHeldError", err)
	}
	host, _ := os.Hostname()
	got := []any{le.ID, le.PID, le.Host, le.Operation, le.Stale}
	if diff := cmp.Diff([]any{a.Lock().ID, os.Getpid(), host, "apply", false}, got); diff != "" {
		t.Errorf("lock holder (-want +got):\n%s", diff)
	}
	if !strings.Contains(le.Error(), a.Lock().ID) {
		t.Errorf("message %q does not name the lock id", le.Error())
	}
	if err := Unlock(path, "not-the-id"); !errors.Is(err, ErrLockMismatch) {
		t.Errorf("Unlock with another id = %v, want ErrLockMismatch", err)
	}
	// A waiting open gets the lock once it is released.
	done := make(chan error)
	go func() {
		b, err := OpenFile(path, FileOptions{LockTimeout: time.Minute})
		if err == nil {
			err = b.Close()
		}
		done <- err
	}()
	time.Sleep(50 * time.Millisecond)
	if err := a.Close(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Errorf("waiting open: %v", err)
	}
}

func TestLockRace(t *testing.T) {
	path := writeFixture(t)
	const n = 8
	var wg sync.WaitGroup
	results := make([]error, n)
	backends := make([]*FileBackend, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			backends[i], results[i] = OpenFile(path, FileOptions{LockTimeout: 20 * time.Millisecond})
		}()
	}
	wg.Wait()
	held := 0
	for i, err := range results {
		var le *LockHeldError
		switch {
		case err == nil:
			held++
			defer backends[i].Close()
		case !errors.As(err, &le):
			t.Errorf("OpenFile %d = %v, want success or *LockHeldError", i, err)
		}
	}
	if held != 1 {
		t.Errorf("%d of %d concurrent opens hold the lock, want 1", held, n)
	}
}

func TestStaleLock(t *testing.T) {
	path := writeFixture(t)
	// A process that has exited: its pid is not running.
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()
	dead := fmt.Sprintf(`{"id":"abc","pid":%d,"host":%q,"operation":"apply","time":"2026-01-02T03:04:05Z"}`, cmd.Process.Pid, host)
	if err := os.WriteFile(path+".lock", []byte(dead), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := OpenFile(path, FileOptions{})
	var le *LockHeldError
	if !errors.As(err, &le) || !le.Stale || le.ID != "abc" {
		t.Fatalf("OpenFile = %v, want a stale *LockHeldError abc", err)
	}
	if !strings.Contains(err.Error(), "stale? process not running") {
		t.Errorf("message %q does not say stale", err)
	}
	if err := Unlock(path, "abc"); err != nil {
		t.Fatal(err)
	}
	fb, err := OpenFile(path, FileOptions{})
	if err != nil {
		t.Fatalf("after unlock: %v", err)
	}
	fb.Close()
	if err := Unlock(path, "abc"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Unlock without lock = %v, want fs.ErrNotExist", err)
	}
}

func TestRestoreBackup(t *testing.T) {
	path := writeFixture(t)
	start := fixture().Digest()
	fb, err := OpenFile(path, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	fb.Begin("p", plan10())
	for _, op := range plan10()[:3] {
		if err := fb.Apply(op); err != nil {
			t.Fatal(err)
		}
	}
	fb.Close()
	applied := readFile(t, path)
	if err := RestoreBackup(path); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, path)
	if got.Digest() != start || got.Serial != applied.Serial+1 || got.Lineage != "lin" {
		t.Errorf("restored state: serial %d (want %d), lineage %s, content restored %v",
			got.Serial, applied.Serial+1, got.Lineage, got.Digest() == start)
	}
	if exists(path+".journal") || exists(path+".lock") {
		t.Errorf("journal or lock left after restore")
	}
	if b := readFile(t, path+".backup"); b.Digest() != applied.Digest() {
		t.Errorf("the replaced state is not the new backup")
	}
}

func TestAtomicWriteReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "f")
	for _, data := range []string{"one", "two, longer"} {
		if err := writeFileAtomic(path, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
		got, _ := os.ReadFile(path)
		if string(got) != data {
			t.Errorf("file = %q, want %q", got, data)
		}
	}
	if m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*")); len(m) != 0 {
		t.Errorf("temporary files left: %v", m)
	}
}

// Crash tests: a child process (this test binary, run with the env vars
// below) applies plan10 with a failpoint that exits at the named point; the
// parent checks the state file it left and resumes.
const (
	envCrashAt    = "CALLOPS_TENANT_CRASH_AT"    // failpoint name, "#n" for its n-th call
	envCrashState = "CALLOPS_TENANT_CRASH_STATE" // state file
	envCrashBig   = "CALLOPS_TENANT_CRASH_BIG"   // non-empty: throttled checkpoints
	crashExit     = 3
)

func TestCrashChild(t *testing.T) {
	at := os.Getenv(envCrashAt)
	if at == "" {
		t.Skip("run by TestCrash")
	}
	name, nth := at, 1
	if i := strings.IndexByte(at, '#'); i >= 0 {
		name = at[:i]
		nth, _ = strconv.Atoi(at[i+1:])
	}
	calls := 0
	failpoint = func(n string) {
		if n == name {
			if calls++; calls == nth {
				os.Exit(crashExit)
			}
		}
	}
	opt := FileOptions{Operation: "apply"}
	if os.Getenv(envCrashBig) != "" {
		smallState = 0
		// A clock that moves 90 ms a call: some steps are checkpointed, some not.
		now := time.Unix(0, 0)
		opt.Now = func() time.Time { now = now.Add(90 * time.Millisecond); return now }
	}
	fb, err := OpenFile(os.Getenv(envCrashState), opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := fb.Begin("plan-crash", plan10()); err != nil {
		t.Fatal(err)
	}
	for _, op := range plan10() {
		if err := fb.Apply(op); err != nil {
			t.Fatal(err)
		}
	}
	if err := fb.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("runs subprocesses")
	}
	ops := plan10()
	digests := prefixDigests(t, ops)
	points := []string{
		"before-step-1", "after-step-1", "before-step-4", "after-step-6", "after-step-10",
		"checkpoint-recorded#1", "checkpoint-recorded#5", "mid-write#1", "mid-write#2", "mid-write#7",
		"after-rename#1", "after-rename#3", "journal-removed",
	}
	for _, big := range []bool{false, true} {
		for _, at := range points {
			t.Run(fmt.Sprintf("%s/big=%v", at, big), func(t *testing.T) {
				path := writeFixture(t)
				cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$")
				cmd.Env = append(os.Environ(), envCrashAt+"="+at, envCrashState+"="+path)
				if big {
					cmd.Env = append(cmd.Env, envCrashBig+"=1")
				}
				out, err := cmd.CombinedOutput()
				if err == nil && big {
					t.Skip("throttled checkpoints: the failpoint is not reached")
				}
				var ee *exec.ExitError
				if !errors.As(err, &ee) || ee.ExitCode() != crashExit {
					t.Fatalf("child did not stop at %s: %v\n%s", at, err, out)
				}

				// The state file parses and is the state after some prefix.
				s := readFile(t, path)
				k := indexOf(digests, s.Digest())
				if k < 0 {
					t.Fatalf("state after the crash is no prefix of the plan")
				}

				// The dead child's lock is held, and reported stale.
				_, err = OpenFile(path, FileOptions{})
				var le *LockHeldError
				if !errors.As(err, &le) || !le.Stale {
					t.Fatalf("OpenFile after the crash = %v, want a stale lock", err)
				}
				if err := Unlock(path, le.ID); err != nil {
					t.Fatal(err)
				}

				fb, err := OpenFile(path, FileOptions{})
				if err != nil {
					t.Fatal(err)
				}
				if m, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*"+tempInfix+"*")); len(m) != 0 {
					t.Errorf("temporary files left after open: %v", m)
				}
				j, err := fb.Pending()
				if err != nil {
					t.Fatal(err)
				}
				switch {
				case j == nil && k == len(ops):
					// Finished before the crash.
				case j == nil:
					t.Fatalf("no journal, state at step %d of %d", k, len(ops))
				default:
					if j.Done != k {
						t.Errorf("journal says %d steps are in the state, the state holds %d", j.Done, k)
					}
					if err := fb.Resume(j); err != nil {
						t.Fatal(err)
					}
					for _, op := range j.Ops[j.Done:] {
						if err := fb.Apply(op); err != nil {
							t.Fatalf("resuming: %v", err)
						}
					}
				}
				if err := fb.Close(); err != nil {
					t.Fatal(err)
				}
				final := readFile(t, path)
				if final.Digest() != digests[len(ops)] {
					t.Errorf("state after resume is not the plan's end state")
				}
				if final.Serial <= 1 {
					t.Errorf("serial %d after resume", final.Serial)
				}
				if exists(path + ".journal") {
					t.Errorf("journal left after resume")
				}
				if b := readFile(t, path+".backup"); b.Digest() != digests[0] && k > 0 {
					t.Errorf("backup is not the state before the plan")
				}
			})
		}
	}
}

func indexOf(list []string, v string) int {
	for i, s := range list {
		if s == v {
			return i
		}
	}
	return -1
}

func TestTornJournal(t *testing.T) {
	path := writeFixture(t)
	// A begin record cut short by a crash: nothing ran.
	if err := os.WriteFile(path+".journal", []byte(`{"type":"begin","plan":"p","li`), 0o644); err != nil {
		t.Fatal(err)
	}
	fb, err := OpenFile(path, FileOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer fb.Close()
	if j, err := fb.Pending(); j != nil || err != nil {
		t.Errorf("Pending = %+v, %v; want none", j, err)
	}
	if err := fb.Begin("p2", plan10()[:1]); err != nil {
		t.Errorf("Begin after a torn journal: %v", err)
	}
	if err := fb.Apply(plan10()[0]); err != nil {
		t.Fatal(err)
	}
	if exists(path + ".journal") {
		t.Errorf("journal left after the plan")
	}

	// A corrupt record before the last line is an error, not a guess.
	if err := os.WriteFile(path+".journal", []byte("{\"type\":\"begin\",\"plan\":\"p\",\"lineage\":\"lin\",\"serial\":2}\nnot json\n{\"type\":\"done\",\"step\":1}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := fb.Pending(); err == nil {
		t.Errorf("Pending of a corrupt journal succeeded")
	}
}

func TestUnreadableLock(t *testing.T) {
	path := writeFixture(t)
	if err := os.WriteFile(path+".lock", []byte(`{"id":"ab`), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := OpenFile(path, FileOptions{})
	var le *LockHeldError
	if !errors.As(err, &le) || le.ID != "" || !strings.Contains(err.Error(), "unreadable") {
		t.Fatalf("OpenFile = %v, want a *LockHeldError for an unreadable lock", err)
	}
	if err := Unlock(path, "ab"); err == nil {
		t.Errorf("Unlock with a guessed id removed an unreadable lock")
	}
	if err := Unlock(path, ""); err != nil {
		t.Errorf("Unlock of an unreadable lock with the empty id: %v", err)
	}
	if exists(path + ".lock") {
		t.Errorf("lock still there")
	}
}

const envHoldLock = "CALLOPS_TENANT_HOLD_LOCK" // state file the child locks until stdin closes

func TestHoldLockChild(t *testing.T) {
	path := os.Getenv(envHoldLock)
	if path == "" {
		t.Skip("run by TestLockAcrossProcesses")
	}
	fb, err := OpenFile(path, FileOptions{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("locked")
	io.Copy(io.Discard, os.Stdin)
	if err := fb.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestLockAcrossProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a subprocess")
	}
	path := writeFixture(t)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHoldLockChild$")
	cmd.Env = append(os.Environ(), envHoldLock+"="+path)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r := bufio.NewReader(stdout)
	for {
		line, err := r.ReadString('\n')
		if err != nil {
			t.Fatalf("child did not lock: %v", err)
		}
		if line == "locked\n" {
			break
		}
	}
	_, err := OpenFile(path, FileOptions{LockTimeout: 100 * time.Millisecond})
	var le *LockHeldError
	if !errors.As(err, &le) || le.PID != cmd.Process.Pid || le.Stale || le.Operation != "apply" {
		t.Errorf("OpenFile while another process holds the lock = %v, want *LockHeldError of pid %d, not stale", err, cmd.Process.Pid)
	}
	stdin.Close()
	fb, err := OpenFile(path, FileOptions{LockTimeout: time.Minute})
	if err != nil {
		t.Fatalf("OpenFile after the other process let go: %v", err)
	}
	fb.Close()
	if err := cmd.Wait(); err != nil {
		t.Errorf("child: %v", err)
	}
}

// TestReplaceStateOtherTenant: a snapshot of another tenant does not
// continue a state (nothing written, no backup, no lock left); one of the
// same tenant, its domain in another case, does.
func TestReplaceStateOtherTenant(t *testing.T) {
	path := writeFixture(t)
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	other := fixture()
	other.Tenant.Domain = "fabrikam.onmicrosoft.com"
	err = ReplaceState(path, other, FileOptions{})
	var ote *OtherTenantError
	if !errors.As(err, &ote) || ote.State != fixture().Tenant.Domain || ote.New != "fabrikam.onmicrosoft.com" {
		t.Fatalf("ReplaceState = %v, want *OtherTenantError naming both domains", err)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Error("the state was changed")
	}
	if exists(path+".backup") || exists(path+".lock") {
		t.Error("a backup or a lock was left")
	}
	same := fixture()
	same.Tenant.Domain = strings.ToUpper(same.Tenant.Domain)
	if err := ReplaceState(path, same, FileOptions{}); err != nil {
		t.Fatalf("same tenant: %v", err)
	}
	if got := readFile(t, path); got.Lineage != "lin" || got.Tenant.Domain != same.Tenant.Domain {
		t.Errorf("same tenant: lineage %s, domain %s", got.Lineage, got.Tenant.Domain)
	}
	// An export without a domain continues the state, and its domain.
	none := fixture()
	none.Tenant.Domain = ""
	if err := ReplaceState(path, none, FileOptions{}); err != nil {
		t.Fatalf("no domain: %v", err)
	}
	if got := readFile(t, path); got.Tenant.Domain != same.Tenant.Domain {
		t.Errorf("no domain: the state's domain became %q, want %q kept", got.Tenant.Domain, same.Tenant.Domain)
	}
}
