package main

// Crash and locking tests of the real command: callops is built once with
// -tags callops_failpoints (failpoint_callops.go) and run as a subprocess
// that pauses at a failpoint of the file backend and is killed there with
// SIGKILL, as an operator's Ctrl-C, an OOM kill or a CI runner timeout
// would. See docs/safety.md.

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/callops/callops/apply"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

var (
	failpointBinOnce sync.Once
	failpointBin     string
	failpointBinErr  error
)

// failpointCallops builds callops with the failpoint hook, once per test
// binary, and returns its path.
func failpointCallops(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds callops and runs it as a subprocess")
	}
	if runtime.GOOS == "windows" {
		t.Skip("kills with SIGKILL")
	}
	failpointBinOnce.Do(func() {
		dir, err := os.MkdirTemp("", "callops-failpoints-")
		if err != nil {
			failpointBinErr = err
			return
		}
		failpointBin = filepath.Join(dir, "callops")
		out, err := exec.Command("go", "build", "-tags", "callops_failpoints", "-o", failpointBin, ".").CombinedOutput()
		if err != nil {
			failpointBinErr = fmt.Errorf("go build -tags callops_failpoints: %v\n%s", err, out)
		}
	})
	if failpointBinErr != nil {
		t.Fatal(failpointBinErr)
	}
	return failpointBin
}

// prefixStates returns the digests of the states the tenant passes through
// when the plan of dir is applied: [0] is the state before, [k] the state
// after step k. A state file after a crash must be one of them.
func prefixStates(t *testing.T, dir string) []string {
	t.Helper()
	d, err := schema.Load(dir, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	s, err := tenant.ReadState(filepath.Join(dir, defaultStateFile))
	if err != nil {
		t.Fatal(err)
	}
	p, err := apply.Build(d, s)
	if err != nil {
		t.Fatal(err)
	}
	sim := s.Clone()
	out := []string{sim.Digest()}
	for _, st := range p.Steps {
		if err := sim.Apply(st.Op); err != nil {
			t.Fatalf("step %d: %v", st.Index, err)
		}
		out = append(out, sim.Digest())
	}
	return out
}

// callopsRun runs bin with args in dir and returns stdout, stderr and the
// exit code.
func callopsRun(t *testing.T, bin, dir string, env []string, args ...string) (string, string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return stdout.String(), stderr.String(), code
}

// pausedApply starts `callops apply DIR --auto-approve` paused at the
// failpoint at (see failpoint_callops.go) and returns it once it is there.
// The caller kills it.
func pausedApply(t *testing.T, bin, work, at string, args ...string) *exec.Cmd {
	t.Helper()
	cmd, _ := startPaused(t, bin, work, at+":pause", io.Discard, nil, args...)
	return cmd
}

// startPaused starts `callops apply contoso --auto-approve` with the
// failpoint spec fp and returns it once it has reached the failpoint; its
// stdout goes to stdout, and its stderr (after the failpoint's line) is
// copied to rest when not nil, until copied is closed.
func startPaused(t *testing.T, bin, work, fp string, stdout io.Writer, rest io.Writer, args ...string) (cmd *exec.Cmd, copied <-chan struct{}) {
	t.Helper()
	at := fp[:strings.LastIndexByte(fp, ':')]
	cmd = exec.Command(bin, append([]string{"apply", "contoso", "--auto-approve"}, args...)...)
	cmd.Dir = work
	cmd.Env = append(os.Environ(), "CALLOPS_TEST_FAILPOINT="+fp)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = stdout
	if rest == nil {
		rest = io.Discard
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	r := bufio.NewReader(stderr)
	var seen strings.Builder
	for {
		line, err := r.ReadString('\n')
		seen.WriteString(line)
		if strings.HasPrefix(line, "callops-failpoint: paused at ") {
			done := make(chan struct{})
			go func() { io.Copy(rest, r); close(done) }()
			return cmd, done
		}
		if err != nil {
			cmd.Wait()
			t.Fatalf("apply did not reach failpoint %s:\n%s", at, seen.String())
		}
	}
}

// finish waits for a command started by startPaused to end: first for its
// stderr to be read to the end (Wait closes the pipe, and would lose what is
// still unread), then for its exit status. A command still running after
// limit is killed and the test fails.
func finish(t *testing.T, cmd *exec.Cmd, copied <-chan struct{}, limit time.Duration) error {
	t.Helper()
	select {
	case <-copied:
	case <-time.After(limit):
		cmd.Process.Kill()
		<-copied
		cmd.Wait()
		t.Fatalf("callops still ran %v after the signal", limit)
	}
	return cmd.Wait()
}

// kill ends cmd with SIGKILL: no deferred cleanup, no lock release.
func kill(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
}

var lockIDRE = regexp.MustCompile(`callops state unlock ([0-9a-f]+) `)

// TestCrashApply kills `callops apply` of examples/contoso at every step and
// inside the state write, then checks what an operator would do next: the
// state file parses and is the state after some prefix of the plan, the
// dead process's lock is reported with its pid and host as stale, `state
// unlock ID` releases it, `apply --resume` finishes the plan and `plan
// --detailed-exitcode` then exits 0.
func TestCrashApply(t *testing.T) {
	bin := failpointCallops(t)
	digests := prefixStates(t, copyContoso(t))
	n := len(digests) - 1
	if n < 3 {
		t.Fatalf("the contoso plan has %d steps; the test needs a few", n)
	}
	var points []string
	for k := 1; k <= n; k++ {
		points = append(points, fmt.Sprintf("before-step-%d", k), fmt.Sprintf("after-step-%d", k))
	}
	// Inside the state write (the n-th checkpoint of the apply): after
	// the journal names the new serial, half-way through the temporary
	// file, just after the rename; and after the journal is removed.
	points = append(points, "checkpoint-recorded#1", "checkpoint-recorded#3", "mid-write#1", "mid-write#2",
		fmt.Sprintf("mid-write#%d", n), "after-rename#1", fmt.Sprintf("after-rename#%d", n), "journal-removed")
	host, _ := os.Hostname()
	for _, at := range points {
		t.Run(at, func(t *testing.T) {
			t.Parallel()
			dir := copyContoso(t)
			work := filepath.Dir(dir)
			state := filepath.Join(dir, defaultStateFile)
			cmd := pausedApply(t, bin, work, at)
			pid := cmd.Process.Pid
			kill(t, cmd)

			// The state file parses and is a state the tenant passed through.
			s, err := tenant.ReadState(state)
			if err != nil {
				t.Fatalf("state after the kill: %v", err)
			}
			k := indexOfString(digests, s.Digest())
			if k < 0 {
				t.Fatalf("state after the kill at %s is not the state after any prefix of the plan", at)
			}
			// A small state is written after every step: killed at step
			// K (before it, or after it in memory only), the file holds
			// the K-1 steps before it.
			var step int
			if _, err := fmt.Sscanf(strings.TrimPrefix(strings.TrimPrefix(at, "before-"), "after-"), "step-%d", &step); err == nil && k != step-1 {
				t.Errorf("killed at %s, the state holds %d steps, want %d", at, k, step-1)
			}

			// The lock names the dead process, and says it is stale.
			_, stderr, code := callopsRun(t, bin, work, nil, "apply", "--resume", "--state", "contoso/callops.state.json")
			wantLock := fmt.Sprintf("pid %d on %s, since ", pid, host)
			if code != 1 || !strings.Contains(stderr, wantLock) || !strings.Contains(stderr, "stale? process not running") {
				t.Fatalf("resume with the dead process's lock: exit %d, stderr:\n%s\nwant %q and stale", code, stderr, wantLock)
			}
			m := lockIDRE.FindStringSubmatch(stderr)
			if m == nil {
				t.Fatalf("no unlock hint in:\n%s", stderr)
			}
			if _, stderr, code := callopsRun(t, bin, work, nil, "state", "unlock", m[1], "--state", "contoso/callops.state.json"); code != 0 {
				t.Fatalf("state unlock %s: exit %d\n%s", m[1], code, stderr)
			}

			// Resume finishes the plan (or says there is nothing to resume).
			stdout, stderr, code := callopsRun(t, bin, work, nil, "apply", "--resume", "--state", "contoso/callops.state.json")
			if code != 0 {
				t.Fatalf("apply --resume: exit %d\n%s%s", code, stdout, stderr)
			}
			if k == n && !strings.Contains(stdout, "Nothing to resume") && !strings.Contains(stdout, "Apply complete: 0 steps") {
				t.Errorf("state held every step, resume said:\n%s", stdout)
			}
			if k < n && !strings.Contains(stdout, "Resuming plan ") {
				t.Errorf("state held %d of %d steps, resume said:\n%s", k, n, stdout)
			}
			final, err := tenant.ReadState(state)
			if err != nil {
				t.Fatalf("state after resume: %v", err)
			}
			if final.Digest() != digests[n] {
				t.Errorf("state after resume is not the plan's end state")
			}
			if stdout, stderr, code := callopsRun(t, bin, work, nil, "plan", "contoso", "--detailed-exitcode"); code != 0 {
				t.Errorf("plan after resume: exit %d, want 0 (no changes)\n%s%s", code, stdout, stderr)
			}
			for _, left := range []string{".lock", ".journal"} {
				if _, err := os.Stat(state + left); err == nil {
					t.Errorf("%s left after resume", left)
				}
			}
			if tmp, _ := filepath.Glob(filepath.Join(dir, ".*.tmp-*")); len(tmp) != 0 {
				t.Errorf("temporary files left: %v", tmp)
			}
		})
	}
}

func indexOfString(list []string, v string) int {
	for i, s := range list {
		if s == v {
			return i
		}
	}
	return -1
}

// TestConcurrentApply checks that two applies of one state never both run:
// while one holds the lock (paused before its first step), a second one
// waits --lock-timeout and fails naming the holder, and changes nothing.
// After the holder is killed, the lock is reported stale with its pid and
// host; `state unlock` refuses a wrong id and releases the right one; the
// interrupted apply is resumed; `state restore` puts the state before the
// apply back.
func TestConcurrentApply(t *testing.T) {
	bin := failpointCallops(t)
	dir := copyContoso(t)
	work := filepath.Dir(dir)
	state := filepath.Join(dir, defaultStateFile)
	digests := prefixStates(t, dir)
	before, err := os.ReadFile(state)
	if err != nil {
		t.Fatal(err)
	}
	host, _ := os.Hostname()

	holder := pausedApply(t, bin, work, "before-step-1")
	_, stderr, code := callopsRun(t, bin, work, nil, "apply", "contoso", "--auto-approve", "--lock-timeout", "1s")
	want := "callops: state contoso/callops.state.json is locked: state is locked by apply (lock id "
	if code != 1 || !strings.Contains(stderr, want) || !strings.Contains(stderr, fmt.Sprintf("pid %d on %s", holder.Process.Pid, host)) {
		t.Fatalf("second apply: exit %d, stderr:\n%s\nwant the holder (pid %d on %s) named", code, stderr, holder.Process.Pid, host)
	}
	if strings.Contains(stderr, "stale") {
		t.Errorf("a running holder is reported stale:\n%s", stderr)
	}
	if after, _ := os.ReadFile(state); !bytes.Equal(after, before) {
		t.Error("the state changed while the first apply was paused before its first step")
	}

	kill(t, holder)
	_, stderr, code = callopsRun(t, bin, work, nil, "apply", "contoso", "--auto-approve")
	if code != 1 || !strings.Contains(stderr, fmt.Sprintf("pid %d on %s", holder.Process.Pid, host)) || !strings.Contains(stderr, "stale? process not running") {
		t.Fatalf("apply after the holder died: exit %d, stderr:\n%s\nwant a stale lock of pid %d", code, stderr, holder.Process.Pid)
	}
	m := lockIDRE.FindStringSubmatch(stderr)
	if m == nil {
		t.Fatalf("no unlock hint in:\n%s", stderr)
	}
	if _, stderr, code := callopsRun(t, bin, work, nil, "state", "unlock", "0123456789abcdef", "--state", "contoso/callops.state.json"); code != 1 || !strings.Contains(stderr, "lock id does not match") {
		t.Errorf("unlock with a wrong id: exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(state + ".lock"); err != nil {
		t.Fatalf("a wrong id released the lock: %v", err)
	}
	if _, stderr, code := callopsRun(t, bin, work, nil, "state", "unlock", m[1], "--state", "contoso/callops.state.json"); code != 0 {
		t.Fatalf("unlock %s: exit %d\n%s", m[1], code, stderr)
	}

	// The killed apply journaled its plan: a new apply is refused until it
	// is resumed.
	_, stderr, code = callopsRun(t, bin, work, nil, "apply", "contoso", "--auto-approve")
	if code != 1 || !strings.Contains(stderr, "did not finish") {
		t.Errorf("apply over an unfinished journal: exit %d\n%s", code, stderr)
	}
	if stdout, stderr, code := callopsRun(t, bin, work, nil, "apply", "--resume", "--state", "contoso/callops.state.json", "-v"); code != 0 || !strings.Contains(stdout, "      > ") {
		t.Fatalf("resume: exit %d (want 0 and cmdlet lines)\n%s%s", code, stdout, stderr)
	}
	if stdout, stderr, code := callopsRun(t, bin, work, nil, "plan", "contoso", "--detailed-exitcode"); code != 0 {
		t.Fatalf("plan after resume: exit %d\n%s%s", code, stdout, stderr)
	}

	// state restore puts back the state before the apply.
	if _, stderr, code := callopsRun(t, bin, work, nil, "state", "restore", "--state", "contoso/callops.state.json"); code != 0 {
		t.Fatalf("state restore: exit %d\n%s", code, stderr)
	}
	s, err := tenant.ReadState(state)
	if err != nil {
		t.Fatal(err)
	}
	if s.Digest() != digests[0] {
		t.Error("state restore did not put back the state before the apply")
	}
	if _, _, code := callopsRun(t, bin, work, nil, "plan", "contoso", "--detailed-exitcode"); code != 2 {
		t.Errorf("plan after restore: exit %d, want 2", code)
	}
}

// TestInterruptApply sends SIGINT to `callops apply` while step 2 is in
// progress: the step finishes, the apply stops before step 3 with exit 1
// and says how to finish, the lock is released, the journal kept, the
// state holds exactly two steps, and `apply --resume` finishes the plan.
func TestInterruptApply(t *testing.T) {
	bin := failpointCallops(t)
	dir := copyContoso(t)
	digests := prefixStates(t, dir)
	n := len(digests) - 1
	if n < 3 {
		t.Fatalf("the contoso plan has %d steps; the test needs three", n)
	}
	work := filepath.Dir(dir)
	state := filepath.Join(dir, defaultStateFile)
	var stdout, stderr bytes.Buffer
	cmd, copied := startPaused(t, bin, work, "before-step-2:sleep", &stdout, &stderr)
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := finish(t, cmd, copied, 20*time.Second)
	code := -1
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	}
	for _, want := range []string{
		"callops: interrupt: stopping after the step in progress",
		fmt.Sprintf("callops: apply stopped after step 2 of %d: interrupted (interrupt)\n", n),
		"hint: 2 steps before it were applied and saved; finish the plan with 'callops apply --resume --state contoso/callops.state.json'",
	} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
		}
	}
	if code != 1 {
		t.Errorf("exit %d (%v), want 1", code, err)
	}
	if !strings.Contains(stdout.String(), fmt.Sprintf("[2/%d] ok", n)) || strings.Contains(stdout.String(), fmt.Sprintf("[3/%d]", n)) {
		t.Errorf("progress shows other steps than 1 and 2:\n%s", stdout.String())
	}
	if _, err := os.Stat(state + ".lock"); err == nil {
		t.Error("the lock is left after an interrupted apply")
	}
	if _, err := os.Stat(state + ".journal"); err != nil {
		t.Errorf("no journal to resume from: %v", err)
	}
	s, err := tenant.ReadState(state)
	if err != nil {
		t.Fatal(err)
	}
	if s.Digest() != digests[2] {
		t.Errorf("the state is not the state after steps 1 and 2 (step %d of the plan)", indexOfString(digests, s.Digest()))
	}
	out, errOut, code := callopsRun(t, bin, work, nil, "apply", "--resume", "--state", "contoso/callops.state.json")
	if code != 0 || !strings.Contains(out, "Resuming plan ") {
		t.Fatalf("apply --resume: exit %d\n%s%s", code, out, errOut)
	}
	if final, err := tenant.ReadState(state); err != nil || final.Digest() != digests[n] {
		t.Errorf("after resume the state is not the plan's end state (%v)", err)
	}
}

// TestInterruptBeforeSteps: a signal before the steps start (planning, the
// approval prompt) releases the lock and ends callops, saying nothing was
// applied; once the steps run, it ends the context instead.
func TestInterruptBeforeSteps(t *testing.T) {
	exited := make(chan struct{})
	orig := exitInterrupted
	exitInterrupted = func() { close(exited) }
	t.Cleanup(func() { exitInterrupted = orig })

	var stderr syncBuffer
	released := false
	in := catchInterrupts(&stderr, "nothing was applied")
	in.holding(func() { released = true })
	defer in.stop()
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-exited:
	case <-time.After(10 * time.Second):
		t.Fatal("no exit after SIGINT before the steps")
	}
	in.mu.Lock() // the handler has finished
	in.mu.Unlock()
	if !released || !strings.Contains(stderr.String(), "callops: interrupt: nothing was applied") {
		t.Errorf("released %v, stderr %q", released, stderr.String())
	}

	in2 := catchInterrupts(&stderr, "nothing was applied")
	in2.holding(func() { t.Error("released while steps run") })
	defer in2.stop()
	ctx := in2.steps()
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("the steps' context did not end at SIGTERM")
	}
	if cause := context.Cause(ctx); cause == nil || cause.Error() != "interrupted (terminated)" {
		t.Errorf("cause %v, want interrupted (terminated)", cause)
	}
}

// syncBuffer is a bytes.Buffer safe for the handler's goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestInterruptAfterStop: once the command stopped the handler (it is
// returning and closes the backend itself), a signal that was already on
// its way does not release the backend a second time.
func TestInterruptAfterStop(t *testing.T) {
	orig := exitInterrupted
	exitInterrupted = func() { t.Error("exit after stop") }
	t.Cleanup(func() { exitInterrupted = orig })
	var mu sync.Mutex
	released := false
	in := catchInterrupts(io.Discard, "nothing was applied")
	in.holding(func() { mu.Lock(); released = true; mu.Unlock() })
	in.stop()
	in.sig <- os.Interrupt // as if it had arrived just before stop
	time.Sleep(50 * time.Millisecond)
	mu.Lock()
	defer mu.Unlock()
	if released {
		t.Error("the backend was released after stop")
	}
}

// TestInterruptLockWait: Ctrl-C while apply waits for another holder's lock
// (--lock-timeout) ends it at once with status 130, saying nothing was
// applied, and leaves the other holder's lock alone.
func TestInterruptLockWait(t *testing.T) {
	bin := failpointCallops(t)
	dir := copyContoso(t)
	work := filepath.Dir(dir)
	lock := filepath.Join(dir, defaultStateFile) + ".lock"
	host, _ := os.Hostname()
	held := fmt.Sprintf(`{"id":"feed01","pid":%d,"host":%q,"operation":"apply","time":"2026-01-02T03:04:05Z"}`, os.Getpid(), host)
	if err := os.WriteFile(lock, []byte(held), 0o644); err != nil {
		t.Fatal(err)
	}
	// The failpoint says when apply is waiting: a fixed sleep could signal a
	// process that has not yet installed its handler on a loaded machine.
	var stderr syncBuffer
	cmd, copied := startPaused(t, bin, work, "lock-wait:sleep", io.Discard, &stderr, "--lock-timeout", "60s")
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	err := finish(t, cmd, copied, 20*time.Second)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 130 {
		t.Errorf("exit %v, want status 130", err)
	}
	if !strings.Contains(stderr.String(), "callops: interrupt: nothing was applied") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if got, err := os.ReadFile(lock); err != nil || string(got) != held {
		t.Errorf("the other holder's lock was changed: %q, %v", got, err)
	}
}
