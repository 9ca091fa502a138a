package main

// Limits for untrusted input. A pull request from anyone is linted and
// planned in CI, so the desired state may be hostile: the loader refuses
// oversized files and too many files (schema.Options) and stops CUE
// evaluation after --timeout. See docs/safety.md.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/schema"
)

// timeoutFlag is --timeout of lint, plan and apply DIR: how long the CUE
// evaluation of the desired state may take. sourceFrom reads it.
func timeoutFlag() cli.Flag {
	return &cli.DurationFlag{
		Name:  "timeout",
		Value: schema.DefaultTimeout,
		Usage: "stop evaluating the desired state after `D` (a pathological input would run for ever)",
	}
}

// timeoutFrom reads --timeout where the command has it; 0 (the loader's
// default) where it does not. A timeout that is not positive is refused.
func timeoutFrom(c *cli.Context) (time.Duration, error) {
	if !hasFlag(c, "timeout") {
		return 0, nil
	}
	d := c.Duration("timeout")
	if d <= 0 {
		return 0, withHint(errors.New("--timeout must be positive"), fmt.Sprintf("use a duration such as %s (the default)", schema.DefaultTimeout))
	}
	return d, nil
}

func hasFlag(c *cli.Context, name string) bool {
	if c.Command == nil {
		return false
	}
	for _, f := range c.Command.Flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

// timeoutError adds the way out to an evaluation that ran out of time:
// err is what the loader returned after took, with limit the timeout.
func timeoutError(err error, took, limit time.Duration) error {
	var le *schema.LoadError
	if err == nil || errors.As(err, &le) || took < limit {
		return err
	}
	return withHint(err, "the desired state is pathological or very large; if it is yours and only large, raise --timeout")
}

// refuseLinkedState refuses a default state file (DIR/callops.state.json)
// that is a symbolic link: DIR may come from an untrusted pull request, and
// a link would make callops read, and echo parts of, a file outside DIR. A
// state named with --state or CALLOPS_STATE (explicit) is the operator's
// choice and may be a link.
func refuseLinkedState(dir, explicit string) error {
	if explicit != "" {
		return nil
	}
	file := filepath.Join(dir, defaultStateFile)
	fi, err := os.Lstat(file)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return nil
	}
	return withHint(fmt.Errorf("state %s is a symbolic link; callops reads only regular files inside DIR", filepath.ToSlash(file)),
		"name the state file with --state FILE if the link is yours")
}
