package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/apply"
	"github.com/callops/callops/diff"
	"github.com/callops/callops/lint"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

func init() { register(planCommand) }

// planFormats are the values of plan --format.
var planFormats = []string{"text", "json", "markdown", powershellFormat} // powershell: powershell.go

func planCommand() *cli.Command {
	return &cli.Command{
		Name:      "plan",
		Usage:     "show the ordered steps that take the tenant to the desired state",
		ArgsUsage: "[DIR]",
		Description: "plan loads the CUE desired state in DIR (default .), lints it (lint errors block the plan),\n" +
			"diffs it against the current state (--state FILE, else $CALLOPS_STATE, else\n" +
			"DIR/callops.state.json) and prints an ordered plan in which no step is one the service\n" +
			"refuses. --out saves the plan for 'callops apply PLANFILE'.\n\n" +
			"A plan that deletes more than 30% of the tenant's policies or revokes the policy of more\n" +
			"than 30% of its granted users (with at least 10 present) is shown but not saved without --force.\n\n" +
			"Exit status: 0 success; 1 error; with --detailed-exitcode, 2 when the plan has changes.",
		Flags: append(planFlags(), sourceFlags(false)...), // git source: --rev (source.go)
		Action: func(c *cli.Context) error {
			o, err := planOptionsFrom(c)
			if err != nil {
				return err
			}
			return runPlan(c.App.Writer, c.App.ErrWriter, o)
		},
	}
}

// planFlags are plan's flags; apply DIR takes the same ones.
func planFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "state", Usage: "current state `FILE` (default: DIR/callops.state.json)", EnvVars: []string{"CALLOPS_STATE"}},
		&cli.StringFlag{Name: "out", Usage: "save the plan to `PLANFILE` (callops-plan/v1 JSON) for 'callops apply PLANFILE'"},
		&cli.StringFlag{Name: "format", Value: "text", Usage: "output format: text, json, markdown or powershell (a script for the MicrosoftTeams module)"},
		&cli.BoolFlag{Name: "detailed-exitcode", Usage: "exit 2 when the plan has changes (0: none, 1: error)"},
		&cli.BoolFlag{Name: "force", Usage: "accept a plan above the deletion and revocation thresholds"},
		&cli.BoolFlag{Name: "no-color", Usage: "do not color text output (NO_COLOR does the same)"},
		timeoutFlag(),   // --timeout (limits.go), read by sourceFrom
		maxMemoryFlag(), // --max-memory (limits.go), read by sourceFrom
		verboseFlag(),   // -v/--verbose (verbose.go)
	}
}

// planOptions are plan's flags as plain values.
type planOptions struct {
	dir              string
	state            string // --state or CALLOPS_STATE; empty: DIR/callops.state.json
	out              string
	format           string
	detailedExitcode bool
	force            bool
	noColor          bool
	source           desiredSource // git source (source.go): work tree or --rev
	verbose          bool          // -v/--verbose (verbose.go): each step's cmdlet
}

func planOptionsFrom(c *cli.Context) (planOptions, error) {
	if c.NArg() > 1 {
		what := "one directory"
		if c.Command.Name == "apply" {
			what = "one plan file or directory"
		}
		return planOptions{}, withHint(fmt.Errorf("%s takes %s, got %d arguments", c.Command.Name, what, c.NArg()),
			fmt.Sprintf("see 'callops %s --help'", c.Command.Name))
	}
	o := planOptions{
		dir:              ".",
		state:            c.String("state"),
		out:              c.String("out"),
		format:           c.String("format"),
		detailedExitcode: c.Bool("detailed-exitcode"),
		force:            c.Bool("force"),
		noColor:          c.Bool("no-color"),
		verbose:          c.Bool("verbose"), // verbose.go
	}
	if c.NArg() == 1 {
		o.dir = c.Args().First()
	}
	// git source (source.go); apply has no --rev, so it reads the work tree.
	src, err := sourceFrom(c)
	if err != nil {
		return o, err
	}
	o.source = src
	if !oneOf(planFormats, o.format) {
		return o, withHint(fmt.Errorf("unknown format %q", o.format), "use --format text, json, markdown or powershell")
	}
	return o, nil
}

// checkDesiredDir says what is wrong with DIR before anything is read
// from it (the state file's own error would otherwise name
// DIR/callops.state.json): a file given for the directory, or a work-tree
// directory that does not exist. A git source (--rev, --staged) reads DIR
// from git, where the work tree need not have it.
func checkDesiredDir(dir, command string, src desiredSource) error {
	if err := checkNotFile(dir, command); err != nil { // lint.go
		return err
	}
	if src.rev != "" || src.staged {
		return nil
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return withHint(fmt.Errorf("reading desired state: %s: no such directory", filepath.ToSlash(dir)),
			fmt.Sprintf("callops %s reads the .cue files of DIR (default .)", command))
	}
	return nil
}

// stateFile is the state a command on dir uses: explicit (--state or
// CALLOPS_STATE), else DIR/callops.state.json.
func stateFile(dir, explicit string) string {
	if explicit != "" {
		return explicit
	}
	return filepath.Join(dir, defaultStateFile)
}

func runPlan(stdout, stderr io.Writer, o planOptions) error {
	if err := checkDesiredDir(o.dir, "plan", o.source); err != nil {
		return err
	}
	if err := refuseLinkedState(o.dir, o.state); err != nil { // limits.go
		return err
	}
	waitState := readStateAsync(func() (*tenant.Snapshot, error) { return readState(stateFile(o.dir, o.state)) })
	d, src, loadErr := loadSource(o.dir, o.source) // git source (source.go)
	s, err := waitState()
	if err != nil {
		return err
	}
	p, err := planFrom(stderr, o, s, d, src, loadErr)
	if err != nil {
		return err
	}
	if err := writePlanOrScript(stdout, o, p, s); err != nil { // --format powershell (powershell.go)
		return err
	}
	if o.verbose && o.format == "text" { // -v/--verbose (verbose.go)
		if err := writeCmdlets(stdout, p, s); err != nil {
			return err
		}
	}
	if err := checkThresholds(p, s, o.force); err != nil {
		return err
	}
	if o.out != "" {
		if err := checkOverwrite("--out", o.out, apply.PlanFormat); err != nil { // overwrite.go
			return err
		}
		if err := apply.Save(o.out, p); err != nil {
			return err
		}
	}
	if o.detailedExitcode && p.HasChanges() {
		return exitCode(2)
	}
	return nil
}

// readState reads the current state file for plan (no lock: plan only reads,
// and apply PLANFILE checks that the state did not change since).
func readState(file string) (*tenant.Snapshot, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, withHint(fmt.Errorf("reading state: %w", err),
			"--state (or CALLOPS_STATE) names the current state file, a callops-state/v1 JSON document; the default is DIR/callops.state.json")
	}
	defer f.Close()
	s, err := tenant.Decode(f)
	if err != nil {
		return nil, stateError(file, err)
	}
	return s, nil
}

// stateError names the state file (and the line) of a state that does not
// parse.
func stateError(file string, err error) error {
	var pe *tenant.ParseError
	if errors.As(err, &pe) && pe.Line > 0 {
		return fmt.Errorf("reading state %s:%d: %s", filepath.ToSlash(file), pe.Line, pe.Msg)
	}
	if strings.HasPrefix(err.Error(), "reading state ") {
		// The file backend's errors name the file already.
		return err
	}
	return fmt.Errorf("reading state %s: %w", filepath.ToSlash(file), err)
}

// makePlan loads and lints the desired state of o.dir and builds the plan
// from s. Lint errors are printed on stderr as lint prints them and block
// the plan.
func makePlan(stderr io.Writer, o planOptions, s *tenant.Snapshot) (*apply.Plan, error) {
	d, src, err := loadSource(o.dir, o.source) // git source (source.go)
	return planFrom(stderr, o, s, d, src, err)
}

// planFrom is makePlan once the desired state was loaded (d, src, or the
// loader's err).
func planFrom(stderr io.Writer, o planOptions, s *tenant.Snapshot, d *schema.Desired, src apply.Source, err error) (*apply.Plan, error) {
	if err != nil {
		var le *schema.LoadError
		if errors.As(err, &le) {
			return nil, lintBlocks(stderr, o, lint.SchemaFindings(le.Problems))
		}
		var ce *cliError
		if errors.As(err, &ce) && ce.hint != "" { // git source errors carry their own hint
			return nil, err
		}
		return nil, withHint(fmt.Errorf("loading desired state: %w", err), "callops plan reads the .cue files of DIR (default .)")
	}
	// The plan is built beside the lint rules, on the other core: both only
	// read d and s (their lookup indexes, which are built on first use, are
	// built here first), and a plan of a desired state with lint errors is
	// thrown away.
	d.Policy("")
	s.UserByUPN("")
	type built struct {
		p   *apply.Plan
		err error
	}
	c := make(chan built, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				c <- built{err: fmt.Errorf("internal error: %v (this is a bug in callops)", r)}
			}
		}()
		p, err := apply.Build(d, s)
		c <- built{p, err}
	}()
	if err := lintBlocks(stderr, o, lint.Run(d, s)); err != nil {
		return nil, err
	}
	b := <-c
	p, err := b.p, b.err
	if err != nil {
		var re *diff.ResolveError
		if errors.As(err, &re) {
			return nil, fitError(o.dir, re)
		}
		var ie *apply.InconsistentStateError
		if errors.As(err, &ie) {
			return nil, inconsistentStateError(stateFile(o.dir, o.state), ie)
		}
		return nil, fmt.Errorf("planning: %w", err)
	}
	p.Format = apply.PlanFormat
	p.Tool = "callops " + Version
	p.Source = src // Dir, Commit, Dirty and Digest (git source, source.go)
	return p, nil
}

// fitError lists, one a line and at its file and line as lint shows them,
// what in the desired state the tenant cannot take: a user, account,
// location or number it does not have, or a change no order of steps can
// make.
func fitError(dir string, re *diff.ResolveError) error {
	var b strings.Builder
	fmt.Fprintf(&b, "the desired state does not fit the tenant (%s):", count(len(re.Problems), "problem", "problems"))
	for _, p := range re.Problems {
		b.WriteString("\n  " + problemLine(dir, schema.Problem{Pos: p.Pos, Message: p.Message})) // fmt.go
		if p.Path != "" {
			fmt.Fprintf(&b, " (%s)", p.Path)
		}
	}
	return withHint(errors.New(b.String()),
		"the state file stands for the tenant: if the tenant changed since it was exported, import a fresh export (callops import); otherwise fix the desired state")
}

// maxInconsistencies is how many of a state's inconsistencies plan lists.
const maxInconsistencies = 20

// inconsistentStateError lists, one a line, what in the state file breaks
// the rules the planner relies on and the service keeps (a holder with two
// numbers, an emergency number in two policies, ...), when a plan could not
// be verified against it: the state is what to fix, not the desired state
// and not callops.
func inconsistentStateError(file string, ie *apply.InconsistentStateError) error {
	var b strings.Builder
	fmt.Fprintf(&b, "no plan could be verified against the state %s, which breaks rules callops plans by (%s):",
		filepath.ToSlash(file), count(len(ie.Violations), "problem", "problems"))
	for i, l := range ie.Lines() {
		if i == maxInconsistencies {
			fmt.Fprintf(&b, "\n  ... and %d more", len(ie.Violations)-i)
			break
		}
		b.WriteString("\n  " + l)
	}
	b.WriteString("\n  " + ie.Failed())
	return withHint(errors.New(b.String()),
		"the service keeps these rules itself, so the state was edited by hand or exported while the tenant was changing (callops import warns about it): export and import again once the tenant is quiet; a user with a private line (two numbers) is not supported")
}

// sourceCommit returns the git commit HEAD of dir and whether its work tree
// has uncommitted changes under dir; "" and false outside git. apply
// PLANFILE compares HEAD with the commit the plan records (the plan's own
// dirty flag, recorded when it was made, is what CheckCommit refuses; the
// work tree's state at apply time does not change what the plan does).
var sourceCommit = func(dir string) (commit string, dirty bool) {
	commit, dirty, _ = gitHead(dir) // git source (source.go); an unreadable repository reads as "not in git"
	return commit, dirty
}

// lintBlocks prints the error findings on stderr, as lint's text formatter
// does, and returns an error when there are any: a plan of a desired state
// with errors could not be carried out.
func lintBlocks(stderr io.Writer, o planOptions, findings []lint.Finding) error {
	var errs []lint.Finding
	for _, f := range findings {
		if f.Severity == lint.Error {
			errs = append(errs, f)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	lint.WriteText(stderr, errs, lint.Options{PathPrefix: o.dir, Color: colorEnabled(stderr, o.noColor)})
	noun := "errors"
	if len(errs) == 1 {
		noun = "error"
	}
	cmd := "callops lint " + o.dir
	if o.state != "" { // lint reads DIR/callops.state.json itself, not another state
		cmd = fmt.Sprintf("callops lint --state %s %s", o.state, o.dir)
	}
	return withHint(fmt.Errorf("the desired state has %d lint %s: no plan was made", len(errs), noun),
		fmt.Sprintf("fix them; '%s' shows every finding", cmd))
}

// writePlan renders p on stdout in o.format.
func writePlan(stdout io.Writer, o planOptions, p *apply.Plan) error {
	var out string
	switch o.format {
	case "json":
		b, err := apply.Encode(p)
		if err != nil {
			return err
		}
		out = string(b)
	case "markdown":
		out = apply.RenderMarkdown(p)
	default:
		out = apply.RenderText(p, apply.TextOptions{Color: colorEnabled(stdout, o.noColor)})
	}
	if _, err := io.WriteString(stdout, out); err != nil {
		return fmt.Errorf("writing plan: %w", err)
	}
	return nil
}

// checkThresholds refuses a plan above the safety thresholds unless forced.
func checkThresholds(p *apply.Plan, s *tenant.Snapshot, force bool) error {
	if force {
		return nil
	}
	if err := apply.CheckThresholds(p, s); err != nil {
		var te *apply.ThresholdError
		if errors.As(err, &te) {
			msg := strings.TrimSuffix(err.Error(), "; use --force to apply it anyway")
			return withHint(errors.New(msg), "check the desired state (a deleted file? a bad merge?); use --force to accept the plan anyway")
		}
		return err
	}
	return nil
}
