package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/diff"
	"github.com/callops/callops/internal/gitrepo"
	"github.com/callops/callops/schema"
)

func init() { register(diffCommand) }

// diffFormats are the values of diff --format.
var diffFormats = []string{"text", "markdown"}

func diffCommand() *cli.Command {
	return &cli.Command{
		Name:      "diff",
		Usage:     "show what a change (a pull request) does to the desired state, object by object",
		ArgsUsage: "[DIR]",
		Description: "diff compares the desired state of DIR (default .) at git revision --base with the one at\n" +
			"--head (default: the work tree) and lists policies added, removed and changed (as unified diffs\n" +
			"of their fields), numbers that move between holders, users whose policy changes, resource\n" +
			"accounts, locations, user numbers and the tenant default. No current state is read: this is\n" +
			"for reviewing a change; 'callops plan' says what it does to the tenant.\n\n" +
			"A DIR that does not exist at --base (a pull request that adds it) diffs against nothing.\n\n" +
			"Exit status: 0 success (changes or not); 1 error.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "base", Usage: "git revision `REV` to compare from (e.g. origin/main, HEAD~1)", Required: true},
			&cli.StringFlag{Name: "head", Usage: "git revision `REV` to compare to (default: the work tree)"},
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output format: text or markdown"},
			&cli.IntFlag{Name: "max-users", Value: diff.DefaultUserLimit, Usage: "list at most `N` users whose policy changes (they are all counted)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return withHint(fmt.Errorf("diff takes one directory, got %d arguments", c.NArg()), "see 'callops diff --help'")
			}
			o := diffOptions{dir: ".", base: c.String("base"), head: c.String("head"), format: c.String("format"), maxUsers: c.Int("max-users")}
			if c.NArg() == 1 {
				o.dir = c.Args().First()
			}
			if o.maxUsers < 0 {
				return withHint(fmt.Errorf("--max-users is %d", o.maxUsers), "give 0 or more users to list (0: none, only the counts)")
			}
			return runDiff(c.App.Writer, o)
		},
	}
}

// diffOptions are diff's flags as plain values.
type diffOptions struct {
	dir        string
	base, head string // head "": the work tree
	format     string
	maxUsers   int
}

func runDiff(stdout io.Writer, o diffOptions) error {
	if !oneOf(diffFormats, o.format) {
		return withHint(fmt.Errorf("unknown format %q", o.format), "use --format text or markdown")
	}
	if o.base == "" {
		return withHint(errors.New("--base is empty"), "give the git revision to compare from, e.g. --base origin/main")
	}
	if o.maxUsers <= 0 {
		o.maxUsers = -1 // list none, count all
	}
	base, baseLabel, err := loadSide(o.dir, "base", desiredSource{rev: o.base})
	if err != nil {
		return err
	}
	head, headLabel, err := loadSide(o.dir, "head", desiredSource{rev: o.head})
	if err != nil {
		return err
	}
	changes := diff.CompareDesired(base, head)
	ro := diff.DesiredRenderOptions{Base: baseLabel, Head: headLabel, UserLimit: o.maxUsers}
	var out string
	if o.format == "markdown" {
		out = changes.RenderMarkdown(ro)
	} else {
		out = changes.RenderText(ro)
	}
	if _, err := io.WriteString(stdout, out); err != nil {
		return fmt.Errorf("writing diff: %w", err)
	}
	return nil
}

// loadSide loads one side of a diff and names it for the output. A
// revision at which DIR does not exist gives a nil desired state (nothing to
// compare with); the work tree must hold one.
func loadSide(dir, side string, src desiredSource) (*schema.Desired, string, error) {
	label := "the work tree"
	d, meta, err := loadSource(dir, src)
	if src.rev != "" && meta.Commit != "" {
		label = fmt.Sprintf("%s (%s)", src.rev, shortCommit(meta.Commit))
	}
	if err == nil {
		return d, label, nil
	}
	if src.rev != "" && errors.Is(err, gitrepo.ErrNoDir) {
		return nil, label + ", no desired state", nil
	}
	if errors.Is(err, gitrepo.ErrNotRepo) {
		// readSource's hint is lint's (--rev, --staged): say diff's own.
		return nil, "", withHint(fmt.Errorf("loading the %s desired state: %s: %w", side, dir, gitrepo.ErrNotRepo),
			"--base and --head name git revisions of DIR: run callops diff inside the git work tree that holds DIR")
	}
	var le *schema.LoadError
	if errors.As(err, &le) {
		lintCmd := "callops lint " + dir
		if src.rev != "" {
			lintCmd = fmt.Sprintf("callops lint --rev %s %s", src.rev, dir)
		}
		return nil, "", withHint(fmt.Errorf("loading the %s desired state (%s): %w", side, src, err), "'"+lintCmd+"' shows every problem")
	}
	return nil, "", fmt.Errorf("loading the %s desired state: %w", side, err)
}

func shortCommit(sha string) string {
	if len(sha) > 12 {
		return sha[:12]
	}
	return sha
}
