package main

import (
	"encoding/json"
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/lint"
)

func init() { register(rulesCommand) }

func rulesCommand() *cli.Command {
	return &cli.Command{
		Name:  "rules",
		Usage: "list every lint rule: id, severity, summary, source",
		Description: "rules lists the rules 'callops lint' checks, in a fixed order. Rules marked \"needs state\"\n" +
			"compare the desired state with the tenant's current state and run only when lint has one.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "format", Value: "text", Usage: "output format: text or json"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return withHint(fmt.Errorf("rules takes no arguments, got %q", c.Args().First()), "see 'callops rules --help'")
			}
			switch f := c.String("format"); f {
			case "text":
				return writeRulesText(c.App.Writer, lint.Rules())
			case "json":
				return writeRulesJSON(c.App.Writer, lint.Rules())
			default:
				return withHint(fmt.Errorf("unknown format %q", f), "use --format text or json")
			}
		},
	}
}

// writeRulesText writes rules as an aligned table with a header line.
func writeRulesText(w io.Writer, rules []lint.Rule) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSEVERITY\tSTATE\tSUMMARY\tSOURCE")
	for _, r := range rules {
		state := "-"
		if r.NeedsState {
			state = "needed"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.ID, r.Severity, state, r.Summary, r.Source)
	}
	return tw.Flush()
}

// rulesJSON is the stable JSON form of the rule list (callops-rules/v1).
type rulesJSON struct {
	Format string     `json:"format"`
	Rules  []ruleJSON `json:"rules"`
}

type ruleJSON struct {
	ID         string        `json:"id"`
	Severity   lint.Severity `json:"severity"`
	Summary    string        `json:"summary"`
	Source     string        `json:"source"`
	NeedsState bool          `json:"needsState"`
}

func writeRulesJSON(w io.Writer, rules []lint.Rule) error {
	out := rulesJSON{Format: "callops-rules/v1", Rules: []ruleJSON{}}
	for _, r := range rules {
		out.Rules = append(out.Rules, ruleJSON{ID: r.ID, Severity: r.Severity, Summary: r.Summary, Source: r.Source, NeedsState: r.NeedsState})
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
