package main

// --verbose of plan and apply: each step's MicrosoftTeams cmdlet, with its
// values quoted as the PowerShell backend's script passes them
// (tenant.Cmdlet), so an operator sees exactly what a step does.

import (
	"fmt"
	"io"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/apply"
	"github.com/callops/callops/tenant"
)

// verboseFlag is -v/--verbose of plan and apply.
func verboseFlag() cli.Flag {
	return &cli.BoolFlag{Name: "verbose", Aliases: []string{"v"}, Usage: "show each step's PowerShell cmdlet, values quoted (text output)"}
}

// cmdletIndent places a cmdlet line under its step's progress line.
const cmdletIndent = "      > "

// cmdletOf renders op on sim (the state before op) and then applies op to
// sim, so that the next call sees the state after it. An operation Cmdlet
// cannot render gives a line that says why instead: --verbose never stops
// an apply.
func cmdletOf(sim *tenant.Snapshot, op tenant.Op) string {
	line, err := tenant.Cmdlet(sim, op)
	if err != nil {
		line = "(no cmdlet: " + err.Error() + ")"
	}
	_ = sim.Apply(op) // a refused op leaves sim as it was, as the backend does
	return line
}

// writeCmdlets prints the cmdlet of every step of p on s (plan --verbose,
// after the plan's text).
func writeCmdlets(w io.Writer, p *apply.Plan, s *tenant.Snapshot) error {
	if !p.HasChanges() {
		return nil
	}
	sim := s.Clone()
	width := len(fmt.Sprint(len(p.Steps)))
	if _, err := fmt.Fprintf(w, "\nCmdlets (what --backend powershell runs for each step, without its checks):\n"); err != nil {
		return fmt.Errorf("writing plan: %w", err)
	}
	for _, st := range p.Steps {
		if _, err := fmt.Fprintf(w, "[%*d] %s\n", width, st.Index, cmdletOf(sim, st.Op)); err != nil {
			return fmt.Errorf("writing plan: %w", err)
		}
	}
	return nil
}

// cmdletProgress wraps a progress printer of apply so that each step's line
// is followed by its cmdlet. s is the state before the first step that
// will be reported (the backend's Current before Execute or Resume); it is
// not modified.
func cmdletProgress(w io.Writer, s *tenant.Snapshot, progress func(apply.Step, error)) func(apply.Step, error) {
	sim := s.Clone()
	return func(st apply.Step, err error) {
		line := cmdletOf(sim, st.Op)
		progress(st, err)
		fmt.Fprintf(w, "%s%s\n", cmdletIndent, line)
	}
}
