package main

import (
	"fmt"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/apply"
	"github.com/callops/callops/diff"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// holders is who holds each number, the policies with their emergency
// numbers and resource accounts, and every grant: what a rollback restores.
func holders(s *tenant.Snapshot) map[string]string {
	out := map[string]string{}
	for _, n := range s.Numbers {
		k, name := s.Holder(n.TelephoneNumber)
		out["number "+n.TelephoneNumber] = k.String() + " " + name + " " + n.LocationID
	}
	for _, p := range s.Policies {
		out["policy "+p.Identity] = p.ResourceAccount + " " + p.Description + " " + fmt.Sprint(p.EmergencyNumbers)
	}
	for _, u := range s.Users {
		out["user "+u.UserPrincipalName] = u.SharedCallingPolicy
	}
	for _, g := range s.GroupAssignments {
		out["group "+g.GroupID] = g.PolicyName + fmt.Sprint(g.Rank)
	}
	out["global"] = s.Tenant.GlobalPolicy
	return out
}

// TestRollbackOps: the rollback of a plan that moves numbers between
// policies, users the export does not declare and free numbers, run on the
// plan's end state, restores every holder, policy and grant of the start.
func TestRollbackOps(t *testing.T) {
	start, _, err := tenant.Import(filepath.Join("..", "..", "tenant", "testdata", "import", "ps7"))
	if err != nil {
		t.Fatal(err)
	}
	d := diff.DesiredFromSnapshot(start)
	red, _ := d.Policy("Redmond")
	red.EmergencyNumbers = []schema.Located{{Value: "+14255556677"}}
	red.Users = nil
	red.Description = "changed"
	d.UserNumbers = append(d.UserNumbers,
		schema.UserNumber{UPN: "eve@contoso.com", Number: "+14255550199", Type: "CallingPlan"},   // free at start
		schema.UserNumber{UPN: "carol@contoso.com", Number: "+14255556678", Type: "CallingPlan"}, // from a policy; carol held +14255556679
	)
	d.TenantDefault = "Omaha"
	d.Sort()
	p, err := apply.Build(d, start)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Steps) == 0 {
		t.Fatal("no steps")
	}
	back, end, err := rollbackOps(p, start)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(holders(start), holders(end)); d == "" {
		t.Fatal("the plan changes nothing the test looks at")
	}
	for i, op := range back {
		if err := end.Apply(op); err != nil {
			t.Fatalf("rollback step %d (%s): %v", i+1, op.Action, err)
		}
	}
	if d := cmp.Diff(holders(start), holders(end)); d != "" {
		t.Errorf("after plan and rollback (-start +got):\n%s", d)
	}
}
