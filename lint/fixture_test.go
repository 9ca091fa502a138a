package lint

import (
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// posGen hands out distinct positions, so that tests can tell every value's
// position apart.
type posGen struct{ line int }

func (g *posGen) next() schema.Pos {
	g.line++
	return schema.Pos{File: "tenant.cue", Line: g.line, Col: 3}
}

func (g *posGen) loc(v string) schema.Located { return schema.Located{Value: v, Pos: g.next()} }

const (
	redmondID   = "407c17ae-8c41-431e-894a-38787c682f68"
	vancouverID = "5b7e0b7e-1d4e-4a55-9d0b-0c1c2e3f4a5b"
)

// cleanDesired is a desired state on which no rule reports anything, with or
// without cleanState. Tests change one thing at a time.
func cleanDesired() (*schema.Desired, *posGen) {
	g := &posGen{}
	d := &schema.Desired{Domain: "contoso.onmicrosoft.com", DomainPos: g.next()}
	d.Locations = []schema.Location{
		{Key: "redmond", ID: redmondID, Country: "US", Pos: g.next(), IDPos: g.next(), CountryPos: g.next()},
		{Key: "vancouver", ID: vancouverID, Country: "CA", Pos: g.next(), IDPos: g.next(), CountryPos: g.next()},
	}
	d.ResourceAccounts = []schema.ResourceAccount{
		{UPN: "ra1@contoso.com", Number: "+14255550100", Type: "CallingPlan", Location: "redmond",
			Pos: g.next(), NumberPos: g.next(), TypePos: g.next(), LocationPos: g.next()},
		{UPN: "ra2@contoso.com", Number: "+16045551234", Type: "OperatorConnect", Location: "vancouver",
			Pos: g.next(), NumberPos: g.next(), TypePos: g.next(), LocationPos: g.next()},
	}
	d.Policies = []schema.Policy{
		{Name: "Redmond", Pos: g.next(), ResourceAccount: "ra1@contoso.com", ResourceAccountPos: g.next(),
			EmergencyNumbers: []schema.Located{g.loc("+14255556677"), g.loc("+14255556678")},
			Users:            []schema.Located{g.loc("alice@contoso.com"), g.loc("bob@contoso.com")},
			Groups:           []schema.GroupGrant{{GroupID: "0c6f1b7e-0000-4000-8000-000000000001", Rank: 1, Pos: g.next()}}},
		// No emergency numbers: explicitly allowed.
		{Name: "Vancouver", Pos: g.next(), ResourceAccount: "ra2@contoso.com", ResourceAccountPos: g.next(),
			Users: []schema.Located{g.loc("carol@contoso.com")}},
	}
	d.TenantDefault, d.TenantDefaultPos = "Redmond", g.next()
	d.UserNumbers = []schema.UserNumber{
		{UPN: "dave@contoso.com", Number: "+14255556679", Type: "CallingPlan", Pos: g.next(), NumberPos: g.next(), TypePos: g.next()},
	}
	return d, g
}

// cleanState is the tenant as cleanDesired describes it. Emergency numbers
// have no location: explicitly allowed.
func cleanState() *tenant.Snapshot {
	return &tenant.Snapshot{
		Format: tenant.Format, Lineage: "6f1c0000-0000-4000-8000-000000000000", Serial: 1,
		Tenant: tenant.Info{Domain: "contoso.onmicrosoft.com", GlobalPolicy: "Redmond"},
		Policies: []tenant.Policy{
			{Identity: "Redmond", ResourceAccount: "ra1-id", EmergencyNumbers: []string{"+14255556677", "+14255556678"}},
			{Identity: "Vancouver", ResourceAccount: "ra2-id"},
		},
		ResourceAccounts: []tenant.ResourceAccount{
			{ObjectID: "ra1-id", UserPrincipalName: "ra1@contoso.com"},
			{ObjectID: "ra2-id", UserPrincipalName: "ra2@contoso.com"},
		},
		Numbers: []tenant.Number{
			{TelephoneNumber: "+14255550100", NumberType: "CallingPlan", IsoCountryCode: "US", LocationID: redmondID,
				AssignedPstnTargetID: "ra1-id", PstnAssignmentStatus: tenant.StatusVoiceAppAssigned, NumberSource: "Online"},
			{TelephoneNumber: "+16045551234", NumberType: "OperatorConnect", IsoCountryCode: "CA", LocationID: vancouverID,
				AssignedPstnTargetID: "ra2-id", PstnAssignmentStatus: tenant.StatusVoiceAppAssigned, NumberSource: "Online"},
			{TelephoneNumber: "+14255556677", NumberType: "CallingPlan", IsoCountryCode: "US",
				AssignedPstnTargetID: tenant.PolicyTargetPrefix + "Redmond", PstnAssignmentStatus: tenant.StatusPolicyAssigned, NumberSource: "Online"},
			{TelephoneNumber: "+14255556678", NumberType: "CallingPlan", IsoCountryCode: "US",
				AssignedPstnTargetID: tenant.PolicyTargetPrefix + "Redmond", PstnAssignmentStatus: tenant.StatusPolicyAssigned, NumberSource: "Online"},
			{TelephoneNumber: "+14255556679", NumberType: "CallingPlan", IsoCountryCode: "US", LocationID: redmondID,
				AssignedPstnTargetID: "dave-id", PstnAssignmentStatus: tenant.StatusUserAssigned, NumberSource: "Online"},
		},
		Locations: []tenant.Location{
			{LocationID: redmondID, CountryOrRegion: "US", Description: "Redmond HQ"},
			{LocationID: vancouverID, CountryOrRegion: "CA", Description: "Vancouver"},
		},
		Users: []tenant.User{
			{ObjectID: "alice-id", UserPrincipalName: "alice@contoso.com", EnterpriseVoiceEnabled: true, SharedCallingPolicy: "Redmond"},
			{ObjectID: "bob-id", UserPrincipalName: "bob@contoso.com", EnterpriseVoiceEnabled: true, SharedCallingPolicy: "Redmond"},
			{ObjectID: "carol-id", UserPrincipalName: "carol@contoso.com", EnterpriseVoiceEnabled: true, SharedCallingPolicy: "Vancouver"},
			{ObjectID: "dave-id", UserPrincipalName: "dave@contoso.com", EnterpriseVoiceEnabled: true},
		},
		GroupAssignments: []tenant.GroupAssignment{{GroupID: "0c6f1b7e-0000-4000-8000-000000000001", PolicyName: "Redmond", Rank: 1}},
	}
}

// stateNumber returns the inventory entry of a number in s.
func stateNumber(s *tenant.Snapshot, tel string) *tenant.Number {
	for i := range s.Numbers {
		if s.Numbers[i].TelephoneNumber == tel {
			return &s.Numbers[i]
		}
	}
	panic("no number " + tel)
}

// without returns s without the elements for which drop is true.
func without[T any](s []T, drop func(T) bool) []T {
	var out []T
	for _, v := range s {
		if !drop(v) {
			out = append(out, v)
		}
	}
	return out
}
