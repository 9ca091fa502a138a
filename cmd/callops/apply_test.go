package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callops/callops/apply"
	"github.com/callops/callops/tenant"
)

// copyContoso copies the shipped example into a new directory.
func copyContoso(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "contoso")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	src := filepath.Join("..", "..", "examples", "contoso")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type result struct {
	code           int
	stdout, stderr string
}

func callops(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(append([]string{"callops"}, args...), strings.NewReader(""), &out, &errb)
	return result{code, out.String(), errb.String()}
}

func (r result) must(t *testing.T, code int, stdout, stderr []string) {
	t.Helper()
	if r.code != code {
		t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, code, r.stdout, r.stderr)
	}
	for _, s := range stdout {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
		}
	}
	for _, s := range stderr {
		if !strings.Contains(r.stderr, s) {
			t.Errorf("stderr lacks %q:\n%s", s, r.stderr)
		}
	}
}

// A step the service refuses stops the apply, naming the step and the
// service's reason; the steps before it are saved. The next apply drops the
// refused apply's journal and finishes the job.
func TestApplyRefusedStep(t *testing.T) {
	dir := copyContoso(t)
	state := filepath.Join(dir, defaultStateFile)
	planFile := filepath.Join(t.TempDir(), "plan.json")
	callops(t, "plan", dir, "--out", planFile).must(t, 0, nil, nil)
	p, err := apply.Load(planFile)
	if err != nil {
		t.Fatal(err)
	}
	total := len(p.Steps)
	if total < 3 {
		t.Fatalf("the example's plan has %d steps; this test needs 3", total)
	}
	// The service refuses to delete a policy that does not exist.
	p.Steps[1].Op = tenant.Op{Action: tenant.PolicyDelete, Policy: "Nowhere"}
	if err := apply.Save(planFile, p); err != nil {
		t.Fatal(err)
	}
	// apply refuses such a file before its first step (apply_tampered.txtar);
	// let it through to see what a refusal by the service itself does.
	verifySavedPlan = func(*tenant.Snapshot, []apply.Step) error { return nil }
	defer func() { verifySavedPlan = apply.VerifySteps }()
	r := callops(t, "apply", planFile)
	r.must(t, 1, []string{"ok     ", "FAILED - policy.delete Nowhere"},
		[]string{"callops: apply stopped: step 2 of", "(policy.delete Nowhere) was refused: ", "hint: "})
	if strings.Contains(r.stdout, "Apply complete") {
		t.Error("a failed apply says it is complete")
	}
	if _, err := os.Stat(state + ".journal"); err != nil {
		t.Errorf("no journal after a refused step: %v", err)
	}
	if _, err := os.Stat(state + ".lock"); err == nil {
		t.Error("the lock is left after a refused step")
	}
	s, err := readState(state)
	if err != nil {
		t.Fatal(err)
	}
	if s.Serial == p.State.Serial {
		t.Error("the step before the refused one was not saved")
	}

	// Resuming repeats the refusal.
	callops(t, "apply", "--resume", "--state", state).must(t, 1, []string{"Resuming plan sha256:"}, []string{"was refused"})

	// A new apply drops the journal, with a note, and reaches the desired state.
	callops(t, "apply", dir, "--auto-approve").must(t, 0, []string{"Apply complete: "}, []string{"note: dropped the journal of an earlier apply that stopped at step 2 of"})
	callops(t, "plan", dir, "--detailed-exitcode").must(t, 0, []string{apply.NoChanges}, nil)
}

// interruptedApply leaves the state of dir as an apply of its plan leaves
// it when it stops after done steps without finishing (what a kill leaves,
// once the lock is gone), and returns the plan's id and step count.
func interruptedApply(t *testing.T, dir string, done int) (id string, total int) {
	t.Helper()
	state := filepath.Join(dir, defaultStateFile)
	planFile := filepath.Join(t.TempDir(), "plan.json")
	callops(t, "plan", dir, "--out", planFile).must(t, 0, nil, nil)
	p, err := apply.Load(planFile)
	if err != nil {
		t.Fatal(err)
	}
	total = len(p.Steps)
	if total <= done {
		t.Fatalf("the example's plan has %d steps; this test needs more than %d", total, done)
	}
	b, err := tenant.OpenFile(state, tenant.FileOptions{Operation: "apply"})
	if err != nil {
		t.Fatal(err)
	}
	if id, err = apply.PlanID(p); err != nil {
		t.Fatal(err)
	}
	ops := make([]tenant.Op, total)
	for i, s := range p.Steps {
		ops[i] = s.Op
	}
	if err := b.Begin(id, ops); err != nil {
		t.Fatal(err)
	}
	for _, op := range ops[:done] {
		if err := b.Apply(op); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	return id, total
}

// An apply interrupted after some steps is finished by apply --resume; until
// then a new apply is refused.
func TestApplyResume(t *testing.T) {
	dir := copyContoso(t)
	id, _ := interruptedApply(t, dir, 3)
	callops(t, "apply", dir, "--auto-approve").must(t, 1, nil,
		[]string{"did not finish (3 of ", "hint: finish it with 'callops apply --resume"})
	callops(t, "apply", "--resume", dir).must(t, 0,
		[]string{"Resuming plan " + id[:len("sha256:")+12] + ": 3 of ", "] ok ", "Apply complete: "}, nil)
	callops(t, "plan", dir, "--detailed-exitcode").must(t, 0, []string{apply.NoChanges}, nil)
	callops(t, "apply", "--resume", dir).must(t, 0, []string{"Nothing to resume: "}, nil)
}

// state discard-journal drops an unfinished apply: the state keeps the steps
// it holds, and a new plan does the rest.
func TestDiscardJournal(t *testing.T) {
	dir := copyContoso(t)
	state := filepath.Join(dir, defaultStateFile)
	_, total := interruptedApply(t, dir, 2)
	callops(t, "state", "discard-journal", "--state", state).must(t, 0, []string{"Dropped the journal of an unfinished apply"}, nil)
	if _, err := os.Stat(state + ".journal"); err == nil {
		t.Error("the journal is still there")
	}
	callops(t, "apply", "--resume", dir).must(t, 0, []string{"Nothing to resume: "}, nil)
	r := callops(t, "plan", dir, "--detailed-exitcode")
	r.must(t, 2, []string{"Plan: "}, nil)
	if strings.Contains(r.stdout, fmt.Sprintf("Plan: %d steps", total)) {
		t.Errorf("the new plan redoes the %d steps the state holds:\n%s", 2, r.stdout)
	}
	callops(t, "state", "discard-journal", "--state", state).must(t, 0, []string{"has no unfinished apply"}, nil)
}
