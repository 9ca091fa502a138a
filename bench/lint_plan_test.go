package bench

import (
	"testing"

	"github.com/callops/callops/apply"
	"github.com/callops/callops/lint"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// load reads the fixture's desired state and current state as the CLI does.
func load(tb testing.TB, f *fixture) (*schema.Desired, *tenant.Snapshot) {
	d, err := schema.Load(f.desired, schema.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	s, err := readState(f.statePath)
	if err != nil {
		tb.Fatal(err)
	}
	return d, s
}

// lintErrors fails tb when findings hold an error: a generated tenant lints
// clean.
func lintErrors(tb testing.TB, findings []lint.Finding) {
	for _, f := range findings {
		if f.Severity == lint.Error {
			tb.Fatalf("generated tenant has lint error: %s", f)
		}
	}
}

// BenchmarkLoad is schema.Load alone: CUE evaluation of the files unified
// with the #Tenant schema, and decoding into the model.
func BenchmarkLoad(b *testing.B) {
	for _, s := range []scale{scale2000, scale5000} {
		b.Run(s.String(), func(b *testing.B) {
			f := getFixture(b, s, drift)
			for b.Loop() {
				if _, err := schema.Load(f.desired, schema.Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkLint is `callops lint DIR --state FILE` without printing: load,
// read the state, run every rule.
func BenchmarkLint(b *testing.B) {
	for _, s := range []scale{scale2000, scale5000} {
		b.Run(s.String(), func(b *testing.B) {
			f := getFixture(b, s, drift)
			for b.Loop() {
				d, st := load(b, f)
				lintErrors(b, lint.Run(d, st))
			}
		})
	}
}

// BenchmarkLintRules is lint.Run alone, on a loaded desired state and state.
// Numbers are parsed through internal/phone's process-wide cache, so after
// the first iteration this measures the rules with a warm cache.
func BenchmarkLintRules(b *testing.B) {
	for _, s := range []scale{scale2000, scale5000} {
		b.Run(s.String(), func(b *testing.B) {
			f := getFixture(b, s, drift)
			d, st := load(b, f)
			b.ResetTimer()
			for b.Loop() {
				lintErrors(b, lint.Run(d, st))
			}
		})
	}
}

// BenchmarkPlan is `callops plan DIR --state FILE` without printing: load,
// read the state, lint (plan refuses a desired state with lint errors),
// build and verify the plan.
func BenchmarkPlan(b *testing.B) {
	for _, s := range []scale{scale2000, scale5000} {
		b.Run(s.String(), func(b *testing.B) {
			f := getFixture(b, s, drift)
			for b.Loop() {
				d, st := load(b, f)
				lintErrors(b, lint.Run(d, st))
				if _, err := apply.Build(d, st); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPlanBuild is apply.Build alone (diff, ordering, simulation) on a
// loaded desired state and state.
func BenchmarkPlanBuild(b *testing.B) {
	for _, s := range []scale{scale2000, scale5000} {
		b.Run(s.String(), func(b *testing.B) {
			f := getFixture(b, s, drift)
			d, st := load(b, f)
			b.ResetTimer()
			for b.Loop() {
				if _, err := apply.Build(d, st); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
