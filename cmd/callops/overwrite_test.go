package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"github.com/callops/callops/tenant"
)

// TestOpenErrorStaleLock: a lock whose holder is gone from this host gets
// the way out (unlock, then resume), not "wait for it to finish".
func TestOpenErrorStaleLock(t *testing.T) {
	for _, tt := range []struct {
		stale bool
		want  string
	}{
		{true, "hint: release it: callops state unlock 4f2a9c --state s.json; then 'callops apply --resume' finishes an apply it interrupted"},
		{false, "hint: wait for it to finish (--lock-timeout), or if no callops is running: callops state unlock 4f2a9c --state s.json"},
	} {
		err := openError("s.json", &tenant.LockHeldError{Path: "s.json.lock", ID: "4f2a9c", PID: 4242, Host: "h", Operation: "apply", Time: time.Unix(0, 0), Stale: tt.stale})
		var out bytes.Buffer
		if code := report(&out, err); code != 1 {
			t.Errorf("stale=%v: exit %d, want 1", tt.stale, code)
		}
		if !strings.Contains(out.String(), tt.want+"\n") {
			t.Errorf("stale=%v: got\n%s\nwant the line %q", tt.stale, out.String(), tt.want)
		}
	}
}
