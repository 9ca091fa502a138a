package main

import (
	"fmt"
	"sort"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/internal/spell"
)

// helpNotFound is the app Metadata key under which CommandNotFound leaves
// the error for `callops help NAME` of a command that does not exist:
// urfave/cli's help command returns nil after calling CommandNotFound, so
// run picks the error up after the app has run.
const helpNotFound = "callops.helpNotFound"

// commandNames lists the visible commands of cmds, without help, sorted.
func commandNames(cmds []*cli.Command) []string {
	var out []string
	for _, c := range cmds {
		if c.Hidden || c.Name == "help" {
			continue
		}
		out = append(out, c.Name)
	}
	sort.Strings(out)
	return out
}

// unknownHelpTopic is the usage error of `callops [CMD] help NAME` when NAME
// is no command: it suggests the command NAME looks like, else lists them.
// parent is "" for a top-level command, else the parent's name.
func unknownHelpTopic(parent, name string, cmds []*cli.Command) error {
	names := commandNames(cmds)
	prefix, kind, see := "callops ", "command", "callops help"
	if parent != "" {
		prefix, kind, see = "callops "+parent+" ", parent+" command", "callops "+parent+" --help"
	}
	err := fmt.Errorf("no %s %q", kind, name)
	if s := closestName(name, names); s != "" {
		return withHint(err, fmt.Sprintf("did you mean '%shelp %s'?", prefix, s))
	}
	return withHint(err, fmt.Sprintf("%ss: %s; see '%s'", kind, strings.Join(names, ", "), see))
}

// closestName returns the name of names that s most likely misspells (an
// edit distance of at most 2, and less than half of s), or "".
func closestName(s string, names []string) string {
	best, bestDist := "", 3
	ls := strings.ToLower(s)
	for _, n := range names {
		d := spell.Distance(ls, strings.ToLower(n))
		if d < bestDist && 2*d < len(ls) {
			best, bestDist = n, d
		}
	}
	return best
}

// helpTopicError checks the names after `callops help` (args as permute
// left them): urfave/cli reports an unknown first name through
// CommandNotFound but shows the parent's help, exit 0, for an unknown
// subcommand name (`callops help state nosuch`). Names after a command
// without subcommands are left to urfave/cli, which ignores them.
func helpTopicError(app *cli.App, args []string) error {
	i := 1
	for i < len(args) && strings.HasPrefix(args[i], "-") {
		i++
	}
	if i >= len(args) || (args[i] != "help" && args[i] != "h") {
		return nil
	}
	parent, cmds := "", app.Commands
	for _, name := range args[i+1:] {
		if strings.HasPrefix(name, "-") || len(cmds) == 0 {
			return nil
		}
		c := findCommand(cmds, name)
		if c == nil {
			return unknownHelpTopic(parent, name, cmds)
		}
		parent, cmds = c.Name, c.Subcommands
	}
	return nil
}
