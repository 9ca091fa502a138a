package main

import (
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"

	"github.com/callops/callops/tenant"
)

// TestReadStateAsync: the state and its error come back from the other
// goroutine, and the collector is tuned by the state file's size (GOGC 400
// for a small state or none, 60 for one over gcTuneStateLimit) unless GOGC
// is set.
func TestReadStateAsync(t *testing.T) {
	if _, set := os.LookupEnv("GOGC"); set {
		t.Skip("GOGC is set: callops leaves the collector alone")
	}
	prev := debug.SetGCPercent(100)
	prevLimit := debug.SetMemoryLimit(-1)
	defer debug.SetGCPercent(prev)
	defer debug.SetMemoryLimit(prevLimit)

	dir := t.TempDir()
	small := filepath.Join(dir, "small.json")
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(small, []byte("{}"), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(gcTuneStateLimit + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()

	want := &tenant.Snapshot{Format: tenant.Format}
	wantErr := errors.New("broken state")
	for _, tt := range []struct {
		file string
		gc   int
	}{{small, 400}, {"", 400}, {big, 60}} {
		debug.SetGCPercent(100)
		wait := readStateAsync(tt.file, func() (*tenant.Snapshot, error) { return want, wantErr })
		s, err := wait()
		if s != want || err != wantErr {
			t.Errorf("%q: got %v, %v", tt.file, s, err)
		}
		if got := debug.SetGCPercent(100); got != tt.gc {
			t.Errorf("%q: GOGC %d, want %d", tt.file, got, tt.gc)
		}
	}
}
