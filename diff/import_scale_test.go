package diff_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/internal/gen"
	"github.com/callops/callops/tenant"
)

// TestImportGeneratedExport: the PowerShell export internal/gen writes for a
// generated tenant imports into that tenant's state (lineage and serial
// aside), without warnings, and its export plans no changes (round trip).
func TestImportGeneratedExport(t *testing.T) {
	g, err := gen.Generate(gen.Options{Policies: 40, UsersPerPolicy: 30, Seed: 3, Drift: 0.1})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	if err := g.WriteExport(dir); err != nil {
		t.Fatal(err)
	}
	s, warnings, err := tenant.Import(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range warnings {
		t.Errorf("warning: %s", w)
	}
	want := g.State.Clone()
	want.Lineage, want.Serial = s.Lineage, s.Serial
	want.Canonicalize()
	if d := cmp.Diff(want, s); d != "" {
		t.Errorf("imported state differs from the generated one (-want +got):\n%s", d)
	}
}

// BenchmarkImport50k imports the PowerShell export of a 50,000-user tenant.
func BenchmarkImport50k(b *testing.B) {
	g, err := gen.Generate(gen.Options{Policies: 2000, UsersPerPolicy: 25, Seed: 1})
	if err != nil {
		b.Fatal(err)
	}
	dir := b.TempDir()
	if err := g.WriteExport(dir); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, err := tenant.Import(dir); err != nil {
			b.Fatal(err)
		}
	}
}
