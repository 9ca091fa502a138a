package lint

import (
	"fmt"
	"testing"

	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// bigTenant is a desired state of policies policies with users users each, a
// resource account and two emergency numbers per policy, and the matching
// current state: clean, so that Run walks every value without reporting.
func bigTenant(policies, users int) (*schema.Desired, *tenant.Snapshot) {
	g := &posGen{}
	d := &schema.Desired{Domain: "contoso.onmicrosoft.com"}
	s := &tenant.Snapshot{Format: tenant.Format, Lineage: "l", Serial: 1}
	d.Locations = []schema.Location{{Key: "redmond", ID: redmondID, Country: "US", Pos: g.next(), IDPos: g.next()}}
	s.Locations = []tenant.Location{{LocationID: redmondID, CountryOrRegion: "US"}}
	num := func(i int) string { return fmt.Sprintf("+1425%03d%04d", 200+i/10000, i%10000) }
	for i := 0; i < policies; i++ {
		upn := fmt.Sprintf("ra%d@contoso.com", i)
		raNum := num(3 * i)
		d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: upn, Number: raNum, Type: "CallingPlan",
			Location: "redmond", Pos: g.next(), NumberPos: g.next(), TypePos: g.next(), LocationPos: g.next()})
		s.ResourceAccounts = append(s.ResourceAccounts, tenant.ResourceAccount{ObjectID: upn + "-id", UserPrincipalName: upn})
		s.Numbers = append(s.Numbers, tenant.Number{TelephoneNumber: raNum, NumberType: "CallingPlan", IsoCountryCode: "US",
			LocationID: redmondID, AssignedPstnTargetID: upn + "-id", NumberSource: "Online"})
		name := fmt.Sprintf("P%04d", i)
		p := schema.Policy{Name: name, Pos: g.next(), ResourceAccount: upn, ResourceAccountPos: g.next()}
		for k := 1; k <= 2; k++ {
			e := num(3*i + k)
			p.EmergencyNumbers = append(p.EmergencyNumbers, g.loc(e))
			s.Numbers = append(s.Numbers, tenant.Number{TelephoneNumber: e, NumberType: "CallingPlan", IsoCountryCode: "US",
				AssignedPstnTargetID: tenant.PolicyTargetPrefix + name, NumberSource: "Online"})
		}
		for u := 0; u < users; u++ {
			user := fmt.Sprintf("u%d.%d@contoso.com", i, u)
			p.Users = append(p.Users, g.loc(user))
			s.Users = append(s.Users, tenant.User{ObjectID: user + "-id", UserPrincipalName: user, EnterpriseVoiceEnabled: true, SharedCallingPolicy: name})
		}
		d.Policies = append(d.Policies, p)
	}
	d.Sort()
	return d, s
}

func TestBigTenantIsClean(t *testing.T) {
	d, s := bigTenant(200, 25)
	if got := Run(d, s); len(got) != 0 {
		t.Fatalf("want no findings, got %d, first: %v", len(got), got[0])
	}
}

// BenchmarkRun measures a 2,000-policy, 50,000-user tenant with its state.
// Numbers are parsed on the first run and come from the phone cache after,
// so the steady state is the cost of the rules themselves.
func BenchmarkRun(b *testing.B) {
	d, s := bigTenant(2000, 25)
	Run(d, s)
	for b.Loop() {
		Run(d, s)
	}
}

func BenchmarkRunWithoutState(b *testing.B) {
	d, _ := bigTenant(2000, 25)
	Run(d, nil)
	for b.Loop() {
		Run(d, nil)
	}
}
