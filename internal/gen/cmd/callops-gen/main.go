// Command callops-gen writes a synthetic tenant for benchmarks (bench/run.sh):
// the desired state as CUE files, the current state as a callops-state/v1
// file, and the PowerShell export it would be imported from.
//
//	callops-gen -policies 2000 -users 25 -drift 0.05 -seed 1 -out DIR
//
// writes DIR/desired/*.cue, DIR/callops.state.json and DIR/export/*.json.
//
//	callops-gen -json-floor FILE
//
// only reads FILE and decodes it with encoding/json into the snapshot types,
// without any of callops' checks: the floor bench/run.sh compares state
// reading with.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/callops/callops/internal/gen"
	"github.com/callops/callops/tenant"
)

func main() {
	os.Exit(run(os.Args[1:]))
}

func run(args []string) int {
	fs := flag.NewFlagSet("callops-gen", flag.ContinueOnError)
	var opts gen.Options
	fs.IntVar(&opts.Policies, "policies", 2000, "policies in the desired state")
	fs.IntVar(&opts.UsersPerPolicy, "users", 25, "users granted each policy")
	fs.Int64Var(&opts.Seed, "seed", 1, "random seed (same seed, same tenant)")
	fs.Float64Var(&opts.Drift, "drift", 0.05, "fraction of policies and grants that differ between desired and current state")
	out := fs.String("out", "", "output directory (required)")
	noExport := fs.Bool("no-export", false, "do not write the PowerShell export")
	jsonFloor := fs.String("json-floor", "", "only decode state `FILE` with encoding/json (the state-reading floor)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *jsonFloor != "" {
		return decodeFloor(*jsonFloor)
	}
	if *out == "" || fs.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "callops-gen: -out DIR is required and no arguments are taken")
		return 2
	}
	t, err := gen.Generate(opts)
	if err != nil {
		fmt.Fprintf(os.Stderr, "callops-gen: %v\n", err)
		return 1
	}
	steps := []func() error{
		func() error { return t.WriteCUE(filepath.Join(*out, "desired")) },
		func() error { return t.WriteState(filepath.Join(*out, "callops.state.json")) },
	}
	if !*noExport {
		steps = append(steps, func() error { return t.WriteExport(filepath.Join(*out, "export")) })
	}
	for _, step := range steps {
		if err := step(); err != nil {
			fmt.Fprintf(os.Stderr, "callops-gen: %v\n", err)
			return 1
		}
	}
	d := t.Drift
	fmt.Printf("%s: %d policies, %d users granted; drift: %d users moved, %d emergency numbers changed, %d policies created, %d deleted\n",
		*out, len(t.Policies), t.Users(), d.MovedUsers, d.ChangedEmergency, d.CreatedPolicies, d.DeletedPolicies)
	return 0
}

// decodeFloor reads a state file with encoding/json alone.
func decodeFloor(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		fmt.Fprintf(os.Stderr, "callops-gen: %v\n", err)
		return 1
	}
	var s tenant.Snapshot
	if err := json.Unmarshal(data, &s); err != nil {
		fmt.Fprintf(os.Stderr, "callops-gen: decoding %s: %v\n", path, err)
		return 1
	}
	return 0
}
