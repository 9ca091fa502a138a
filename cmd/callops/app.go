package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"
)

// Version is callops' version; plans record it as "callops <Version>".
const Version = "0.1.0"

// registered holds the commands; each command's file registers itself in an
// init function, so adding a command touches only its own file.
var registered []func() *cli.Command

func register(c func() *cli.Command) { registered = append(registered, c) }

// Main runs callops with the process's arguments and streams and returns the
// exit code. It is the only place that touches os.Args and the exit code.
func Main() int {
	return run(os.Args, os.Stdin, os.Stdout, os.Stderr)
}

// run is Main with explicit arguments and streams, for tests.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) (code int) {
	defer func() {
		// A bug must still reach the user as a callops error, not a stack
		// trace (set CALLOPS_PANIC=1 to see the trace while debugging).
		if r := recover(); r != nil {
			if os.Getenv("CALLOPS_PANIC") != "" {
				panic(r)
			}
			fmt.Fprintf(stderr, "callops: internal error: %v\nhint: this is a bug in callops; please report it with the command you ran\n", r)
			code = 1
		}
	}()
	out := &checkedWriter{w: stdout}
	app := newApp(stdin, out, stderr)
	permuted, missing := permute(app, args)
	if missing != "" {
		return report(stderr, withHint(fmt.Errorf("flag %s needs a value", missing), fmt.Sprintf("see '%s --help'", commandPath(app, args))))
	}
	if err := helpTopicError(app, permuted); err != nil {
		return report(stderr, err)
	}
	err := app.RunContext(context.Background(), permuted)
	if e, ok := app.Metadata[helpNotFound].(error); ok && err == nil {
		err = e
	}
	if err == nil && out.err != nil {
		// Output a command did not check (help, --version, export's list
		// of files): a full disk must not look like success.
		err = fmt.Errorf("writing output: %w", out.err)
	}
	return report(stderr, requiredFlagError(err, args))
}

// checkedWriter remembers the first error of the writes to w.
type checkedWriter struct {
	w   io.Writer
	err error
}

func (c *checkedWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	if err != nil && c.err == nil {
		c.err = err
	}
	return n, err
}

func newApp(stdin io.Reader, stdout, stderr io.Writer) *cli.App {
	cli.VersionFlag = &cli.BoolFlag{Name: "version", Usage: "print the version"}
	var cmds []*cli.Command
	for _, c := range registered {
		cmds = append(cmds, c())
	}
	sort.Slice(cmds, func(i, j int) bool { return cmds[i].Name < cmds[j].Name })
	app := &cli.App{
		Name:    "callops",
		Usage:   "Microsoft Teams Shared Calling configuration as code",
		Version: Version,
		Description: "callops lints a CUE desired state of a tenant's Shared Calling policies, resource accounts,\n" +
			"emergency numbers and grants, diffs it against the tenant's current state, and applies an\n" +
			"ordered plan in which no step is one the service would refuse.",
		Commands:        cmds,
		Flags:           profileFlags(), // runtime.go
		Before:          startProfiles,
		After:           stopProfiles,
		Reader:          stdin,
		Writer:          stdout,
		ErrWriter:       stderr,
		HideHelpCommand: false,
		Suggest:         true,
		// urfave/cli would call os.Exit on cli.Exit errors; callops maps
		// errors to exit codes itself, in report.
		ExitErrHandler: func(*cli.Context, error) {},
		Metadata:       map[string]any{},
		OnUsageError: func(c *cli.Context, err error, _ bool) error {
			return flagUsageError(err, "callops", c.App.Flags, c.App.Commands)
		},
		CommandNotFound: func(c *cli.Context, name string) {
			// Only urfave/cli's help command calls this (`callops help
			// NAME`, `callops state help NAME`), and then returns nil:
			// leave the error for run. An unknown command itself is
			// reported by Action below.
			parent, cmds := "", c.App.Commands
			if c.Command != nil && c.Command.Name != "" && c.Command.Name != c.App.Name {
				parent, cmds = c.Command.Name, c.Command.Subcommands
			}
			c.App.Metadata[helpNotFound] = unknownHelpTopic(parent, name, cmds)
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				hint := "see 'callops help' for the list of commands"
				if s := closestName(c.Args().First(), commandNames(c.App.Commands)); s != "" {
					hint = fmt.Sprintf("did you mean 'callops %s'? %s", s, hint)
				}
				return withHint(fmt.Errorf("unknown command %q", c.Args().First()), hint)
			}
			return cli.ShowAppHelp(c)
		},
	}
	for _, c := range cmds {
		setUsageErrors(c, "callops")
	}
	return app
}

// setUsageErrors makes the usage errors of c and its subcommands callops:
// errors naming the command as typed (parent is the command line before c).
func setUsageErrors(c *cli.Command, parent string) {
	path := parent + " " + c.Name
	c.OnUsageError = func(cc *cli.Context, err error, _ bool) error {
		return flagUsageError(err, path, c.Flags, c.Subcommands)
	}
	for _, s := range c.Subcommands {
		setUsageErrors(s, path)
	}
}

// undefinedFlag matches the flag package's message for a flag the command
// does not have, which it shows with one dash whatever the user typed.
var undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.+)$`)

// flagUsageError is the callops: error for a usage error of the command
// line path ("callops state unlock"), whose flags are flags: an unknown flag
// is named as callops spells it (--name, or -x for one letter), with the
// flag it most likely misspells, or the subcommand (of subs) that has it;
// every other error with a pointer to the command's help.
func flagUsageError(err error, path string, flags []cli.Flag, subs []*cli.Command) error {
	help := fmt.Sprintf("see '%s --help'", path)
	m := undefinedFlag.FindStringSubmatch(err.Error())
	if m == nil {
		return withHint(usageError(err), help)
	}
	var names []string
	for _, f := range flags {
		if v, ok := f.(cli.VisibleFlag); ok && !v.IsVisible() {
			continue // hidden (profiling): not suggested
		}
		for _, n := range f.Names() {
			if len(n) > 1 {
				names = append(names, n)
			}
		}
	}
	if cmd := strings.TrimPrefix(path, "callops "); cmd != path {
		err = fmt.Errorf("%s has no flag %s", cmd, dashed(m[1]))
	} else {
		err = fmt.Errorf("no flag %s", dashed(m[1]))
	}
	if s := closestName(m[1], names); s != "" {
		return withHint(err, fmt.Sprintf("did you mean %s? %s", dashed(s), help))
	}
	// `callops state --state F unlock ID`: the flag belongs after the
	// subcommand.
	var with []string
	for _, c := range subs {
		for _, f := range c.Flags {
			if !c.Hidden && slices.Contains(f.Names(), m[1]) {
				with = append(with, path+" "+c.Name)
				break
			}
		}
	}
	switch len(with) {
	case 0:
		return withHint(err, help)
	case 1:
		return withHint(err, fmt.Sprintf("give %s after the command it belongs to: '%s %s ...'", dashed(m[1]), with[0], dashed(m[1])))
	}
	return withHint(err, fmt.Sprintf("give %s after the command it belongs to (%s)", dashed(m[1]), strings.Join(with, ", ")))
}

// dashed writes a flag name as it is typed: -x, --name.
func dashed(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// flagMessages are the flag package's messages that name a flag, which it
// writes with one dash whatever the user typed. Each is anchored, so a
// user's value that looks like a flag is left as typed; ${flag} is the
// flag's name. A message that ends in "needs a value" is written as callops
// writes a value flag given last.
var flagMessages = []struct {
	re   *regexp.Regexp
	repl string
}{
	{regexp.MustCompile(`^invalid value (".*") for flag -(?P<flag>[\w-]+): (.*)$`), "invalid value $1 for flag ${flag}: $3"},
	{regexp.MustCompile(`^invalid boolean value (".*") for -(?P<flag>[\w-]+): (.*)$`), "invalid value $1 for flag ${flag}: $3 (a boolean flag takes true or false, or nothing)"},
	{regexp.MustCompile(`^flag needs an argument: -(?P<flag>[\w-]+)$`), "flag ${flag} needs a value"},
}

// usageError is a usage error of urfave/cli or the flag package as callops
// writes errors: lower case, flags as they are typed (--name, -x).
func usageError(err error) error {
	msg := err.Error()
	for _, m := range flagMessages {
		sub := m.re.FindStringSubmatchIndex(msg)
		if sub == nil {
			continue
		}
		flag := m.re.SubexpIndex("flag")
		repl := strings.ReplaceAll(m.repl, "${flag}", dashed(msg[sub[2*flag]:sub[2*flag+1]]))
		return errors.New(string(m.re.ExpandString(nil, repl, msg, sub)))
	}
	if msg != "" {
		msg = strings.ToLower(msg[:1]) + msg[1:]
	}
	return errors.New(msg)
}

// commandPath is the command line of the command args run, without its
// flags and arguments ("callops state unlock").
func commandPath(app *cli.App, args []string) string {
	path, cmds, flags := "callops", app.Commands, app.Flags
	for i := 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		if strings.HasPrefix(a, "-") {
			if !strings.Contains(a, "=") && flagTakesValue(flags, a) {
				i++
			}
			continue
		}
		c := findCommand(cmds, a)
		if c == nil {
			break
		}
		path, cmds, flags = path+" "+c.Name, c.Subcommands, c.Flags
	}
	return path
}

// permute moves a command's flags before its positional arguments: urfave/cli
// stops parsing flags at the first positional argument, and users write
// `callops plan examples/contoso --format json`. Arguments after "--" stay
// positional. A value flag given last without its value is returned as
// missing (moved before DIR, it would take DIR as its value).
func permute(app *cli.App, args []string) (out []string, missing string) {
	if len(args) < 2 {
		return args, ""
	}
	out = []string{args[0]}
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") && args[i] != "--" {
		out = append(out, args[i])
		i++
		if !strings.Contains(args[i-1], "=") && flagTakesValue(app.Flags, args[i-1]) && i < len(args) {
			out = append(out, args[i])
			i++
		}
	}
	if i >= len(args) {
		return out, ""
	}
	cmds := app.Commands
	for i < len(args) {
		cmd := findCommand(cmds, args[i])
		if cmd == nil {
			return append(out, args[i:]...), missing
		}
		out = append(out, args[i])
		i++
		var flags, pos []string
		for i < len(args) {
			a := args[i]
			if a == "--" {
				pos = append(pos, args[i:]...)
				i = len(args)
				break
			}
			if len(pos) == 0 && len(flags) == 0 && len(cmd.Subcommands) > 0 && findCommand(cmd.Subcommands, a) != nil {
				break
			}
			if strings.HasPrefix(a, "-") && a != "-" {
				i++
				if !strings.Contains(a, "=") && takesValue(cmd, a) {
					if i >= len(args) {
						// A value flag last, without its value: moved
						// before DIR it would take DIR as its value.
						missing = a
						continue
					}
					flags = append(flags, a, args[i])
					i++
					continue
				}
				flags = append(flags, a)
				continue
			}
			pos = append(pos, a)
			i++
		}
		out = append(out, flags...)
		out = append(out, pos...)
		if i >= len(args) {
			break
		}
		cmds = cmd.Subcommands
	}
	return out, missing
}

func findCommand(cmds []*cli.Command, name string) *cli.Command {
	for _, c := range cmds {
		if c.HasName(name) {
			return c
		}
	}
	return nil
}

// takesValue reports whether flag arg of cmd consumes the next argument.
func takesValue(cmd *cli.Command, arg string) bool {
	return flagTakesValue(cmd.Flags, arg)
}

// flagTakesValue reports whether arg names a flag of flags that consumes
// the next argument (every flag but a boolean one).
func flagTakesValue(flags []cli.Flag, arg string) bool {
	name := strings.TrimLeft(arg, "-")
	for _, f := range flags {
		for _, n := range f.Names() {
			if n != name {
				continue
			}
			if bf, ok := f.(*cli.BoolFlag); ok {
				_ = bf
				return false
			}
			return true
		}
	}
	return false
}

// requiredFlagError rewrites urfave/cli's own error for a missing required
// flag ("Required flag \"base\" not set"), which it returns without going
// through OnUsageError, into a callops: error with a hint.
func requiredFlagError(err error, args []string) error {
	var ce *cliError
	if err == nil || errors.As(err, &ce) {
		return err
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "Required flag") {
		return err
	}
	cmd := "callops"
	if len(args) > 1 {
		for _, a := range args[1:] {
			if !strings.HasPrefix(a, "-") {
				cmd += " " + a
				break
			}
		}
	}
	return withHint(usageError(err), fmt.Sprintf("see '%s --help'", cmd))
}
