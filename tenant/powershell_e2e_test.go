package tenant_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/callops/callops/apply"
	"github.com/callops/callops/diff"
	"github.com/callops/callops/internal/gen"
	"github.com/callops/callops/lint"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

func located(vs ...string) []schema.Located {
	out := make([]schema.Located, len(vs))
	for i, v := range vs {
		out[i] = schema.Located{Value: v}
	}
	return out
}

// planOps builds the plan of d against s and returns its operations.
func planOps(t *testing.T, d *schema.Desired, s *tenant.Snapshot) []tenant.Op {
	t.Helper()
	p, err := apply.Build(d, s)
	if err != nil {
		t.Fatalf("plan: %v", err)
	}
	ops := make([]tenant.Op, len(p.Steps))
	for i, st := range p.Steps {
		ops[i] = st.Op
	}
	return ops
}

// TestPowerShellEndToEnd: import the PowerShell export fixtures, export the
// desired state and change it, plan, write the script, run it with the test
// interpreter on the imported state, and plan again: no changes. Then the
// rollback script (the plan from the final state back to the exported
// start) restores a state that plans no changes against the start's export.
func TestPowerShellEndToEnd(t *testing.T) {
	for _, dir := range []string{"ps7", "ps51"} {
		t.Run(dir, func(t *testing.T) {
			start, _, err := tenant.Import(filepath.Join("testdata", "import", dir))
			if err != nil {
				t.Fatal(err)
			}
			d := diff.DesiredFromSnapshot(start)
			red, _ := d.Policy("Redmond")
			red.EmergencyNumbers = located("+14255556678", "+14255550199")
			red.Users = located("bob@contoso.com")
			omaha, _ := d.Policy("Omaha")
			omaha.Users = located("dave@contoso.com", "eve@contoso.com")
			d.Policies = append(d.Policies, schema.Policy{
				Name: "Seattle ‘HQ’", ResourceAccount: "ra1@contoso.com", Description: "it's “new”",
				EmergencyNumbers: located("+14255556677"), Users: located("alice@contoso.com"),
				Groups: []schema.GroupGrant{{GroupID: "11111111-2222-4333-8444-555555555555", Rank: 2}},
			})
			d.TenantDefault = "Redmond"
			ra2, _ := d.ResourceAccount("ra2@contoso.com")
			ra2.Location = "redmond_hq"
			d.Sort()

			// Through the files an operator edits.
			files, err := schema.EncodeFiles(d)
			if err != nil {
				t.Fatal(err)
			}
			desired, err := schema.LoadFiles(files, schema.Options{})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range lint.Run(desired, start) {
				if f.Severity == lint.Error {
					t.Fatalf("lint: %s", f)
				}
			}
			ops := planOps(t, desired, start)
			if len(ops) == 0 {
				t.Fatal("the changed desired state plans no steps")
			}
			var script bytes.Buffer
			if err := tenant.WritePowerShell(&script, start, ops, tenant.PowerShellOptions{Tool: "callops test"}); err != nil {
				t.Fatal(err)
			}
			tenantNow := start.Clone()
			run := &tenant.PSRun{}
			if err := tenant.InterpretPowerShell(script.String(), tenantNow, run); err != nil {
				t.Fatalf("running the script: %v\n%s", err, script.String())
			}
			if len(run.Ops) != len(ops) {
				t.Errorf("script ran %d cmdlets, plan has %d steps", len(run.Ops), len(ops))
			}
			if again := planOps(t, desired, tenantNow); len(again) != 0 {
				t.Errorf("plan after running the script has %d steps, want 0: %+v", len(again), again)
			}
			if v := tenantNow.CheckInvariants(); len(v) > 0 {
				t.Errorf("state after the script breaks invariants: %v", v)
			}

			// Rollback.
			back := planOps(t, diff.DesiredFromSnapshot(start), tenantNow)
			var rollback bytes.Buffer
			if err := tenant.WritePowerShell(&rollback, tenantNow, back, tenant.PowerShellOptions{Rollback: true}); err != nil {
				t.Fatal(err)
			}
			if err := tenant.InterpretPowerShell(rollback.String(), tenantNow, &tenant.PSRun{}); err != nil {
				t.Fatalf("running the rollback script: %v", err)
			}
			if again := planOps(t, diff.DesiredFromSnapshot(start), tenantNow); len(again) != 0 {
				t.Errorf("plan of the start after the rollback has %d steps, want 0: %+v", len(again), again)
			}
		})
	}
}

// BenchmarkWritePowerShell50k writes the script of a plan on a generated
// tenant of 2,000 policies and 50,000 users with 20% drift.
func BenchmarkWritePowerShell50k(b *testing.B) {
	g, err := gen.Generate(gen.Options{Policies: 2000, UsersPerPolicy: 25, Seed: 1, Drift: 0.2})
	if err != nil {
		b.Fatal(err)
	}
	d, err := schema.LoadFiles(g.CUEFiles(), schema.Options{})
	if err != nil {
		b.Fatal(err)
	}
	p, err := apply.Build(d, g.State)
	if err != nil {
		b.Fatal(err)
	}
	ops := make([]tenant.Op, len(p.Steps))
	for i, st := range p.Steps {
		ops[i] = st.Op
	}
	b.ResetTimer()
	var n int
	for i := 0; i < b.N; i++ {
		var buf bytes.Buffer
		if err := tenant.WritePowerShell(&buf, g.State, ops, tenant.PowerShellOptions{}); err != nil {
			b.Fatal(err)
		}
		n = buf.Len()
	}
	b.ReportMetric(float64(len(ops)), "steps")
	b.ReportMetric(float64(n), "bytes")
}
