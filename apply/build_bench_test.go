package apply

import (
	"fmt"
	"testing"

	"github.com/callops/callops/diff"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// bigTenant is a tenant of the size DESIGN.md section 7 names: policies
// policies, each with its own resource account, located number and two
// emergency numbers, users users granted round-robin, 64 groups, and a
// spare free number per policy.
func bigTenant(policies, users int) *tenant.Snapshot {
	s := &tenant.Snapshot{Format: tenant.Format, Lineage: "bench", Serial: 1,
		Locations: []tenant.Location{{LocationID: loc1, CountryOrRegion: "US"}}}
	tel := func(i int) string { return fmt.Sprintf("+1425%07d", i) }
	n := 0
	num := func(target, status, loc string) string {
		t := tel(n)
		n++
		s.Numbers = append(s.Numbers, tenant.Number{TelephoneNumber: t, NumberType: "CallingPlan", IsoCountryCode: "US",
			LocationID: loc, AssignedPstnTargetID: target, PstnAssignmentStatus: status, NumberSource: "Online"})
		return t
	}
	for p := 0; p < policies; p++ {
		ra := fmt.Sprintf("ra%d-id", p)
		name := fmt.Sprintf("P%04d", p)
		s.ResourceAccounts = append(s.ResourceAccounts, tenant.ResourceAccount{ObjectID: ra, UserPrincipalName: fmt.Sprintf("ra%d@contoso.com", p)})
		num(ra, tenant.StatusVoiceAppAssigned, loc1)
		pol := tenant.Policy{Identity: name, ResourceAccount: ra}
		for e := 0; e < 2; e++ {
			pol.EmergencyNumbers = append(pol.EmergencyNumbers, num(tenant.PolicyTargetPrefix+name, tenant.StatusPolicyAssigned, ""))
		}
		num("", tenant.StatusUnassigned, "")
		s.Policies = append(s.Policies, pol)
	}
	for u := 0; u < users; u++ {
		s.Users = append(s.Users, tenant.User{ObjectID: fmt.Sprintf("u%d-id", u), UserPrincipalName: fmt.Sprintf("u%05d@contoso.com", u),
			SharedCallingPolicy: fmt.Sprintf("P%04d", u%policies)})
	}
	for g := 0; g < 64; g++ {
		s.GroupAssignments = append(s.GroupAssignments, tenant.GroupAssignment{GroupID: fmt.Sprintf("g%02d", g), PolicyName: fmt.Sprintf("P%04d", g), Rank: g + 1})
	}
	return s
}

// changeFivePercent changes 5% of everything: every 20th policy gets a new
// account number, drops an emergency number or is deleted (its users move
// to the next policy); every 20th user moves; group ranks rotate.
func changeFivePercent(s *tenant.Snapshot) *schema.Desired {
	d := diff.DesiredFromSnapshot(s)
	var kept []schema.Policy
	for i := range d.Policies {
		p := d.Policies[i]
		switch {
		case i%60 == 0 && i+1 < len(d.Policies) && len(p.Groups) == 0:
			next := &d.Policies[i+1]
			next.Users = append(next.Users, p.Users...)
			continue // deleted
		case i%60 == 20:
			for j := range d.ResourceAccounts {
				if d.ResourceAccounts[j].UPN == p.ResourceAccount {
					// the spare free number after the policy's emergency numbers
					d.ResourceAccounts[j].Number = fmt.Sprintf("+1425%07d", i*4+3)
				}
			}
		case i%60 == 40:
			p.EmergencyNumbers = p.EmergencyNumbers[1:]
		}
		kept = append(kept, p)
	}
	d.Policies = kept
	moved := 0
	for i := range d.Policies {
		p := &d.Policies[i]
		var users []schema.Located
		for j, u := range p.Users {
			if j%20 == 7 && i+1 < len(d.Policies) {
				d.Policies[(i+1)%len(d.Policies)].Users = append(d.Policies[(i+1)%len(d.Policies)].Users, u)
				moved++
				continue
			}
			users = append(users, u)
		}
		p.Users = users
		for j := range p.Groups {
			p.Groups[j].Rank = p.Groups[j].Rank%64 + 1
		}
	}
	d.Sort()
	return d
}

func TestBigTenantPlan(t *testing.T) {
	s := bigTenant(200, 5000)
	d := changeFivePercent(s)
	p, err := Build(d, s)
	if err != nil {
		t.Fatal(err)
	}
	if p.Summary.PoliciesDeleted == 0 || p.Summary.Grants == 0 || len(p.Hazards) == 0 {
		t.Errorf("the 5%% change should delete policies, grant users and open windows: %+v, %d hazards", p.Summary, len(p.Hazards))
	}
}

// BenchmarkBuild50k plans a 5% change of a 2,000-policy, 50,000-user
// tenant: compute, order, verify.
func BenchmarkBuild50k(b *testing.B) {
	s := bigTenant(2000, 50000)
	d := changeFivePercent(s)
	b.ResetTimer()
	for b.Loop() {
		if _, err := Build(d, s); err != nil {
			b.Fatal(err)
		}
	}
}
