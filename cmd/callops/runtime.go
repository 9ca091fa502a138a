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
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// tuneGC trades memory for time while the state and the desired state are
// decoded: CUE evaluation and state decoding allocate heavily, and the
// default GOGC=100 spent a third of a 2,000-policy plan's CPU in the
// collector. The heap may grow to five times what is live (gcPercent), and
// a soft limit of 400 MiB (gcMemoryLimit) is what bounds memory: at 5,000
// policies and 125,000 users the limit, not GOGC, decides when the
// collector runs last, and plan peaks near 440 MiB of RSS. GOGC and
// GOMEMLIMIT set by the user win.
//
// An earlier version also lowered GOGC to 200 for states over 20 MB to save
// memory; that made the larger tenant pay about 10% more CPU than the same
// work at the smaller size (plan's cost grew 2.8 times from 2,000 to 5,000
// policies, against 2.5 times the data), while the soft limit already kept
// it under the 500 MB budget (bench/RESULTS.md).
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(gcPercent)
	}
	if _, set := os.LookupEnv("GOMEMLIMIT"); !set {
		debug.SetMemoryLimit(gcMemoryLimit)
	}
}

const (
	gcPercent     = 400
	gcMemoryLimit = 400 << 20
)

// stateResult is a state read in the background.
type stateResult struct {
	s   *tenant.Snapshot
	err error
}

// readStateAsync runs read on another goroutine and returns a function that
// waits for its result: CUE evaluates the desired state on one core, and the
// state's decoding, its index and the inventory's phone numbers (most of
// the desired numbers; ~40µs each, cached process-wide) use the other. It
// tunes the collector first (tuneGC).
func readStateAsync(read func() (*tenant.Snapshot, error)) func() (*tenant.Snapshot, error) {
	tuneGC()
	c := make(chan stateResult, 1)
	go func() {
		s, err := read()
		if s != nil {
			s.UserByUPN("") // builds the index
			nums := make([]string, len(s.Numbers))
			for i, n := range s.Numbers {
				nums[i] = n.TelephoneNumber
			}
			phone.ParseAll(nums) // waits for those prewarmNumbers is parsing

		}
		c <- stateResult{s, err}
	}()
	return func() (*tenant.Snapshot, error) {
		r := <-c
		return r.s, r.err
	}
}

// maxPrewarmNumbers bounds prewarmNumbers: hostile files full of number
// literals must not buy unbounded parsing before CUE has even said whether
// they are a desired state.
const maxPrewarmNumbers = 100_000

// prewarmNumbers parses, on other goroutines, the telephone numbers written
// literally in files ("+" and digits, with an optional ";ext=digits"), into
// internal/phone's process-wide cache, and returns a function that waits for
// it. CUE evaluates on one core; the lint rules and the plan then find every
// literal number parsed (libphonenumber costs about 25µs a number, and a
// 2,000-policy tenant writes about 6,000 of them). Numbers CUE computes are
// parsed when the rules need them, as before.
func prewarmNumbers(files []schema.File) (wait func()) {
	var nums []string
	for _, f := range files {
		nums = appendNumberLiterals(nums, f.Data, maxPrewarmNumbers)
	}
	if len(nums) == 0 {
		return func() {}
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		phone.ParseAll(nums)
	}()
	return func() { <-done }
}

// appendNumberLiterals appends to nums the strings of data that are double
// quoted and look like an E.164 number, up to max in all. It does not parse
// CUE: a number in a comment is parsed for nothing, which costs only time.
func appendNumberLiterals(nums []string, data []byte, max int) []string {
	for i := 0; i+1 < len(data) && len(nums) < max; i++ {
		if data[i] != '"' || data[i+1] != '+' {
			continue
		}
		j := i + 2
		for j < len(data) && (data[j] >= '0' && data[j] <= '9' || data[j] == ';' || data[j] == '=' || data[j] == 'e' || data[j] == 'x' || data[j] == 't') {
			j++
		}
		if j < len(data) && data[j] == '"' && j > i+2 && j-i-1 <= len("+123456789012345;ext=123456789012345") {
			nums = append(nums, string(data[i+1:j]))
		}
		i = j
	}
	return nums
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
