package bench

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/apply"
	"github.com/callops/callops/diff"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// TestImportOfGeneratedExport checks that the benchmark's import input is
// what it claims: importing the generated PowerShell export gives back the
// generated state, without warnings.
func TestImportOfGeneratedExport(t *testing.T) {
	g, _, _ := workTenant(t, 40, 3)
	dir := t.TempDir()
	if err := g.WriteExport(dir); err != nil {
		t.Fatal(err)
	}
	got, warnings, err := tenant.Import(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range warnings {
		t.Errorf("import warning: %s", w)
	}
	want := g.State.Clone()
	want.Lineage, got.Lineage = "", ""
	want.Canonicalize()
	got.Canonicalize()
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("imported state differs from the generated one (-generated +imported):\n%s", d)
	}
}

// TestExportThenPlanIsEmpty checks the export benchmark's output: the CUE
// files exported from the generated state load, and planning them against
// that state gives no steps.
func TestExportThenPlanIsEmpty(t *testing.T) {
	g, _, _ := workTenant(t, 40, 3)
	files, err := schema.EncodeFiles(diff.DesiredFromSnapshot(g.State))
	if err != nil {
		t.Fatal(err)
	}
	d, err := schema.LoadFiles(files, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := apply.Build(d, g.State)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) != 0 {
		t.Errorf("plan of the exported state has %d steps, first: %+v", len(p.Steps), p.Steps[0])
	}
}

// TestGeneratedPlanMatchesDrift plans a generated desired state against its
// state and checks the summary against the drift the generator reports.
func TestGeneratedPlanMatchesDrift(t *testing.T) {
	g, files, _ := workTenant(t, 100, 10)
	d, err := schema.LoadFiles(files, schema.Options{})
	if err != nil {
		t.Fatal(err)
	}
	p, err := apply.Build(d, g.State)
	if err != nil {
		t.Fatal(err)
	}
	got := [2]int{p.Summary.PoliciesCreated, p.Summary.PoliciesDeleted}
	want := [2]int{g.Drift.CreatedPolicies, g.Drift.DeletedPolicies}
	if got != want {
		t.Errorf("plan creates and deletes %v policies, generator drifted %v", got, want)
	}
	if p.Summary.Revokes != 0 {
		t.Errorf("plan revokes %d grants; the generator moves users, it revokes none", p.Summary.Revokes)
	}
	// Moved users and the users of deleted policies (who move to the
	// created ones) are granted anew.
	if min := g.Drift.MovedUsers; p.Summary.Grants < min {
		t.Errorf("plan has %d grants, want at least the %d moved users", p.Summary.Grants, min)
	}
}
