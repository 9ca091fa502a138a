package bench

import (
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"

	"github.com/callops/callops/apply"
	"github.com/callops/callops/internal/gen"
	"github.com/callops/callops/lint"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// These tests check work, not time: allocation counts are deterministic
// enough to compare, and they do not depend on the machine or its load.
// Sizes are small so that `go test ./...` stays fast.

// workTenant generates a small tenant in memory.
func workTenant(t *testing.T, policies, users int) (*gen.Tenant, []schema.File, []byte) {
	t.Helper()
	g, err := gen.Generate(gen.Options{Policies: policies, UsersPerPolicy: users, Seed: 1, Drift: drift})
	if err != nil {
		t.Fatal(err)
	}
	state, err := g.StateJSON()
	if err != nil {
		t.Fatal(err)
	}
	return g, g.CUEFiles(), state
}

// evalWithSchema is the least any loader must do: parse the files, evaluate
// them once, unify with #Tenant and check that the result is concrete.
func evalWithSchema(t *testing.T, files []schema.File) {
	inst := build.NewContext().NewInstance("", nil)
	for _, f := range files {
		af, err := parser.ParseFile(f.Name, f.Data)
		if err != nil {
			t.Fatal(err)
		}
		if err := inst.AddSyntax(af); err != nil {
			t.Fatal(err)
		}
	}
	ctx := cuecontext.New()
	v := ctx.BuildInstance(inst)
	sf, err := parser.ParseFile("schema.cue", schema.Source)
	if err != nil {
		t.Fatal(err)
	}
	u := ctx.BuildFile(sf).LookupPath(cue.ParsePath("#Tenant")).Unify(v)
	if err := u.Validate(cue.Concrete(true)); err != nil {
		t.Fatal(err)
	}
}

// evalOnly is what `cue export` does before it writes: parse the files and
// evaluate them once, without the schema.
func evalOnly(t *testing.T, files []schema.File) {
	inst := build.NewContext().NewInstance("", nil)
	for _, f := range files {
		af, err := parser.ParseFile(f.Name, f.Data)
		if err != nil {
			t.Fatal(err)
		}
		if err := inst.AddSyntax(af); err != nil {
			t.Fatal(err)
		}
	}
	if err := cuecontext.New().BuildInstance(inst).Validate(cue.Concrete(true)); err != nil {
		t.Fatal(err)
	}
}

// TestLoadEvaluatesOnce: a valid desired state is checked against the
// schema in Go (schema/check.go), not unified with #Tenant, which makes CUE
// evaluate every value a second time. The test compares allocations:
// LoadFiles must save at least most of what unifying costs over one
// evaluation (evalWithSchema against evalOnly) compared with
// LoadFiles{Unify: true}, and must not allocate more than that loader did
// before (evalWithSchema and a decode) in any case.
func TestLoadEvaluatesOnce(t *testing.T) {
	_, files, _ := workTenant(t, 100, 5)
	once := testing.AllocsPerRun(2, func() { evalOnly(t, files) })
	unified := testing.AllocsPerRun(2, func() { evalWithSchema(t, files) })
	loadWith := func(o schema.Options) float64 {
		return testing.AllocsPerRun(2, func() {
			if _, err := schema.LoadFiles(files, o); err != nil {
				t.Fatal(err)
			}
		})
	}
	load := loadWith(schema.Options{})
	loadUnify := loadWith(schema.Options{Unify: true})
	t.Logf("allocations: one evaluation %.0f, unified with the schema %.0f; LoadFiles %.0f, LoadFiles{Unify} %.0f",
		once, unified, load, loadUnify)
	if saved, cost := loadUnify-load, unified-once; saved < 0.8*cost {
		t.Errorf("LoadFiles saves %.0f allocations over LoadFiles{Unify}, less than 80%% of what unifying costs (%.0f): is it unifying with the schema or evaluating twice?",
			saved, cost)
	}
	if load > 1.6*unified {
		t.Errorf("schema.LoadFiles allocates %.0f, %.2f times one evaluation unified with the schema (%.0f): is it evaluating the files more than once?",
			load, load/unified, unified)
	}
}

// TestWorkGrowsLinearly doubles the tenant and checks that the allocations
// of each stage at most about double: a stage whose work grows with the
// square of policies or users would quadruple.
func TestWorkGrowsLinearly(t *testing.T) {
	type stage struct {
		name string
		run  func(t *testing.T, g *gen.Tenant, files []schema.File, state []byte) func()
	}
	stages := []stage{
		{"schema.LoadFiles", func(t *testing.T, _ *gen.Tenant, files []schema.File, _ []byte) func() {
			return func() {
				if _, err := schema.LoadFiles(files, schema.Options{}); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"tenant.Parse", func(t *testing.T, _ *gen.Tenant, _ []schema.File, state []byte) func() {
			return func() {
				if _, err := tenant.Parse(state); err != nil {
					t.Fatal(err)
				}
			}
		}},
		{"lint.Run", func(t *testing.T, g *gen.Tenant, files []schema.File, _ []byte) func() {
			d, err := schema.LoadFiles(files, schema.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return func() { lint.Run(d, g.State) }
		}},
		{"apply.Build", func(t *testing.T, g *gen.Tenant, files []schema.File, _ []byte) func() {
			d, err := schema.LoadFiles(files, schema.Options{})
			if err != nil {
				t.Fatal(err)
			}
			return func() {
				if _, err := apply.Build(d, g.State); err != nil {
					t.Fatal(err)
				}
			}
		}},
	}
	const policies, users = 100, 10
	small, smallFiles, smallState := workTenant(t, policies, users)
	big, bigFiles, bigState := workTenant(t, 2*policies, users)
	for _, st := range stages {
		t.Run(st.name, func(t *testing.T) {
			a := testing.AllocsPerRun(2, st.run(t, small, smallFiles, smallState))
			b := testing.AllocsPerRun(2, st.run(t, big, bigFiles, bigState))
			t.Logf("allocations at %d and %d policies: %.0f, %.0f (%.2fx)", policies, 2*policies, a, b, b/a)
			if b > 2.4*a {
				t.Errorf("%s: doubling the tenant multiplies allocations by %.2f (%.0f -> %.0f): work grows faster than linearly",
					st.name, b/a, a, b)
			}
		})
	}
}
