package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/tenant"
)

func init() { register(stateCommand) }

func stateCommand() *cli.Command {
	stateFlag := func() cli.Flag {
		return &cli.StringFlag{Name: "state", Usage: "state `FILE` (default: ./callops.state.json)", EnvVars: []string{"CALLOPS_STATE"}}
	}
	lockTimeoutFlag := func() cli.Flag {
		return &cli.DurationFlag{Name: "lock-timeout", Usage: "wait up to `D` for another callops to release the state lock"}
	}
	return &cli.Command{
		Name:  "state",
		Usage: "repair a state file: release a stale lock, restore the backup, drop a journal",
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return withHint(fmt.Errorf("unknown state command %q", c.Args().First()), "use callops state unlock ID, state restore or state discard-journal")
			}
			return cli.ShowSubcommandHelp(c)
		},
		Subcommands: []*cli.Command{
			{
				Name:      "unlock",
				Usage:     "release the lock a killed callops left on the state",
				ArgsUsage: "ID",
				Description: "unlock removes the state's lock file when its id is ID (the error of a locked apply\n" +
					"names it). Only do this when no callops is running on the state.",
				Flags: []cli.Flag{stateFlag()},
				Action: func(c *cli.Context) error {
					if c.NArg() != 1 {
						return withHint(errors.New("state unlock takes the lock id"), "the error of the locked command names it: callops state unlock ID")
					}
					return runUnlock(c.App.Writer, stateFile(".", c.String("state")), c.Args().First())
				},
			},
			{
				Name:  "restore",
				Usage: "put back the state as it was before the last write",
				Description: "restore replaces the state file by the backup the file backend keeps of the state\n" +
					"before its last write (FILE.backup).",
				Flags: []cli.Flag{stateFlag()},
				Action: func(c *cli.Context) error {
					if c.NArg() != 0 {
						return withHint(errors.New("state restore takes no arguments"), "name the state with --state FILE")
					}
					return runRestore(c.App.Writer, stateFile(".", c.String("state")))
				},
			},
			{
				Name:  "discard-journal",
				Usage: "drop the journal of an apply that will not be resumed",
				Description: "discard-journal removes the journal an interrupted or refused apply left beside the\n" +
					"state (FILE.journal). The state keeps the steps it holds; plan again to see what is left.",
				Flags: []cli.Flag{stateFlag(), lockTimeoutFlag()},
				Action: func(c *cli.Context) error {
					if c.NArg() != 0 {
						return withHint(errors.New("state discard-journal takes no arguments"), "name the state with --state FILE")
					}
					return runDiscardJournal(c.App.Writer, stateFile(".", c.String("state")), c.Duration("lock-timeout"))
				},
			},
		},
	}
}

func runDiscardJournal(stdout io.Writer, file string, lockTimeout time.Duration) (err error) {
	b, err := tenant.OpenFile(file, tenant.FileOptions{Operation: "state discard-journal", LockTimeout: lockTimeout})
	if err != nil {
		return openError(file, err)
	}
	defer closeBackend(b, &err)
	j, err := b.Pending()
	var jm *tenant.JournalMismatchError
	if err != nil && !errors.As(err, &jm) {
		return err
	}
	if j == nil && jm == nil {
		fmt.Fprintf(stdout, "State %s has no unfinished apply.\n", filepath.ToSlash(file))
		return nil
	}
	if err := b.Discard(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Dropped the journal of an unfinished apply of %s; the state keeps the steps it holds.\n", filepath.ToSlash(file))
	return nil
}

func runUnlock(stdout io.Writer, file, id string) error {
	if err := tenant.Unlock(file, id); err != nil {
		switch {
		case errors.Is(err, fs.ErrNotExist):
			if _, serr := os.Stat(file); errors.Is(serr, fs.ErrNotExist) {
				return withHint(fmt.Errorf("state %s does not exist", filepath.ToSlash(file)),
					"--state (or CALLOPS_STATE) names the state file whose lock to release")
			}
			return withHint(fmt.Errorf("state %s is not locked", filepath.ToSlash(file)), "nothing to do")
		case errors.Is(err, tenant.ErrLockMismatch):
			return withHint(err, "the lock is held by another run now; check that no callops is running before unlocking it by its id")
		}
		return err
	}
	fmt.Fprintf(stdout, "State %s unlocked.\n", filepath.ToSlash(file))
	return nil
}

func runRestore(stdout io.Writer, file string) error {
	if err := tenant.RestoreBackup(file); err != nil {
		var le *tenant.LockHeldError
		if errors.As(err, &le) {
			return openError(file, err)
		}
		if errors.Is(err, fs.ErrNotExist) {
			return withHint(fmt.Errorf("restoring %s: %w", filepath.ToSlash(file), err), "the backup is written by the first change of an apply; there is none yet")
		}
		return err
	}
	fmt.Fprintf(stdout, "State %s restored from its backup.\n", filepath.ToSlash(file))
	return nil
}
