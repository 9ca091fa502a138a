package apply

import (
	"context"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/tenant"
)

// fakeBackend records operations and refuses the op at index refuse (0-based,
// -1: none), as the service would.
type fakeBackend struct {
	applied []tenant.Op
	refuse  int
	begun   []string
	ops     int
}

func (b *fakeBackend) Apply(op tenant.Op) error {
	if len(b.applied) == b.refuse {
		return &tenant.RefusedError{Op: op, Rule: "number-held", Reason: "+14255556677 is an emergency number of policy Redmond"}
	}
	b.applied = append(b.applied, op)
	return nil
}

type journalBackend struct{ fakeBackend }

func (b *journalBackend) Begin(id string, ops []tenant.Op) error {
	b.begun = append(b.begun, id)
	b.ops = len(ops)
	return nil
}

func TestExecute(t *testing.T) {
	p := samplePlan()
	b := &fakeBackend{refuse: -1}
	var seen []int
	err := Execute(p, b, func(s Step, err error) {
		if err != nil {
			t.Errorf("progress got error %v", err)
		}
		seen = append(seen, s.Index)
	})
	if err != nil {
		t.Fatal(err)
	}
	var want []tenant.Op
	var wantIdx []int
	for _, s := range p.Steps {
		want = append(want, s.Op)
		wantIdx = append(wantIdx, s.Index)
	}
	if diff := cmp.Diff(want, b.applied); diff != "" {
		t.Errorf("applied ops (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(wantIdx, seen); diff != "" {
		t.Errorf("progress (-want +got):\n%s", diff)
	}
}

func TestExecuteStopsAtRefusal(t *testing.T) {
	p := samplePlan()
	b := &fakeBackend{refuse: 1}
	var last error
	calls := 0
	err := Execute(p, b, func(s Step, err error) { calls++; last = err })
	var ee *ExecError
	if !errors.As(err, &ee) {
		t.Fatalf("got %v, want an *ExecError", err)
	}
	want := "step 2 of 13 (number.assign +14255556677) was refused: +14255556677 is an emergency number of policy Redmond"
	if diff := cmp.Diff(want, err.Error()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if ee.Applied != 1 || len(b.applied) != 1 || calls != 2 || last == nil {
		t.Errorf("applied %d (backend %d), %d progress calls, last error %v; want 1, 1, 2, the refusal", ee.Applied, len(b.applied), calls, last)
	}
	var re *tenant.RefusedError
	if !errors.As(err, &re) {
		t.Error("the service's *tenant.RefusedError is not wrapped")
	}
}

func TestExecuteJournals(t *testing.T) {
	p := samplePlan()
	b := &journalBackend{fakeBackend{refuse: -1}}
	if err := Execute(p, b, nil); err != nil {
		t.Fatal(err)
	}
	id, _ := PlanID(p)
	if diff := cmp.Diff([]string{id}, b.begun); diff != "" {
		t.Errorf("Begin calls (-want +got):\n%s", diff)
	}
	if b.ops != len(p.Steps) {
		t.Errorf("journal got %d ops, want %d", b.ops, len(p.Steps))
	}
	// An empty plan journals nothing.
	b2 := &journalBackend{fakeBackend{refuse: -1}}
	if err := Execute(&Plan{}, b2, nil); err != nil || len(b2.begun) != 0 {
		t.Errorf("empty plan: err %v, %d Begin calls", err, len(b2.begun))
	}
}

// resumeBackend is a journalBackend with an unfinished journal.
type resumeBackend struct {
	journalBackend
	resumed *tenant.Journal
}

func (b *resumeBackend) Pending() (*tenant.Journal, error) { return nil, nil }
func (b *resumeBackend) Resume(j *tenant.Journal) error {
	b.resumed = j
	return nil
}

func TestResume(t *testing.T) {
	p := samplePlan()
	ops := make([]tenant.Op, len(p.Steps))
	for i, s := range p.Steps {
		ops[i] = s.Op
	}
	j := &tenant.Journal{PlanID: "sha256:1", Ops: ops, Done: 10}
	b := &resumeBackend{journalBackend: journalBackend{fakeBackend{refuse: -1}}}
	var seen []int
	if err := Resume(b, j, func(s Step, err error) { seen = append(seen, s.Index) }); err != nil {
		t.Fatal(err)
	}
	if b.resumed != j {
		t.Error("the backend was not told to resume the journal")
	}
	if diff := cmp.Diff(ops[10:], b.applied); diff != "" {
		t.Errorf("applied (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]int{11, 12, 13}, seen); diff != "" {
		t.Errorf("progress indexes (-want +got):\n%s", diff)
	}

	// A refusal names the step's index in the journaled plan.
	b = &resumeBackend{journalBackend: journalBackend{fakeBackend{refuse: 1}}}
	err := Resume(b, j, nil)
	var ee *ExecError
	if !errors.As(err, &ee) || ee.Step.Index != 12 || ee.Applied != 11 || ee.Total != 13 {
		t.Errorf("got %v, want an *ExecError at step 12 after 11 of 13", err)
	}
}

func TestExecErrorNotRefused(t *testing.T) {
	e := &ExecError{Step: Step{Index: 3, Op: tenant.Op{Action: tenant.PolicyDelete, Policy: "Old"}}, Total: 4, Err: errors.New("writing state: disk full")}
	want := "step 3 of 4 (policy.delete Old) failed: writing state: disk full"
	if diff := cmp.Diff(want, e.Error()); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

// TestExecuteContextStopsBetweenSteps: once the context ends (Ctrl-C), the
// step in progress finishes and no later step starts; the error says how
// many were applied and why.
func TestExecuteContextStopsBetweenSteps(t *testing.T) {
	p := samplePlan()
	b := &fakeBackend{refuse: -1}
	ctx, cancel := context.WithCancelCause(context.Background())
	interrupt := errors.New("interrupted (interrupt)")
	err := ExecuteContext(ctx, p, b, func(s Step, err error) {
		if s.Index == 3 {
			cancel(interrupt) // during step 3: it is done, step 4 is not started
		}
	})
	var se *StoppedError
	if !errors.As(err, &se) || se.Applied != 3 || se.Total != len(p.Steps) || !errors.Is(err, interrupt) {
		t.Fatalf("ExecuteContext = %v, want stopped after 3 of %d by the interrupt", err, len(p.Steps))
	}
	if len(b.applied) != 3 {
		t.Errorf("backend applied %d steps, want 3", len(b.applied))
	}
	if want := "stopped after step 3 of 13: interrupted (interrupt)"; err.Error() != want {
		t.Errorf("message %q, want %q", err.Error(), want)
	}
}

// TestExecuteContextNotStarted: a context that ended before the plan is
// journaled writes no journal and applies nothing.
func TestExecuteContextNotStarted(t *testing.T) {
	p := samplePlan()
	b := &journalBackend{fakeBackend{refuse: -1}}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := ExecuteContext(ctx, p, b, nil)
	var se *StoppedError
	if !errors.As(err, &se) || !se.NotStarted || se.Applied != 0 {
		t.Fatalf("ExecuteContext = %v, want stopped, not started", err)
	}
	if len(b.begun) != 0 || len(b.applied) != 0 {
		t.Errorf("journaled %v and applied %d steps, want neither", b.begun, len(b.applied))
	}
}
