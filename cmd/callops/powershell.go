package main

// The PowerShell backend of plan and apply: `plan --format powershell`
// prints the plan as a script for the MicrosoftTeams module, and `apply
// --backend powershell --script FILE [--rollback-script FILE] [--execute]`
// writes it (and the script that undoes it) and optionally runs it with
// pwsh. plan.go and apply.go call in here at clearly marked places.

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/apply"
	"github.com/callops/callops/diff"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// powershellFormat is the plan --format value that prints a script.
const powershellFormat = "powershell"

// powershellBackend is the apply --backend value that writes a script.
const powershellBackend = "powershell"

// powershellFlags are apply's flags of the PowerShell backend.
func powershellFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "script", Usage: "with --backend powershell: write the script to `FILE`"},
		&cli.StringFlag{Name: "rollback-script", Usage: "with --backend powershell: also write the script that restores the current state to `FILE`"},
		&cli.BoolFlag{Name: "execute", Usage: "with --backend powershell: run the script with pwsh -NoProfile -File"},
	}
}

// psOptions are the PowerShell backend's flags as plain values.
type psOptions struct {
	script   string
	rollback string
	execute  bool
}

func psOptionsFrom(c *cli.Context, backend string) (psOptions, error) {
	o := psOptions{script: c.String("script"), rollback: c.String("rollback-script"), execute: c.Bool("execute")}
	if backend != powershellBackend {
		if o.script != "" || o.rollback != "" || o.execute {
			return o, withHint(errors.New("--script, --rollback-script and --execute go with --backend powershell"),
				"callops apply --backend powershell --script FILE")
		}
		return o, nil
	}
	if o.script == "" {
		return o, withHint(errors.New("--backend powershell needs --script FILE"),
			"callops apply --backend powershell --script apply.ps1 [--rollback-script rollback.ps1] [--execute]")
	}
	if o.rollback != "" && filepath.Clean(o.rollback) == filepath.Clean(o.script) {
		return o, errors.New("--script and --rollback-script name the same file")
	}
	return o, nil
}

// scriptOptions describe a plan's origin in the script's header.
func scriptOptions(p *apply.Plan, rollback bool) tenant.PowerShellOptions {
	src := p.Source.Dir
	if p.Source.Commit != "" {
		src += " at " + p.Source.Commit
		if p.Source.Dirty {
			src += " (uncommitted changes)"
		}
	}
	return tenant.PowerShellOptions{
		Tool:     "callops " + Version,
		Source:   src,
		State:    fmt.Sprintf("lineage %s serial %d", p.State.Lineage, p.State.Serial),
		Rollback: rollback,
	}
}

func planOps(p *apply.Plan) []tenant.Op {
	ops := make([]tenant.Op, len(p.Steps))
	for i, s := range p.Steps {
		ops[i] = s.Op
	}
	return ops
}

// writePlanOrScript renders the plan as plan.go's writePlan does, or as a
// PowerShell script with --format powershell.
func writePlanOrScript(stdout io.Writer, o planOptions, p *apply.Plan, s *tenant.Snapshot) error {
	if o.format != powershellFormat {
		return writePlan(stdout, o, p)
	}
	if err := tenant.WritePowerShell(stdout, s, planOps(p), scriptOptions(p, false)); err != nil {
		return fmt.Errorf("writing the plan as a script: %w", err)
	}
	return nil
}

// rollbackOps returns the operations that take the tenant from the state
// after p back to s, and that end state. They are the plan of s's own
// desired state (diff.DesiredFromSnapshot) against the simulated end state
// of p, ordered and verified as every plan is, with two additions so that
// numbers the plan moved come back even where the export leaves them out:
//
//   - every user and resource account p assigns or unassigns a number of,
//     that held a number in s, is declared with that number;
//   - a number p gave to a user or resource account that was free in s is
//     unassigned at the end (a desired state cannot say "no number");
//   - when p grants the tenant default and s had the built-in one, the
//     rollback declares tenantDefault "Global".
func rollbackOps(p *apply.Plan, s *tenant.Snapshot) ([]tenant.Op, *tenant.Snapshot, error) {
	end := s.Clone()
	for _, st := range p.Steps {
		if err := end.Apply(st.Op); err != nil {
			return nil, nil, fmt.Errorf("simulating step %d: %w", st.Index, err)
		}
	}
	d := diff.DesiredFromSnapshot(s)
	declareTouched(d, p, s)
	back, err := apply.Build(d, end)
	if err != nil {
		return nil, nil, fmt.Errorf("planning the rollback: %w", err)
	}
	ops := planOps(back)
	mid := end.Clone()
	for i, op := range ops {
		if err := mid.Apply(op); err != nil {
			return nil, nil, fmt.Errorf("simulating rollback step %d: %w", i+1, err)
		}
	}
	for _, n := range mid.Numbers {
		kind, holder := mid.Holder(n.TelephoneNumber)
		if kind != tenant.HolderUser && kind != tenant.HolderResourceAccount {
			continue
		}
		if k, _ := s.Holder(n.TelephoneNumber); k != tenant.HolderNone {
			continue
		}
		op := tenant.Op{Action: tenant.NumberUnassign, Number: n.TelephoneNumber, Holder: holder}
		if err := mid.Apply(op); err != nil {
			return nil, nil, fmt.Errorf("simulating rollback: %w", err)
		}
		ops = append(ops, op)
	}
	return ops, end, nil
}

// declareTouched adds to d, with their numbers in s, the users and resource
// accounts whose numbers p changes and that d leaves undeclared.
func declareTouched(d *schema.Desired, p *apply.Plan, s *tenant.Snapshot) {
	locKey := map[string]string{}
	for _, l := range d.Locations {
		locKey[strings.ToLower(l.ID)] = l.Key
	}
	seen := map[string]bool{}
	for _, st := range p.Steps {
		op := st.Op
		if op.Action == tenant.GrantGlobal && d.TenantDefault == "" {
			// The export leaves a built-in tenant default undeclared
			// ("leave it alone"); the rollback restores it.
			d.TenantDefault = schema.GlobalPolicy
		}
		if op.Action != tenant.NumberAssign && op.Action != tenant.NumberUnassign {
			continue
		}
		key := strings.ToLower(op.Holder)
		if seen[key] {
			continue
		}
		seen[key] = true
		n := s.NumberHeldBy(op.Holder)
		if n == nil {
			continue
		}
		if ra := s.ResourceAccountByUPN(op.Holder); ra != nil {
			if _, ok := d.ResourceAccount(ra.UserPrincipalName); !ok {
				d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{
					UPN: ra.UserPrincipalName, Number: n.TelephoneNumber, Type: n.NumberType, Location: locKey[strings.ToLower(n.LocationID)],
				})
			}
			continue
		}
		if u := s.UserByUPN(op.Holder); u != nil {
			if _, ok := d.UserNumber(u.UserPrincipalName); !ok {
				d.UserNumbers = append(d.UserNumbers, schema.UserNumber{UPN: u.UserPrincipalName, Number: n.TelephoneNumber, Type: n.NumberType})
			}
		}
	}
	d.Sort()
}

// runApplyPowerShell is apply with --backend powershell: the plan (of DIR,
// or a plan file checked for staleness) is written as a script instead of
// being carried out on the state file, which is only read. With --execute
// the script is run with pwsh; either way the tenant's state must be
// imported again afterwards.
func runApplyPowerShell(stdin io.Reader, stdout, stderr io.Writer, o applyOptions) error {
	if o.resume {
		return withHint(errors.New("the powershell backend cannot resume"),
			"run the script again: it skips the steps that are done")
	}
	var p *apply.Plan
	var s *tenant.Snapshot
	var err error
	if o.planFile != "" {
		if p, err = apply.Load(o.planFile); err != nil {
			return withHint(err, "apply takes a plan file written by 'callops plan --out PLANFILE', or a directory")
		}
		if s, err = readState(stateFile(filepath.FromSlash(p.Source.Dir), o.plan.state)); err != nil {
			return err
		}
		if err := apply.CheckStale(p, s); err != nil {
			return withHint(err, "import the tenant again, run 'callops plan --out PLANFILE' and review the new plan")
		}
		head, _ := sourceCommit(p.Source.Dir)
		if err := apply.CheckCommit(p, head, o.commit); err != nil {
			return withHint(err, "plan again from the commit you mean to apply (or --allow-dirty / --allow-other-commit)")
		}
	} else {
		if s, err = readState(stateFile(o.plan.dir, o.plan.state)); err != nil {
			return err
		}
		if p, err = makePlan(stderr, o.plan, s); err != nil {
			return err
		}
		if err := writePlan(stdout, o.plan, p); err != nil {
			return err
		}
		if o.plan.out != "" {
			if err := checkOverwrite("--out", o.plan.out, apply.PlanFormat); err != nil { // overwrite.go
				return err
			}
			if err := apply.Save(o.plan.out, p); err != nil {
				return err
			}
		}
	}
	if err := checkThresholds(p, s, o.plan.force); err != nil {
		return err
	}
	if !p.HasChanges() {
		if o.planFile != "" {
			fmt.Fprintln(stdout, apply.NoChanges)
		}
		return nil
	}

	var script bytes.Buffer
	if err := tenant.WritePowerShell(&script, s, planOps(p), scriptOptions(p, false)); err != nil {
		return fmt.Errorf("writing the script: %w", err)
	}
	if err := writeScript("--script", o.ps.script, script.Bytes()); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Wrote %s: %s for MicrosoftTeams %s or later.\n", filepath.ToSlash(o.ps.script), countSteps(len(p.Steps)), tenant.PowerShellMinModule)
	if o.ps.rollback != "" {
		back, end, err := rollbackOps(p, s)
		if err != nil {
			return err
		}
		var rb bytes.Buffer
		ro := scriptOptions(p, true)
		ro.State = fmt.Sprintf("restores lineage %s serial %d", p.State.Lineage, p.State.Serial)
		if err := tenant.WritePowerShell(&rb, end, back, ro); err != nil {
			return fmt.Errorf("writing the rollback script: %w", err)
		}
		if err := writeScript("--rollback-script", o.ps.rollback, rb.Bytes()); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Wrote %s: %s that restore the current state.\n", filepath.ToSlash(o.ps.rollback), countSteps(len(back)))
	}
	if !o.ps.execute {
		fmt.Fprintf(stdout, "Review it, run it in a session connected with Connect-MicrosoftTeams (or: pwsh -NoProfile -File %s -Connect), then import the tenant again.\n", filepath.ToSlash(o.ps.script))
		return nil
	}
	pwsh, err := exec.LookPath("pwsh")
	if err != nil {
		return withHint(fmt.Errorf("--execute needs pwsh (PowerShell 7) on PATH: %w", err),
			fmt.Sprintf("install PowerShell 7, or run %s yourself in a PowerShell session connected with Connect-MicrosoftTeams", filepath.ToSlash(o.ps.script)))
	}
	if o.planFile == "" && !o.autoApprove {
		if err := confirm(stdin, stdout, len(p.Steps)); err != nil {
			return err
		}
	}
	// -Connect: a new pwsh has no Teams session; the script connects
	// (interactively) when it finds none.
	cmd := exec.Command(pwsh, "-NoProfile", "-File", o.ps.script, "-Connect")
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, stdout, stderr
	if err := cmd.Run(); err != nil {
		return withHint(fmt.Errorf("the script %s failed: %w", filepath.ToSlash(o.ps.script), err),
			"fix the cause and run the script again (steps already done are skipped), then import the tenant again")
	}
	fmt.Fprintln(stdout, "Script complete. Import the tenant again (Export-CallopsState.ps1, callops import) before the next plan.")
	return nil
}

// writeScript writes a script atomically, creating its directory; flag
// names the option that gave path (checkOverwrite, overwrite.go).
func writeScript(flag, path string, data []byte) error {
	if err := checkOverwrite(flag, path, scriptKind); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := writeFileAtomic(path, data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
