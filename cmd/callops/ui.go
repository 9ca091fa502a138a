package main

// The output contract of callops (every command follows it):
//
//   - Results go to stdout: findings, plans, diffs, JSON. Programs read only
//     stdout, and only the versioned JSON formats are stable.
//   - Errors go to stderr as lines "callops: <what failed>: <why>", lowercase,
//     without a final period, optionally followed by one "hint: <what to do
//     next>" line. Never a Go panic or a stack trace.
//   - Color only when stdout is a terminal, NO_COLOR is unset or empty (a
//     non-empty value disables it, https://no-color.org) and --no-color is
//     not given.
//   - Exit codes: 0 success; 1 error (lint errors found, invalid input, stale
//     plan, lock held, apply failed); 2 only with plan --detailed-exitcode
//     when the plan has changes.

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// cliError carries an exit code and an optional hint out of a command.
// quiet errors have already been reported (findings printed, plan shown) and
// only set the exit code.
type cliError struct {
	code  int
	err   error
	hint  string
	quiet bool
}

func (e *cliError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

func (e *cliError) Unwrap() error { return e.err }

// exitCode ends a command with code and no message (what went wrong was
// already printed on stdout).
func exitCode(code int) error { return &cliError{code: code, quiet: true} }

// withHint attaches a "hint:" line to err.
func withHint(err error, hint string) error {
	var ce *cliError
	if errors.As(err, &ce) {
		c := *ce
		c.hint = hint
		return &c
	}
	return &cliError{code: 1, err: err, hint: hint}
}

// report prints err by the output contract and returns the exit code.
func report(stderr io.Writer, err error) int {
	if err == nil {
		return 0
	}
	code, hint := 1, ""
	var ce *cliError
	if errors.As(err, &ce) {
		code, hint = ce.code, ce.hint
		if ce.quiet {
			return code
		}
	}
	for _, line := range strings.Split(strings.TrimRight(err.Error(), "\n"), "\n") {
		fmt.Fprintf(stderr, "callops: %s\n", line)
	}
	if hint != "" {
		fmt.Fprintf(stderr, "hint: %s\n", hint)
	}
	return code
}

// colorEnabled reports whether output to w may be colored.
func colorEnabled(w io.Writer, noColorFlag bool) bool {
	return colorAllowed(noColorFlag, os.Getenv("NO_COLOR"), isTerminal(w) && os.Getenv("TERM") != "dumb")
}

// colorAllowed is the rule: a terminal (that is not TERM=dumb), no
// --no-color, and NO_COLOR unset or empty (https://no-color.org: "when
// present and not an empty string").
func colorAllowed(noColorFlag bool, noColorEnv string, terminal bool) bool {
	return terminal && !noColorFlag && noColorEnv == ""
}
