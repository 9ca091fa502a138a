package main

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/callops/callops/apply"
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

// TestStoppedError: an apply a signal stopped before its journal says
// nothing was applied and exits 130; one stopped between steps exits 1 and
// names the --resume command; any other error is not its business.
func TestStoppedError(t *testing.T) {
	cause := errors.New("interrupted (interrupt)")
	for _, tt := range []struct {
		err  error
		code int
		want string
	}{
		{&apply.StoppedError{Total: 7, Cause: cause, NotStarted: true}, 130,
			"callops: apply interrupted before its first step: nothing was applied\n"},
		{&apply.StoppedError{Applied: 1, Total: 7, Cause: cause}, 1,
			"callops: apply stopped after step 1 of 7: interrupted (interrupt)\nhint: 1 step before it was applied and saved; finish the plan with 'callops apply --resume --state s.json'\n"},
		{&apply.StoppedError{Applied: 3, Total: 7, Cause: cause}, 1,
			"callops: apply stopped after step 3 of 7: interrupted (interrupt)\nhint: 3 steps before it were applied and saved; finish the plan with 'callops apply --resume --state s.json'\n"},
	} {
		var out bytes.Buffer
		if code := report(&out, stoppedError("apply", tt.err, "s.json")); code != tt.code || out.String() != tt.want {
			t.Errorf("%v: exit %d, output\n%s\nwant exit %d,\n%s", tt.err, code, out.String(), tt.code, tt.want)
		}
	}
	if err := stoppedError("apply", errors.New("refused"), "s.json"); err != nil {
		t.Errorf("another error became %v", err)
	}
}
