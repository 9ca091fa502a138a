package main

import (
	"bytes"
	"os"
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
