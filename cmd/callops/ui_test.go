package main

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

func TestColorAllowed(t *testing.T) {
	tests := []struct {
		flag     bool
		env      string
		terminal bool
		want     bool
	}{
		{false, "", true, true},
		{true, "", true, false},   // --no-color
		{false, "1", true, false}, // NO_COLOR set
		{false, "", false, false}, // not a terminal
		{true, "1", false, false},
	}
	for _, tt := range tests {
		if got := colorAllowed(tt.flag, tt.env, tt.terminal); got != tt.want {
			t.Errorf("colorAllowed(flag=%v, NO_COLOR=%q, terminal=%v) = %v, want %v", tt.flag, tt.env, tt.terminal, got, tt.want)
		}
	}
	if isTerminal(&bytes.Buffer{}) {
		t.Error("a buffer is a terminal")
	}
	f, err := os.CreateTemp(t.TempDir(), "out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if isTerminal(f) {
		t.Error("a regular file is a terminal")
	}
}

// TestIsTerminalThroughCheckedWriter: run wraps stdout to catch write
// errors (app.go); color still follows the terminal behind the wrapper.
// /dev/zero stands in for a terminal: a character device other than the
// null device.
func TestIsTerminalThroughCheckedWriter(t *testing.T) {
	f, err := os.OpenFile("/dev/zero", os.O_WRONLY, 0)
	if err != nil {
		t.Skipf("no /dev/zero: %v", err)
	}
	defer f.Close()
	if !isTerminal(f) || !isTerminal(&checkedWriter{w: f}) {
		t.Errorf("isTerminal(char device) = %v, through checkedWriter = %v; want both true", isTerminal(f), isTerminal(&checkedWriter{w: f}))
	}
	if isTerminal(&checkedWriter{w: &bytes.Buffer{}}) {
		t.Error("a buffer behind checkedWriter is a terminal")
	}
}

// failingWriter fails every write, as a full disk does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestUncheckedOutputFails: output a command does not check itself (help,
// --version) still makes callops fail when it cannot be written.
func TestUncheckedOutputFails(t *testing.T) {
	for _, args := range [][]string{{"callops", "--version"}, {"callops", "help"}, {"callops", "plan", "--help"}} {
		var stderr bytes.Buffer
		if code := run(args, strings.NewReader(""), failingWriter{}, &stderr); code != 1 {
			t.Errorf("%v: exit %d, want 1", args, code)
		}
		if want := "callops: writing output: no space left on device\n"; stderr.String() != want {
			t.Errorf("%v: stderr %q, want %q", args, stderr.String(), want)
		}
	}
}

// TestColorDumbTerminal: TERM=dumb gets no color, even on a terminal.
func TestColorDumbTerminal(t *testing.T) {
	f, err := os.OpenFile("/dev/zero", os.O_WRONLY, 0) // a character device: a terminal to isTerminal
	if err != nil {
		t.Skipf("no /dev/zero: %v", err)
	}
	defer f.Close()
	t.Setenv("NO_COLOR", "")
	t.Setenv("TERM", "xterm-256color")
	if !colorEnabled(f, false) {
		t.Fatal("no color on a terminal with TERM=xterm-256color")
	}
	t.Setenv("TERM", "dumb")
	if colorEnabled(f, false) {
		t.Error("color with TERM=dumb")
	}
}

// TestDiffMaxUsersNegative: a negative --max-users is refused, not taken
// as "none".
func TestDiffMaxUsersNegative(t *testing.T) {
	var stderr bytes.Buffer
	if code := run([]string{"callops", "diff", "--base", "HEAD", "--max-users", "-5", "."}, strings.NewReader(""), &bytes.Buffer{}, &stderr); code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	if !strings.HasPrefix(stderr.String(), "callops: --max-users is -5\nhint: ") {
		t.Errorf("stderr %q", stderr.String())
	}
}
