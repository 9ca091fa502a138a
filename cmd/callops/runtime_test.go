package main

import (
	"errors"
	"math"
	"os"
	"runtime/debug"
	"strconv"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/internal/phone"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// TestReadStateAsync: the state and its error come back from the other
// goroutine, and the collector is tuned (GOGC 400 within a soft limit of
// 400 MiB, whatever the state's size) unless GOGC or GOMEMLIMIT is set.
func TestReadStateAsync(t *testing.T) {
	if _, set := os.LookupEnv("GOGC"); set {
		t.Skip("GOGC is set: callops leaves the collector alone")
	}
	prev := debug.SetGCPercent(100)
	prevLimit := debug.SetMemoryLimit(-1)
	defer debug.SetGCPercent(prev)
	defer debug.SetMemoryLimit(prevLimit)

	debug.SetMemoryLimit(math.MaxInt64)
	want := &tenant.Snapshot{Format: tenant.Format}
	wantErr := errors.New("broken state")
	wait := readStateAsync(func() (*tenant.Snapshot, error) { return want, wantErr })
	s, err := wait()
	if s != want || err != wantErr {
		t.Errorf("got %v, %v; want the read's own", s, err)
	}
	if got := debug.SetGCPercent(100); got != gcPercent {
		t.Errorf("GOGC %d, want %d", got, gcPercent)
	}
	if limit := debug.SetMemoryLimit(-1); limit != gcMemoryLimit && os.Getenv("GOMEMLIMIT") == "" {
		t.Errorf("memory limit %d, want %d", limit, gcMemoryLimit)
	}
}

// TestAppendNumberLiterals: the prewarm scan finds quoted E.164 literals
// (with an extension too), skips what is not one, and stops at max.
func TestAppendNumberLiterals(t *testing.T) {
	src := []byte(`ra: {number: "+14255550100", type: "CallingPlan"}
users: ["a@x.com", "+1 425"]  // "+14255550199" in a comment counts too
u: number: "+14255550101;ext=12"
bad: "+1425abc" other: "+" last: "+4930123456`)
	got := appendNumberLiterals(nil, src, 10)
	want := []string{"+14255550100", "+14255550199", "+14255550101;ext=12"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("literals (-want +got):\n%s", diff)
	}
	if got := appendNumberLiterals(nil, src, 2); len(got) != 2 {
		t.Errorf("max 2: got %d literals", len(got))
	}
}

// prewarmRuns counts TestPrewarmNumbers' runs in this process (go test
// -count N): each needs a number the cache has not seen.
var prewarmRuns int

// TestPrewarmNumbers: after the wait, the literals are in the process-wide
// phone cache (the rules then parse none of them again).
func TestPrewarmNumbers(t *testing.T) {
	prewarmRuns++
	n := "+442079460" + strconv.Itoa(100+(os.Getpid()+prewarmRuns)%900)
	before := phone.CacheLen()
	prewarmNumbers([]schema.File{{Name: "a.cue", Data: []byte(`x: "` + n + `"`)}})()
	if phone.CacheLen() != before+1 {
		t.Errorf("cache grew from %d to %d, want one more", before, phone.CacheLen())
	}
	if wait := prewarmNumbers([]schema.File{{Name: "a.cue", Data: []byte("x: 1")}}); wait == nil {
		t.Error("nil wait for no numbers")
	}
}
