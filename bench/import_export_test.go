package bench

import (
	"testing"

	"github.com/callops/callops/diff"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// BenchmarkImport is `callops import` of a 50,000-user PowerShell export
// (2,000 policies), without writing the state file.
func BenchmarkImport(b *testing.B) {
	f := getFixture(b, scale2000, drift)
	for b.Loop() {
		s, _, err := tenant.Import(f.exportDir)
		if err != nil {
			b.Fatal(err)
		}
		if len(s.Users) < 50000 {
			b.Fatalf("imported %d users", len(s.Users))
		}
	}
}

// BenchmarkExport is `callops export` of the same tenant without writing
// files: read the state, derive the desired state, encode it as CUE files.
func BenchmarkExport(b *testing.B) {
	f := getFixture(b, scale2000, drift)
	for b.Loop() {
		s, err := readState(f.statePath)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := schema.EncodeFiles(diff.DesiredFromSnapshot(s)); err != nil {
			b.Fatal(err)
		}
	}
}
