package apply

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/callops/callops/diff"
	"github.com/callops/callops/schema"
)

// TestExportThenPlanProperty: the desired state that export writes for a
// random tenant plans no steps against that tenant (the round trip
// operators rely on when they adopt callops), unless export warned about
// something it could not write: both the model and, for every tenth
// tenant, the CUE text export writes, loaded back.
func TestExportThenPlanProperty(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 200
	}
	checked := 0
	for seed := int64(1); seed <= int64(n); seed++ {
		s := genTenant(rand.New(rand.NewSource(seed)))
		for i := range s.GroupAssignments { // genTenant's "g0" is no GUID
			s.GroupAssignments[i].GroupID = fmt.Sprintf("6a000000-0000-4000-8000-%012d", i)
		}
		s.Reindex()
		if len(diff.ExportIssues(s)) > 0 {
			continue
		}
		checked++
		d := diff.DesiredFromSnapshot(s)
		if seed%10 == 0 {
			files, err := schema.EncodeFiles(d)
			if err != nil {
				t.Fatalf("seed %d: encoding the export: %v", seed, err)
			}
			if d, err = schema.LoadFiles(files, schema.Options{}); err != nil {
				t.Fatalf("seed %d: the exported files do not load: %v", seed, err)
			}
		}
		p, err := Build(d, s)
		if err != nil {
			t.Fatalf("seed %d: plan of the export: %v", seed, err)
		}
		if len(p.Steps) != 0 {
			t.Fatalf("seed %d: plan of the export has %d steps, first %s", seed, len(p.Steps), p.Steps[0].Op.Action)
		}
	}
	if checked < n/2 {
		t.Errorf("only %d of %d random tenants exported without issues", checked, n)
	}
}
