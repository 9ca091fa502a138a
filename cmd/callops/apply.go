package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/apply"
	"github.com/callops/callops/tenant"
)

func init() { register(applyCommand) }

// backendNames are the values of apply --backend.
var backendNames = []string{"file", powershellBackend} // powershell: powershell.go

func applyCommand() *cli.Command {
	// plan's flags but --detailed-exitcode: apply has no "changes
	// pending" outcome to report.
	var flags []cli.Flag
	for _, f := range planFlags() {
		if f.Names()[0] != "detailed-exitcode" {
			flags = append(flags, f)
		}
	}
	flags = append(flags,
		&cli.BoolFlag{Name: "auto-approve", Usage: "apply a plan of DIR without asking"},
		&cli.DurationFlag{Name: "lock-timeout", Value: 0, Usage: "wait up to `D` (e.g. 30s) for another callops to release the state lock"},
		&cli.BoolFlag{Name: "resume", Usage: "finish the steps of an apply that was interrupted (from the state's journal)"},
		&cli.StringFlag{Name: "backend", Value: "file", Usage: "where to apply: file (the state file is the tenant) or powershell (write a script, see --script)"},
		&cli.BoolFlag{Name: "allow-dirty", Usage: "apply a plan file made from a work tree with uncommitted changes"},
		&cli.BoolFlag{Name: "allow-other-commit", Usage: "apply a plan file made at another commit than HEAD"},
	)
	flags = append(flags, powershellFlags()...) // --script, --rollback-script, --execute (powershell.go)
	return &cli.Command{
		Name:      "apply",
		Usage:     "carry out a plan against the tenant",
		ArgsUsage: "[PLANFILE|DIR]",
		Description: "apply DIR (default .) plans as 'callops plan DIR' does, shows the plan and asks for 'yes'\n" +
			"(--auto-approve skips the question). apply PLANFILE carries out a plan saved by\n" +
			"'callops plan --out' without asking; it refuses a plan whose state changed since (stale).\n" +
			"The state of a plan file is --state FILE, else $CALLOPS_STATE, else callops.state.json in\n" +
			"the plan's source directory.\n\n" +
			"The file backend locks the state, journals the plan and each step, writes the state\n" +
			"atomically and bumps its serial. --resume finishes an interrupted apply. Ctrl-C stops after\n" +
			"the step in progress (a second one at once); the state keeps every step done.\n\n" +
			"Exit status: 0 success; 1 error (stale plan, lock held, a step refused, interrupted during\n" +
			"the steps); 130 interrupted before the first step (nothing was applied).",
		Flags: flags,
		Action: func(c *cli.Context) error {
			o, err := applyOptionsFrom(c)
			if err != nil {
				return err
			}
			return runApply(c.App.Reader, c.App.Writer, c.App.ErrWriter, o)
		},
	}
}

// applyOptions are apply's flags as plain values.
type applyOptions struct {
	plan        planOptions // DIR (plan.dir) and plan's flags
	planFile    string      // PLANFILE; empty: plan DIR
	autoApprove bool
	lockTimeout time.Duration
	resume      bool
	backend     string
	commit      apply.CommitOptions
	ps          psOptions // --backend powershell (powershell.go)
}

func applyOptionsFrom(c *cli.Context) (applyOptions, error) {
	po, err := planOptionsFrom(c)
	if err != nil {
		return applyOptions{}, err
	}
	po.source.noCache = true // apply evaluates the files itself (source.go)
	o := applyOptions{
		plan:        po,
		autoApprove: c.Bool("auto-approve"),
		lockTimeout: c.Duration("lock-timeout"),
		resume:      c.Bool("resume"),
		backend:     c.String("backend"),
		commit:      apply.CommitOptions{AllowDirty: c.Bool("allow-dirty"), AllowOtherCommit: c.Bool("allow-other-commit")},
	}
	if !oneOf(backendNames, o.backend) {
		return o, withHint(fmt.Errorf("unknown backend %q", o.backend), "use --backend "+strings.Join(backendNames, " or "))
	}
	if o.ps, err = psOptionsFrom(c, o.backend); err != nil { // powershell.go
		return o, err
	}
	if o.lockTimeout < 0 {
		return o, withHint(errors.New("--lock-timeout is negative"), "use a duration such as 30s")
	}
	if c.NArg() == 1 {
		fi, err := os.Stat(po.dir)
		if err != nil {
			return o, withHint(fmt.Errorf("reading %s: %w", po.dir, err), "apply takes a plan file (callops plan --out) or a directory of .cue files")
		}
		if !fi.IsDir() {
			o.planFile, o.plan.dir = po.dir, ""
		}
	}
	if o.resume && o.planFile != "" {
		return o, withHint(errors.New("--resume takes no plan file"), "the journal in the state file says what is left to do: callops apply --resume --state FILE")
	}
	if o.resume {
		// --resume writes no plan: it prints the steps it finishes as
		// text. A pipeline that asked for JSON or a saved plan would
		// otherwise get progress lines, or nothing, without a word.
		for _, name := range []string{"out", "format"} {
			if c.IsSet(name) && !(name == "format" && o.plan.format == "text") {
				return o, withHint(fmt.Errorf("--resume does not take --%s: it saves no plan and reports the steps it finishes as text", name),
					"callops apply --resume --state FILE; 'callops plan' afterwards shows what is left, in any format")
			}
		}
	}
	return o, nil
}

// openBackend opens the backend named by o.backend on the state file.
// Backends are chosen here only: a new one (powershell) adds a case.
func openBackend(o applyOptions, file string) (tenant.Backend, error) {
	switch o.backend {
	case "file":
		b, err := tenant.OpenFile(file, tenant.FileOptions{Operation: "apply", LockTimeout: o.lockTimeout})
		if err != nil {
			return nil, openError(file, err)
		}
		return b, nil
	}
	return nil, fmt.Errorf("unknown backend %q", o.backend)
}

// openError explains why the state could not be opened: a lock held by
// another callops (with the way out), or a state that does not parse.
func openError(file string, err error) error {
	var le *tenant.LockHeldError
	if errors.As(err, &le) && le.ID == "" {
		// A lock file cut short (a callops killed while writing it)
		// has no id: tenant.Unlock removes it with the empty id.
		return withHint(fmt.Errorf("state %s is locked: lock file %s is unreadable", filepath.ToSlash(file), filepath.ToSlash(le.Path)),
			fmt.Sprintf("if no callops is running: callops state unlock '' --state %s", file))
	}
	if errors.As(err, &le) && le.Stale {
		// The holder was on this host and is gone (killed, or the machine
		// restarted): nothing will release the lock but the user.
		return withHint(fmt.Errorf("state %s is locked: %w", filepath.ToSlash(file), err),
			fmt.Sprintf("release it: callops state unlock %s --state %s; then 'callops apply --resume' finishes an apply it interrupted", le.ID, file))
	}
	if errors.As(err, &le) {
		return withHint(fmt.Errorf("state %s is locked: %w", filepath.ToSlash(file), err),
			fmt.Sprintf("wait for it to finish (--lock-timeout), or if no callops is running: callops state unlock %s --state %s", le.ID, file))
	}
	return stateError(file, err)
}

func runApply(stdin io.Reader, stdout, stderr io.Writer, o applyOptions) (err error) {
	if o.backend == powershellBackend { // powershell.go
		return runApplyPowerShell(stdin, stdout, stderr, o)
	}
	if o.resume {
		return runResume(stdout, stderr, o)
	}
	var file string
	var p *apply.Plan
	if o.planFile != "" {
		if p, err = apply.Load(o.planFile); err != nil {
			return withHint(err, "apply takes a plan file written by 'callops plan --out PLANFILE', or a directory")
		}
		file = stateFile(filepath.FromSlash(p.Source.Dir), o.plan.state)
	} else {
		file = stateFile(o.plan.dir, o.plan.state)
	}
	// Signals are caught from before the lock is taken (a wait for
	// another holder, --lock-timeout, can be interrupted) until the
	// state is closed (interrupt.go).
	in := catchInterrupts(stderr, "nothing was applied")
	defer in.stop()
	b, err := openBackend(o, file)
	if err != nil {
		return err
	}
	in.holding(func() { b.Close() })
	defer func() { in.stop(); closeBackend(b, &err) }()
	if err := checkJournal(stderr, b, file); err != nil {
		return err
	}
	s := b.Current()
	// With --format json or markdown, stdout holds the plan document
	// alone; the prompt, the progress and the summary line go to stderr.
	say := stdout
	if o.plan.format != "text" {
		say = stderr
	}

	if p != nil {
		// A saved plan is applied as it is: no second diff, only the
		// checks that it still describes this state and this source.
		if err := apply.CheckStale(p, s); err != nil {
			return withHint(err, "run 'callops plan --out PLANFILE' again and review the new plan")
		}
		head, _ := sourceCommit(p.Source.Dir)
		if err := apply.CheckCommit(p, head, o.commit); err != nil {
			return withHint(err, "plan again from the commit you mean to apply (or --allow-dirty / --allow-other-commit)")
		}
		if err := checkThresholds(p, s, o.plan.force); err != nil {
			return err
		}
		// DESIGN.md section 5: a plan is simulated before it is applied.
		// A saved plan that fails was edited or corrupted after plan
		// made it; refuse it before its first step.
		if err := verifySavedPlan(s, p.Steps); err != nil {
			var ve *apply.VerifyError
			if errors.As(err, &ve) {
				err = fmt.Errorf("plan file %s fails verification at step %d (%s): %s", o.planFile, ve.Step, ve.Rule, ve.Message)
			}
			return withHint(err, "the plan file was changed after 'callops plan' wrote it; plan again and review the new plan")
		}
	} else {
		if p, err = makePlan(stderr, o.plan, s); err != nil {
			return err
		}
		if err := writePlan(stdout, o.plan, p); err != nil {
			return err
		}
		if err := checkThresholds(p, s, o.plan.force); err != nil {
			return err
		}
		if o.plan.out != "" {
			// A record of what was approved, in the format of plan --out.
			if err := checkOverwrite("--out", o.plan.out, apply.PlanFormat); err != nil { // overwrite.go
				return err
			}
			if err := apply.Save(o.plan.out, p); err != nil {
				return err
			}
		}
		if !p.HasChanges() {
			return nil
		}
		if !o.autoApprove {
			if err := confirm(stdin, say, len(p.Steps)); err != nil {
				return err
			}
		}
	}
	if !p.HasChanges() {
		fmt.Fprintln(say, apply.NoChanges)
		return nil
	}
	total := len(p.Steps)
	progress := progressPrinter(say, total)
	if o.plan.verbose { // -v/--verbose (verbose.go): each step's cmdlet
		progress = cmdletProgress(say, s, progress)
	}
	if err := apply.ExecuteContext(in.steps(), p, b, progress); err != nil {
		if serr := stoppedError("apply", err, file); serr != nil {
			return serr
		}
		return withHint(fmt.Errorf("apply stopped: %w", err),
			"the steps before it were applied and saved; fix the cause, then plan and apply again")
	}
	fmt.Fprintf(say, "Apply complete: %s. State serial is now %d.\n", countSteps(total), b.Current().Serial)
	return nil
}

// verifySavedPlan simulates a saved plan before apply runs it. A variable so
// that a test can let a refused step reach the backend, which real service
// refusals do (the file backend's journal of a failed step, resume).
var verifySavedPlan = apply.VerifySteps

// journalDiscarder is a backend whose unfinished journal can be dropped.
type journalDiscarder interface {
	Pending() (*tenant.Journal, error)
	Discard() error
}

// checkJournal looks for an unfinished apply before a new one starts. The
// journal of an apply that stopped because the service refused a step is
// dropped, with a note: that apply persisted every step before the refused
// one, so the state file is the tenant as it is, the new plan is made (or
// checked for staleness) against it, and resuming would only repeat the
// refusal. The journal of an interrupted apply (a crash, a kill) is kept and
// the new apply refused: finish it with --resume first.
func checkJournal(stderr io.Writer, b tenant.Backend, file string) error {
	jd, ok := b.(journalDiscarder)
	if !ok {
		return nil
	}
	j, err := jd.Pending()
	if err != nil {
		return withHint(fmt.Errorf("reading the journal of %s: %w", filepath.ToSlash(file), err),
			"if the journal is obsolete, drop it with 'callops state discard-journal --state "+file+"' and plan again")
	}
	if j == nil {
		return nil
	}
	if j.Failed == 0 || j.Done != j.Failed-1 {
		return withHint(fmt.Errorf("an earlier apply of %s did not finish (%d of %d steps applied)", filepath.ToSlash(file), j.Done, len(j.Ops)),
			"finish it with 'callops apply --resume --state "+file+"', or drop its journal with 'callops state discard-journal --state "+file+"' and plan again")
	}
	if err := jd.Discard(); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "note: dropped the journal of an earlier apply that stopped at step %d of %d (refused: %s)\n",
		j.Failed, len(j.Ops), j.FailedError)
	return nil
}

// progressPrinter prints one line per step as it is carried out.
func progressPrinter(stdout io.Writer, total int) func(apply.Step, error) {
	width := len(fmt.Sprint(total))
	return func(s apply.Step, err error) {
		status := "ok    "
		if err != nil {
			status = "FAILED"
		}
		fmt.Fprintf(stdout, "[%*d/%d] %s %s\n", width, s.Index, total, status, apply.StepText(s))
	}
}

// confirm asks for "yes" on a terminal. Anything else stops the apply.
func confirm(stdin io.Reader, stdout io.Writer, steps int) error {
	if !isTerminal(stdin) {
		return withHint(errors.New("refusing to ask for approval: stdin is not a terminal"),
			"review the plan, then run again with --auto-approve (or save it with 'callops plan --out' and apply the file)")
	}
	fmt.Fprintf(stdout, "\nApply %d steps? Only 'yes' is accepted: ", steps)
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && line == "" {
		return errors.New("apply cancelled: no answer")
	}
	if strings.TrimSpace(line) != "yes" {
		return errors.New("apply cancelled: the answer was not 'yes'")
	}
	return nil
}

// isTerminal reports whether stream (stdin or stdout) is an interactive terminal: a character
// device other than the null device (which is one too).
func isTerminal(stream any) bool {
	if c, ok := stream.(*checkedWriter); ok { // stdout, as run passes it (app.go)
		stream = c.w
	}
	f, ok := stream.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(fi, null) {
		return false
	}
	return true
}

// runResume finishes the journal of an interrupted apply.
func runResume(stdout, stderr io.Writer, o applyOptions) (err error) {
	file := stateFile(o.plan.dir, o.plan.state)
	in := catchInterrupts(stderr, "nothing more was applied; the journal is kept for --resume") // interrupt.go
	defer in.stop()
	b, err := openBackend(o, file)
	if err != nil {
		return err
	}
	in.holding(func() { b.Close() })
	defer func() { in.stop(); closeBackend(b, &err) }()
	rb, ok := b.(apply.ResumeBackend)
	if !ok {
		return fmt.Errorf("the %s backend cannot resume", o.backend)
	}
	j, err := rb.Pending()
	if err != nil {
		return withHint(fmt.Errorf("reading the journal of %s: %w", filepath.ToSlash(file), err),
			"if the journal is obsolete, drop it with 'callops state discard-journal' and plan again")
	}
	if j == nil {
		fmt.Fprintf(stdout, "Nothing to resume: %s has no unfinished apply.\n", filepath.ToSlash(file))
		return nil
	}
	fmt.Fprintf(stdout, "Resuming plan %s: %d of %d steps were applied.\n", shortID(j.PlanID), j.Done, len(j.Ops))
	progress := progressPrinter(stdout, len(j.Ops))
	if o.plan.verbose { // -v/--verbose (verbose.go): each step's cmdlet
		progress = cmdletProgress(stdout, b.Current(), progress)
	}
	if err := apply.ResumeContext(in.steps(), rb, j, progress); err != nil {
		if serr := stoppedError("resume", err, file); serr != nil {
			return serr
		}
		return withHint(fmt.Errorf("resume stopped: %w", err),
			"fix the cause and run 'callops apply --resume' again, or drop the journal ('callops state discard-journal') and plan again")
	}
	fmt.Fprintf(stdout, "Apply complete: %s. State serial is now %d.\n", countSteps(len(j.Ops)-j.Done), b.Current().Serial)
	return nil
}

// stoppedError is what apply and --resume (what) say when a signal stopped
// them (an *apply.StoppedError in err), and nil for any other error. Before
// the plan was journaled nothing was applied: exit status 130, as before
// the steps (interrupt.go). Otherwise the steps done are saved and journaled
// and --resume finishes the plan.
func stoppedError(what string, err error, file string) error {
	var se *apply.StoppedError
	switch {
	case !errors.As(err, &se):
		return nil
	case se.NotStarted:
		return &cliError{code: 130, err: fmt.Errorf("%s interrupted before its first step: nothing was applied", what)}
	}
	verb := "were"
	if se.Applied == 1 {
		verb = "was"
	}
	return withHint(fmt.Errorf("%s %w", what, err),
		fmt.Sprintf("%s before it %s applied and saved; finish the plan with 'callops apply --resume --state %s'", countSteps(se.Applied), verb, file))
}

func countSteps(n int) string { return count(n, "step", "steps") }

// count is "1 step", "0 steps", "2 steps".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func shortID(id string) string {
	if i := strings.IndexByte(id, ':'); i >= 0 && len(id) > i+13 {
		return id[:i+13]
	}
	return id
}

// closeBackend closes b (persisting pending steps and releasing the lock)
// and reports its error unless the command already failed.
func closeBackend(b tenant.Backend, err *error) {
	if cerr := b.Close(); cerr != nil && *err == nil {
		*err = fmt.Errorf("closing the state: %w", cerr)
	}
}
