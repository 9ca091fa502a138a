package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/tenant"
)

func init() { register(importCommand) }

func importCommand() *cli.Command {
	return &cli.Command{
		Name:      "import",
		Usage:     "read a PowerShell export of the tenant into a callops state file",
		ArgsUsage: "EXPORT_DIR",
		Description: "import reads the JSON files that scripts/Export-CallopsState.ps1 writes (policies.json,\n" +
			"numbers.json, resource-accounts.json, locations.json, users.json, group-assignments.json,\n" +
			"tenant.json) and writes a callops-state/v1 state file with a new lineage. What cannot be\n" +
			"mapped is printed as a warning on stderr; nothing is dropped silently. The state file is\n" +
			"written atomically.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "out", Usage: "the state file to write (required)"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return withHint(fmt.Errorf("import takes one export directory, got %d arguments", c.NArg()), "see 'callops import --help'")
			}
			if c.String("out") == "" {
				return withHint(errors.New("import needs --out STATEFILE"), "callops import EXPORT_DIR --out callops.state.json")
			}
			return runImport(c.App.ErrWriter, c.Args().First(), c.String("out"))
		},
	}
}

func runImport(stderr io.Writer, dir, out string) error {
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		if err == nil {
			err = errors.New("not a directory")
		}
		return withHint(fmt.Errorf("reading export %s: %w", dir, err), "run scripts/Export-CallopsState.ps1 -OutDir DIR in a connected MicrosoftTeams session first")
	}
	s, warnings, err := tenant.Import(dir)
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintf(stderr, "callops: warning: %s\n", w)
	}
	if err := checkOverwrite("--out", out, tenant.Format); err != nil { // overwrite.go
		return err
	}
	// An apply may hold the state: the import waits for nothing and says
	// who holds it; the state it replaces is kept as <state>.backup, and
	// the new one continues its lineage.
	if err := tenant.ReplaceState(out, s, tenant.FileOptions{Operation: "import"}); err != nil {
		var le *tenant.LockHeldError
		if errors.As(err, &le) {
			return openError(out, err) // the lock's holder and the way out
		}
		var ote *tenant.OtherTenantError
		if errors.As(err, &ote) {
			return withHint(err, fmt.Sprintf("the export was taken in another tenant's session: import it into another file, or, if %s is meant to follow the other tenant now, move it away first", out))
		}
		if errors.Is(err, tenant.ErrJournalPending) {
			return withHint(err, fmt.Sprintf("an apply of it did not finish: finish it ('callops apply --resume --state %s') or drop its journal ('callops state discard-journal --state %s'), then import again", out, out))
		}
		return err
	}
	return nil
}
