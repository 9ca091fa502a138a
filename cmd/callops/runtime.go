package main

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/internal/phone"
	"github.com/callops/callops/tenant"
)

// tuneGC trades memory for time in a short-lived process: CUE evaluation and
// the state's decoding allocate heavily and the default GOGC=100 spends a
// third of a large plan's CPU in the collector. The heap may grow to five
// times what is live, within a soft limit of 450 MiB (the memory target for a
// 5,000-policy, 125,000-user tenant is 500 MB). GOGC and GOMEMLIMIT set by the
// user win.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(400)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(450 << 20)
	}
}

// stateResult is a state read in the background.
type stateResult struct {
	s   *tenant.Snapshot
	err error
}

// readStateAsync runs read on another goroutine and returns a function that
// waits for its result. CUE evaluates the desired state on one core; the
// state's decoding and index use the other meanwhile.
func readStateAsync(read func() (*tenant.Snapshot, error)) func() (*tenant.Snapshot, error) {
	c := make(chan stateResult, 1)
	go func() {
		s, err := read()
		if s != nil {
			// Build the lookup index and parse the inventory's numbers
			// (lint and plan parse the desired numbers, most of which
			// are in the inventory; phone parsing costs ~40µs a number
			// and is cached process-wide) while the other core evaluates
			// CUE.
			s.UserByUPN("")
			for _, n := range s.Numbers {
				phone.Parse(n.TelephoneNumber)
			}
		}
		c <- stateResult{s, err}
	}()
	return func() (*tenant.Snapshot, error) {
		r := <-c
		return r.s, r.err
	}
}

// profileFlags are hidden global flags for measuring callops itself
// (bench/run.sh, docs/performance.md): callops --cpuprofile F lint DIR.
func profileFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "cpuprofile", Hidden: true, Usage: "write a CPU profile to `FILE`"},
		&cli.StringFlag{Name: "memprofile", Hidden: true, Usage: "write a heap profile to `FILE` at exit"},
	}
}

var cpuProfile *os.File

func startProfiles(c *cli.Context) error {
	name := c.String("cpuprofile")
	if name == "" {
		return nil
	}
	f, err := os.Create(name)
	if err != nil {
		return fmt.Errorf("creating CPU profile: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return fmt.Errorf("starting CPU profile: %w", err)
	}
	cpuProfile = f
	return nil
}

func stopProfiles(c *cli.Context) error {
	if cpuProfile != nil {
		pprof.StopCPUProfile()
		cpuProfile.Close()
		cpuProfile = nil
	}
	if name := c.String("memprofile"); name != "" {
		f, err := os.Create(name)
		if err != nil {
			return fmt.Errorf("creating heap profile: %w", err)
		}
		defer f.Close()
		runtime.GC()
		if err := pprof.WriteHeapProfile(f); err != nil {
			return fmt.Errorf("writing heap profile: %w", err)
		}
	}
	return nil
}

// modelCacheDir is where evaluated desired states are cached, keyed by the
// digest of their files (schema/cache.go): $XDG_CACHE_HOME/callops, else the
// user's cache directory. CALLOPS_NO_CACHE (any value) disables the cache;
// so does a machine without a cache directory.
func modelCacheDir() string {
	if _, off := os.LookupEnv("CALLOPS_NO_CACHE"); off {
		return ""
	}
	dir, err := os.UserCacheDir() // honours XDG_CACHE_HOME
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "callops")
}
