package bench

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"

	"github.com/callops/callops/tenant"
)

// This file measures the floors: what any tool reading the same inputs must
// pay. It imports cuelang.org/go directly, in a test file of a benchmark
// package, so that the floor is CUE alone, without callops' schema.

// evalCUE reads, parses and evaluates the CUE package in dir, and checks
// that it is concrete: `cue vet -c` / `cue export` of the same files, without
// the #Tenant schema.
func evalCUE(dir string) (cue.Value, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return cue.Value{}, err
	}
	inst := build.NewContext().NewInstance("", nil)
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".cue") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return cue.Value{}, err
		}
		var f *ast.File
		if f, err = parser.ParseFile(e.Name(), data); err != nil {
			return cue.Value{}, err
		}
		if err := inst.AddSyntax(f); err != nil {
			return cue.Value{}, err
		}
	}
	v := cuecontext.New().BuildInstance(inst)
	if err := v.Validate(cue.Concrete(true)); err != nil {
		return cue.Value{}, err
	}
	return v, nil
}

// BenchmarkFloorCUE is the floor of lint and plan's loading: CUE evaluation
// of the desired-state files alone.
func BenchmarkFloorCUE(b *testing.B) {
	for _, s := range []scale{scale2000, scale5000} {
		b.Run(s.String(), func(b *testing.B) {
			f := getFixture(b, s, drift)
			for b.Loop() {
				if _, err := evalCUE(f.desired); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkFloorJSON is the floor of state reading: encoding/json decoding
// of the state file into the snapshot types, without callops' checks.
func BenchmarkFloorJSON(b *testing.B) {
	for _, s := range []scale{scale2000, scale5000} {
		b.Run(s.String(), func(b *testing.B) {
			f := getFixture(b, s, drift)
			b.SetBytes(int64(len(f.stateJSON)))
			for b.Loop() {
				data, err := os.ReadFile(f.statePath)
				if err != nil {
					b.Fatal(err)
				}
				var snap tenant.Snapshot
				if err := json.Unmarshal(data, &snap); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkStateRead is callops' state reader (tenant.Parse: format check,
// strict decoding, Validate) on the same file as BenchmarkFloorJSON.
func BenchmarkStateRead(b *testing.B) {
	for _, s := range []scale{scale2000, scale5000} {
		b.Run(s.String(), func(b *testing.B) {
			f := getFixture(b, s, drift)
			b.SetBytes(int64(len(f.stateJSON)))
			for b.Loop() {
				if _, err := readState(f.statePath); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func readState(path string) (*tenant.Snapshot, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := tenant.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return s, nil
}
