package main

// Limits for untrusted input. A pull request from anyone is linted and
// planned in CI, so the desired state may be hostile: the loader refuses
// oversized files and too many files (schema.Options), stops CUE
// evaluation after --timeout and when its live heap passes --max-memory.
// See docs/safety.md.

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/schema"
)

// timeoutFlag is --timeout of lint, plan and apply DIR: how long the CUE
// evaluation of the desired state may take. sourceFrom reads it.
func timeoutFlag() cli.Flag {
	return &cli.DurationFlag{
		Name:  "timeout",
		Value: schema.DefaultTimeout,
		Usage: "stop evaluating the desired state after `D` (a pathological input would run for ever)",
	}
}

// timeoutFrom reads --timeout where the command has it; 0 (the loader's
// default) where it does not. A timeout that is not positive is refused.
func timeoutFrom(c *cli.Context) (time.Duration, error) {
	if !hasFlag(c, "timeout") {
		return 0, nil
	}
	d := c.Duration("timeout")
	if d <= 0 {
		return 0, withHint(errors.New("--timeout must be positive"), fmt.Sprintf("use a duration such as %s (the default)", schema.DefaultTimeout))
	}
	return d, nil
}

func hasFlag(c *cli.Context, name string) bool {
	if c.Command == nil {
		return false
	}
	for _, f := range c.Command.Flags {
		for _, n := range f.Names() {
			if n == name {
				return true
			}
		}
	}
	return false
}

// timeoutError adds the way out to an evaluation that ran out of time:
// err is what the loader returned after took, with limit the timeout.
func timeoutError(err error, took, limit time.Duration) error {
	var le *schema.LoadError
	if err == nil || errors.As(err, &le) || took < limit {
		return err
	}
	return withHint(err, "the desired state is pathological or very large; if it is yours and only large, raise --timeout")
}

// refuseLinkedState refuses a default state file (DIR/callops.state.json)
// that is a symbolic link: DIR may come from an untrusted pull request, and
// a link would make callops read, and echo parts of, a file outside DIR. A
// state named with --state or CALLOPS_STATE (explicit) is the operator's
// choice and may be a link.
func refuseLinkedState(dir, explicit string) error {
	if explicit != "" {
		return nil
	}
	file := filepath.Join(dir, defaultStateFile)
	fi, err := os.Lstat(file)
	if err != nil || fi.Mode()&os.ModeSymlink == 0 {
		return nil
	}
	return withHint(fmt.Errorf("state %s is a symbolic link; callops reads only regular files inside DIR", filepath.ToSlash(file)),
		"name the state file with --state FILE if the link is yours")
}

// defaultMaxMemory is --max-memory's default, and the limit of every load
// of a command without the flag (diff). A 50,000-user tenant (2,000
// policies) lints and plans in about 300 MB resident; a pathological list
// within the file size limit grows past several GB before the timeout.
const (
	defaultMaxMemory      = "2GiB"
	defaultMaxMemoryBytes = 2 << 30
)

// maxMemoryFlag is --max-memory of lint, plan and apply DIR.
func maxMemoryFlag() cli.Flag {
	return &cli.StringFlag{
		Name:  "max-memory",
		Value: defaultMaxMemory,
		Usage: "stop evaluating the desired state when its live heap passes `SIZE` (e.g. 512MiB, 4GiB; 0: no limit)",
	}
}

// maxMemoryFrom reads --max-memory where the command has it, as
// desiredSource.maxMemory holds it: 0 (the default) where it does not, -1
// for "--max-memory 0" (no limit).
func maxMemoryFrom(c *cli.Context) (int64, error) {
	if !hasFlag(c, "max-memory") {
		return 0, nil
	}
	n, err := parseSize(c.String("max-memory"))
	if err != nil {
		return 0, withHint(fmt.Errorf("--max-memory: %w", err), "use a size such as 512MiB or 4GiB, or 0 for no limit")
	}
	if n == 0 {
		return -1, nil
	}
	return n, nil
}

// memoryLimit is the limit a load with src.maxMemory uses: the default for
// 0, none (0) for a negative value.
func memoryLimit(maxMemory int64) int64 {
	switch {
	case maxMemory == 0:
		return defaultMaxMemoryBytes
	case maxMemory < 0:
		return 0
	}
	return maxMemory
}

// parseSize reads a byte count with an optional unit: B, KB, MB, GB
// (powers of 1000) or KiB, MiB, GiB (powers of 1024).
func parseSize(s string) (int64, error) {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"B", 1}}
	num, mult := strings.TrimSpace(s), int64(1)
	for _, u := range units {
		if strings.HasSuffix(num, u.suffix) {
			num, mult = strings.TrimSpace(strings.TrimSuffix(num, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("%q is not a size", s)
	}
	return n * mult, nil
}

// limitsFrom reads --timeout and --max-memory into src (sourceFrom).
func limitsFrom(c *cli.Context, src *desiredSource) error {
	var err error
	if src.timeout, err = timeoutFrom(c); err != nil {
		return err
	}
	src.maxMemory, err = maxMemoryFrom(c)
	return err
}

// memoryPoll is how often loadWithin looks at the live heap.
const memoryPoll = 50 * time.Millisecond

// loadWithin is schema.LoadFiles with a memory limit: it sets the garbage
// collector's soft limit to maxMemory (so garbage does not count) and
// returns an error as soon as the live heap after a collection passes it.
// The evaluation goes on in the background until the process exits, which
// a command does at once after an error, as after a timeout. maxMemory 0
// is no limit.
func loadWithin(files []schema.File, opt schema.Options, maxMemory int64) (*schema.Desired, error) {
	if maxMemory <= 0 {
		return schema.LoadFiles(files, opt)
	}
	prev := debug.SetMemoryLimit(maxMemory)
	defer debug.SetMemoryLimit(prev)
	type result struct {
		d   *schema.Desired
		err error
	}
	done := make(chan result, 1)
	go func() {
		d, err := schema.LoadFiles(files, opt)
		done <- result{d, err}
	}()
	tick := time.NewTicker(memoryPoll)
	defer tick.Stop()
	live := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	for {
		select {
		case r := <-done:
			return r.d, r.err
		case <-tick.C:
			metrics.Read(live)
			if live[0].Value.Kind() == metrics.KindUint64 && live[0].Value.Uint64() > uint64(maxMemory) {
				return nil, withHint(fmt.Errorf("evaluating desired state used more than %s of memory (pathological input?)", formatSize(maxMemory)),
					"the desired state is pathological or very large; if it is yours and only large, raise --max-memory")
			}
		}
	}
}

// formatSize writes n in the largest binary unit that divides it.
func formatSize(n int64) string {
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return fmt.Sprintf("%d %s", n/u.mult, u.suffix)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
