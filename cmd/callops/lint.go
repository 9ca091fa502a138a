package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/lint"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

func init() { register(lintCommand) }

// defaultStateFile is the state file a command uses when DIR holds one and
// neither --state nor CALLOPS_STATE names another.
const defaultStateFile = "callops.state.json"

// lintFormats are the values of lint --format.
var lintFormats = []string{"text", "json", "github", "sarif"}

func lintCommand() *cli.Command {
	return &cli.Command{
		Name:      "lint",
		Usage:     "check a desired state against the schema and the service's rules",
		ArgsUsage: "[DIR]",
		Description: "lint loads the CUE desired state in DIR (default .) and reports every finding of every rule\n" +
			"(see 'callops rules'), sorted by file, line and column. Rules marked \"needs state\" run only\n" +
			"with a current state: --state FILE, else $CALLOPS_STATE, else DIR/callops.state.json if it\n" +
			"exists.\n\n" +
			"--staged lints what 'git commit' will record (the index), as a pre-commit hook should;\n" +
			"--rev REV lints DIR at a git revision without checking it out.\n\n" +
			"Paths in text, github and sarif output are DIR joined with the file name (clickable from where\n" +
			"callops runs); paths in json output are relative to DIR.\n\n" +
			"Exit status: 1 when there are errors (with --strict: errors or warnings), else 0.",
		Flags: append([]cli.Flag{
			&cli.StringFlag{Name: "state", Usage: "current state `FILE` (default: DIR/callops.state.json if it exists)", EnvVars: []string{"CALLOPS_STATE"}},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output format: text, json, github or sarif"},
			&cli.BoolFlag{Name: "strict", Usage: "fail on warnings too"},
			&cli.BoolFlag{Name: "no-color", Usage: "do not color text output (NO_COLOR does the same)"},
			timeoutFlag(),   // --timeout (limits.go), read by sourceFrom
			maxMemoryFlag(), // --max-memory (limits.go), read by sourceFrom
		}, sourceFlags(true)...), // git source: --rev, --staged (source.go)
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return withHint(fmt.Errorf("lint takes one directory, got %d arguments", c.NArg()), "see 'callops lint --help'")
			}
			o := lintOptions{
				dir:     ".",
				state:   c.String("state"),
				format:  c.String("format"),
				strict:  c.Bool("strict"),
				noColor: c.Bool("no-color"),
			}
			if c.NArg() == 1 {
				o.dir = c.Args().First()
			}
			// git source (source.go): where the desired state is read from.
			src, err := sourceFrom(c)
			if err != nil {
				return err
			}
			o.source = src
			return runLint(c.App.Writer, o)
		},
	}
}

// lintOptions are lint's flags as plain values.
type lintOptions struct {
	dir     string
	state   string // --state or CALLOPS_STATE; empty: DIR/callops.state.json if it exists
	format  string
	strict  bool
	noColor bool
	// source is where the desired state comes from: the work tree of dir,
	// --rev REV or --staged (git revision, git index); see source.go.
	source desiredSource
}

func runLint(stdout io.Writer, o lintOptions) error {
	if !oneOf(lintFormats, o.format) {
		return withHint(fmt.Errorf("unknown format %q", o.format), "use --format text, json, github or sarif")
	}
	if err := checkNotFile(o.dir, "lint"); err != nil {
		return err
	}
	// The state is read first: a broken state file is the user's error to
	// fix before any finding makes sense.
	waitState := readStateAsync(func() (*tenant.Snapshot, error) { return loadStateFor(o.dir, o.state) })
	d, findings, err := loadDesired(o)
	state, serr := waitState()
	if serr != nil {
		return serr
	}
	if err != nil {
		return err
	}
	defaultFile := ""
	if d != nil {
		findings = lint.Run(d, state)
		if len(d.Files) > 0 {
			defaultFile = d.Files[0]
		}
	}
	res := lint.Summarize(findings)
	if err := writeFindings(stdout, o, findings, defaultFile); err != nil {
		return fmt.Errorf("writing findings: %w", err)
	}
	if res.Failed(o.strict) {
		return exitCode(1)
	}
	return nil
}

// loadDesired loads the desired state lint checks. A desired state the
// loader rejects with positioned problems (syntax, schema, refused files)
// gives no model and those problems as `schema` findings; any other failure
// (no such directory, no .cue files, a limit) is an error.
func loadDesired(o lintOptions) (*schema.Desired, []lint.Finding, error) {
	d, _, err := loadSource(o.dir, o.source) // git source (source.go)
	if err == nil {
		return d, nil, nil
	}
	var le *schema.LoadError
	if errors.As(err, &le) {
		return nil, lint.SchemaFindings(le.Problems), nil
	}
	var ce *cliError
	if errors.As(err, &ce) && ce.hint != "" { // git source errors carry their own hint
		return nil, nil, err
	}
	return nil, nil, withHint(err, "callops lint reads the .cue files of DIR (default .)")
}

// loadStateFor reads the current state for a command on dir: explicit (--state
// or CALLOPS_STATE, which must exist), else DIR/callops.state.json when it
// exists, else none (nil, nil). A state that does not parse is an error
// naming the file and the line.
func loadStateFor(dir, explicit string) (*tenant.Snapshot, error) {
	if err := refuseLinkedState(dir, explicit); err != nil { // limits.go
		return nil, err
	}
	file := stateFile(dir, explicit)
	if explicit == "" {
		if _, err := os.Stat(file); errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
	}
	return readState(file) // plan.go: the same errors as plan's
}

// writeFindings renders res in o.format. JSON keeps paths relative to DIR
// (the stable contract of callops-lint/v1); the other formats are read by
// people and by tools that run where callops runs (GitHub annotations and
// code scanning resolve paths from the repository root), so their paths are
// DIR joined with the file name.
//
// defaultFile (relative to DIR) is where SARIF places findings without a
// position: code scanning rejects results without a location.
func writeFindings(w io.Writer, o lintOptions, findings []lint.Finding, defaultFile string) error {
	opts := lint.Options{PathPrefix: o.dir, ToolVersion: Version, DefaultFile: defaultFile}
	switch o.format {
	case "json":
		opts.PathPrefix = ""
		return lint.WriteJSON(w, findings, opts)
	case "github":
		return lint.WriteGitHub(w, findings, opts)
	case "sarif":
		return lint.WriteSARIF(w, findings, opts)
	default:
		opts.Color = colorEnabled(w, o.noColor)
		return lint.WriteText(w, findings, opts)
	}
}

// checkNotFile refuses a DIR argument that names a file: people often pass
// the .cue file they are editing. A DIR that does not exist is left to the
// loader (with --rev it need not exist in the work tree).
func checkNotFile(dir, command string) error {
	fi, err := os.Stat(dir)
	if err != nil || fi.IsDir() {
		return nil
	}
	parent := filepath.Dir(dir)
	return withHint(fmt.Errorf("%s is a file, not a directory", filepath.ToSlash(dir)),
		fmt.Sprintf("callops %s takes the directory of the desired state: callops %s %s", command, command, filepath.ToSlash(parent)))
}

func oneOf(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
