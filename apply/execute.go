package apply

import (
	"context"
	"errors"
	"fmt"

	"github.com/callops/callops/tenant"
)

// Backend is what Execute needs of a backend: carry out one operation, or
// refuse it with the service's reason (a *tenant.RefusedError). Every tenant
// backend satisfies it; backends never see the plan's ordering.
type Backend interface {
	Apply(op tenant.Op) error
}

// JournalBackend is a Backend that journals a plan before running it (the
// file backend), so that a crash can be resumed.
type JournalBackend interface {
	Backend
	// Begin records that the plan planID, made of ops, starts.
	Begin(planID string, ops []tenant.Op) error
}

// ExecError reports the step at which Execute stopped: the step (index,
// action and operation), how many steps before it were applied, and the
// backend's error (a *tenant.RefusedError carries the service's reason).
type ExecError struct {
	Step    Step
	Applied int // steps of the plan applied before Step
	Total   int // steps in the plan
	Err     error
}

func (e *ExecError) Error() string {
	what := "failed"
	reason := e.Err.Error()
	var re *tenant.RefusedError
	if errors.As(e.Err, &re) {
		what, reason = "was refused", re.Reason
	}
	return fmt.Sprintf("step %d of %d (%s %s) %s: %s", e.Step.Index, e.Total, e.Step.Op.Action, stepLineOf(e.Step).object, what, reason)
}

func (e *ExecError) Unwrap() error { return e.Err }

// StoppedError reports that Execute or Resume stopped between two steps
// because its context ended (the user interrupted callops): Applied steps of
// Total were carried out, and none after them.
type StoppedError struct {
	Applied int
	Total   int
	Cause   error // context.Cause of the context
	// NotStarted: the context had ended before the plan was journaled;
	// nothing was written and there is nothing to resume.
	NotStarted bool
}

func (e *StoppedError) Error() string {
	return fmt.Sprintf("stopped after step %d of %d: %v", e.Applied, e.Total, e.Cause)
}

func (e *StoppedError) Unwrap() error { return e.Cause }

// Execute runs p's steps in order through b and stops at the first step that
// fails, returning an *ExecError naming it. progress, when not nil, is called
// after every step with the step and its error (nil on success). When b
// journals (JournalBackend), the plan is journaled before the first step so
// that an interrupted apply can be resumed. A plan without steps does
// nothing.
func Execute(p *Plan, b Backend, progress func(Step, error)) error {
	return ExecuteContext(context.Background(), p, b, progress)
}

// ExecuteContext is Execute, stopping between steps once ctx ends (a
// *StoppedError): a step in progress is never cut short.
func ExecuteContext(ctx context.Context, p *Plan, b Backend, progress func(Step, error)) error {
	if !p.HasChanges() {
		return nil
	}
	if ctx.Err() != nil {
		return &StoppedError{Total: len(p.Steps), Cause: context.Cause(ctx), NotStarted: true}
	}
	if jb, ok := b.(JournalBackend); ok {
		id, err := PlanID(p)
		if err != nil {
			return err
		}
		ops := make([]tenant.Op, len(p.Steps))
		for i, s := range p.Steps {
			ops[i] = s.Op
		}
		if err := jb.Begin(id, ops); err != nil {
			return fmt.Errorf("journaling the plan: %w", err)
		}
	}
	return run(ctx, p.Steps, 0, len(p.Steps), b, progress)
}

// run applies steps; done steps of total were applied before them.
func run(ctx context.Context, steps []Step, done, total int, b Backend, progress func(Step, error)) error {
	for i, s := range steps {
		if ctx.Err() != nil {
			return &StoppedError{Applied: done + i, Total: total, Cause: context.Cause(ctx)}
		}
		err := b.Apply(s.Op)
		if progress != nil {
			progress(s, err)
		}
		if err != nil {
			return &ExecError{Step: s, Applied: done + i, Total: total, Err: err}
		}
	}
	return nil
}

// ResumeBackend is a backend that journals plans and can continue one that
// was interrupted (the file backend).
type ResumeBackend interface {
	Backend
	// Pending returns the unfinished apply, nil when there is none.
	Pending() (*tenant.Journal, error)
	// Resume makes the Apply calls that follow the steps of j from
	// j.Ops[j.Done] on.
	Resume(j *tenant.Journal) error
}

// Resume continues the unfinished apply j (from b.Pending()): it carries out
// the journal's operations from the first one the state does not cover, in
// order, and stops at the first failure with an *ExecError, as Execute does.
// Steps passed to progress carry their 1-based index in the journaled plan
// and no reason (the journal keeps operations only).
func Resume(b ResumeBackend, j *tenant.Journal, progress func(Step, error)) error {
	return ResumeContext(context.Background(), b, j, progress)
}

// ResumeContext is Resume, stopping between steps once ctx ends (a
// *StoppedError).
func ResumeContext(ctx context.Context, b ResumeBackend, j *tenant.Journal, progress func(Step, error)) error {
	if err := b.Resume(j); err != nil {
		return err
	}
	steps := make([]Step, 0, len(j.Ops)-j.Done)
	for i := j.Done; i < len(j.Ops); i++ {
		steps = append(steps, Step{Index: i + 1, Op: j.Ops[i]})
	}
	return run(ctx, steps, j.Done, len(j.Ops), b, progress)
}
