//go:build callops_failpoints

package main

// Failpoints for crash and locking tests of the real command (crash_test.go
// builds callops with -tags callops_failpoints). Release builds do not
// contain this file: no environment variable can make them stop mid-apply.
//
// CALLOPS_TEST_FAILPOINT=NAME[#N][:exit|:pause] acts at the N-th time (1 if
// not given) the file backend reaches the failpoint NAME (see
// tenant.SetFailpoint): "exit" ends the process at once with status 3, as a
// kill would (no deferred cleanup, the lock and journal stay); "pause" (the
// default) prints "callops-failpoint: paused at NAME" on stderr and waits to
// be killed, so the test can kill it with SIGKILL or run a second callops
// against the held lock; "sleep" prints the same line and goes on after two
// seconds, so the test can interrupt a step in progress.

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/callops/callops/tenant"
)

func init() {
	spec := os.Getenv("CALLOPS_TEST_FAILPOINT")
	if spec == "" {
		return
	}
	action := "pause"
	if i := strings.LastIndexByte(spec, ':'); i >= 0 {
		spec, action = spec[:i], spec[i+1:]
	}
	name, nth := spec, 1
	if i := strings.IndexByte(spec, '#'); i >= 0 {
		name = spec[:i]
		nth, _ = strconv.Atoi(spec[i+1:])
	}
	calls := 0
	tenant.SetFailpoint(func(at string) {
		if at != name {
			return
		}
		if calls++; calls != nth {
			return
		}
		if action == "exit" {
			os.Exit(3)
		}
		fmt.Fprintf(os.Stderr, "callops-failpoint: paused at %s\n", at)
		if action == "sleep" {
			time.Sleep(2 * time.Second)
			return
		}
		for { // not select {}: the runtime would call that a deadlock
			time.Sleep(time.Hour)
		}
	})
}
