package apply

import (
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// applyPlan runs a plan's steps on a copy of s.
func applyPlan(t *testing.T, s *tenant.Snapshot, p *Plan) *tenant.Snapshot {
	t.Helper()
	c := s.Clone()
	for _, st := range p.Steps {
		if err := c.Apply(st.Op); err != nil {
			t.Fatalf("step %d: %v", st.Index, err)
		}
	}
	return c
}

// TestBuildEmergencyToUserAndBack moves an emergency number to a user, then
// back: each way the number leaves its holder first, and the user's two
// number steps are adjacent.
func TestBuildEmergencyToUserAndBack(t *testing.T) {
	d, s := contosoDesired(), contoso()
	policyOf(d, "Redmond").EmergencyNumbers = located("+14255556677")
	d.UserNumbers[0].Number = "+14255556678"
	there := mustBuild(t, d, s)
	want := []string{
		"remove-emergency Redmond [+14255556678]",
		"unassign +14255550400 carol@contoso.com",
		"assign +14255556678 carol@contoso.com CallingPlan",
	}
	if diff := cmp.Diff(want, stepStrings(there)); diff != "" {
		t.Errorf("there (-want +got):\n%s", diff)
	}
	s2 := applyPlan(t, s, there)
	back := mustBuild(t, contosoDesired(), s2)
	want = []string{
		"unassign +14255556678 carol@contoso.com",
		"assign +14255550400 carol@contoso.com CallingPlan",
		"add-emergency Redmond [+14255556678]",
	}
	if diff := cmp.Diff(want, stepStrings(back)); diff != "" {
		t.Errorf("back (-want +got):\n%s", diff)
	}
	if got := applyPlan(t, s2, back).Digest(); got != s.Digest() {
		t.Errorf("there and back does not restore the tenant")
	}
}

// TestBuildDeleteWithNumbersAndUsersMoving: a deleted policy's emergency
// numbers go to another policy and to a user, its users and group to
// another policy, and the tenant default is cleared; the delete comes last.
func TestBuildDeleteWithNumbersAndUsersMoving(t *testing.T) {
	d, s := contosoDesired(), contoso()
	// Redmond is deleted; its numbers go to Old and to carol; its users
	// and group to Old.
	red := *policyOf(d, "Redmond")
	d.Policies = d.Policies[:1]
	old := policyOf(d, "Old")
	old.EmergencyNumbers = located("+14255556677")
	old.Users = append(old.Users, red.Users...)
	old.Groups = append(old.Groups, schema.GroupGrant{GroupID: "g1", Rank: 1})
	d.UserNumbers[0].Number = "+14255556678"
	s.Tenant.GlobalPolicy = "Redmond"
	d.TenantDefault = ""
	p := mustBuild(t, d, s)
	want := []string{
		"remove-emergency Redmond [+14255556677 +14255556678]",
		"unassign +14255550400 carol@contoso.com",
		"assign +14255556678 carol@contoso.com CallingPlan",
		"add-emergency Old [+14255556677]",
		"group g1 Old 1",
		"grant alice@contoso.com Old",
		"grant dave@contoso.com Old",
		"global null",
		"delete Redmond",
	}
	if diff := cmp.Diff(want, stepStrings(p)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	wantSum := Summary{Steps: 9, PoliciesUpdated: 1, PoliciesDeleted: 1, Grants: 3, Revokes: 1, AffectedUsers: 3}
	if diff := cmp.Diff(wantSum, p.Summary); diff != "" {
		t.Errorf("summary (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(StateRef{Lineage: "lin", Serial: 1, Digest: s.Digest()}, p.State); diff != "" {
		t.Errorf("state (-want +got):\n%s", diff)
	}
	if p.Format != PlanFormat {
		t.Errorf("Format = %q", p.Format)
	}
}

// TestBuildDeterministic: the same inputs give the same plan, also when the
// state lists its objects in another order.
func TestBuildDeterministic(t *testing.T) {
	edit := func(d *schema.Desired) {
		d.ResourceAccounts[0].Number, d.ResourceAccounts[1].Number = d.ResourceAccounts[1].Number, d.ResourceAccounts[0].Number
		policyOf(d, "Redmond").EmergencyNumbers = located("+14255556678", "+14255550500")
		policyOf(d, "Redmond").Groups[0].Rank = 2
		policyOf(d, "Old").Groups[0].Rank = 1
		policyOf(d, "Old").Users = append(policyOf(d, "Old").Users, schema.Located{Value: "carol@contoso.com"})
		d.UserNumbers[0].Number = "+14255556677"
	}
	d1, s1 := contosoDesired(), contoso()
	edit(d1)
	first := mustBuild(t, d1, s1)
	d2, s2 := contosoDesired(), contoso()
	edit(d2)
	slices.Reverse(s2.Policies)
	slices.Reverse(s2.Numbers)
	slices.Reverse(s2.Users)
	slices.Reverse(s2.ResourceAccounts)
	slices.Reverse(s2.GroupAssignments)
	second := mustBuild(t, d2, s2)
	if diff := cmp.Diff(first, second); diff != "" {
		t.Errorf("plans differ (-first +second):\n%s", diff)
	}
	if len(first.Steps) < 8 {
		t.Errorf("the case should need many steps, got %d", len(first.Steps))
	}
}

// TestBuildVoiceOffHazard: a granted user whose number is taken loses
// Enterprise Voice (Remove-CsPhoneNumberAssignment), which no step turns
// back on: the plan says so.
func TestBuildVoiceOffHazard(t *testing.T) {
	d, s := contosoDesired(), contoso()
	d.UserNumbers = nil
	policyOf(d, "Old").EmergencyNumbers = located("+14255550400") // carol's number
	policyOf(d, "Old").Users = append(policyOf(d, "Old").Users, schema.Located{Value: "carol@contoso.com"})
	p := mustBuild(t, d, s)
	want := []string{
		"unassign +14255550400 carol@contoso.com",
		"add-emergency Old [+14255550400]",
		"grant carol@contoso.com Old",
	}
	if diff := cmp.Diff(want, stepStrings(p)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
	wantH := []Hazard{{Kind: HazardVoiceOff, Steps: []int{1}, Users: 1,
		Message: "user carol@contoso.com loses Enterprise Voice at step 1 (Remove-CsPhoneNumberAssignment turns it off) but is granted policy Old, which needs it: turn it back on with Set-CsPhoneNumberAssignment -Identity carol@contoso.com -EnterpriseVoiceEnabled $true"}}
	if diff := cmp.Diff(wantH, p.Hazards); diff != "" {
		t.Errorf("hazards (-want +got):\n%s", diff)
	}
}

// TestBuildInventoryLocationUnknown: an account given a number whose
// inventory LocationId is not among the state's locations gets it without
// -LocationId (the service would refuse that location; plan used to pass it
// and fail its own verification); a known inventory location is passed on.
func TestBuildInventoryLocationUnknown(t *testing.T) {
	for _, tc := range []struct {
		name, loc, want string
	}{
		{"unknown location", "7e1c2d3a-4b5c-4d6e-8f90-a1b2c3d4e5f6", "assign +14255550300 ra3@contoso.com CallingPlan"},
		{"known location", "22222222-2222-2222-2222-222222222222", "assign +14255550300 ra3@contoso.com CallingPlan @2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, s := contosoDesired(), contoso()
			for i := range s.Numbers {
				if s.Numbers[i].TelephoneNumber == "+14255550300" {
					s.Numbers[i].LocationID = tc.loc
				}
			}
			d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ra3@contoso.com", Number: "+14255550300", Type: "CallingPlan"})
			d.Sort()
			p := mustBuild(t, d, s)
			if got := stepStrings(p); !slices.Equal(got, []string{tc.want}) {
				t.Errorf("steps = %q, want %q", got, tc.want)
			}
			again := mustBuild(t, d, applyPlan(t, s, p))
			if len(again.Steps) != 0 {
				t.Errorf("after the plan, %d more steps: %q", len(again.Steps), stepStrings(again))
			}
		})
	}
}
