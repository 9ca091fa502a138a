package apply

import (
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

const (
	loc1 = "11111111-1111-1111-1111-111111111111"
	loc2 = "22222222-2222-2222-2222-222222222222"
)

// contoso is a small tenant: Redmond (ra1, two emergency numbers, alice and
// dave, group g1) and Old (ra2, bob, group g2, the tenant default).
func contoso() *tenant.Snapshot {
	num := func(n, target, status, loc string) tenant.Number {
		return tenant.Number{TelephoneNumber: n, NumberType: "CallingPlan", IsoCountryCode: "US", LocationID: loc,
			AssignedPstnTargetID: target, PstnAssignmentStatus: status, NumberSource: "Online"}
	}
	drNum := func(n string) tenant.Number {
		return tenant.Number{TelephoneNumber: n, NumberType: "DirectRouting", IsoCountryCode: "US",
			PstnAssignmentStatus: tenant.StatusUnassigned, NumberSource: "Online"}
	}
	return &tenant.Snapshot{
		Format: tenant.Format, Lineage: "lin", Serial: 1,
		Tenant: tenant.Info{Domain: "contoso.onmicrosoft.com", GlobalPolicy: "Old"},
		Policies: []tenant.Policy{
			{Identity: "Redmond", Description: "Redmond", ResourceAccount: "ra1-id", EmergencyNumbers: []string{"+14255556677", "+14255556678"}},
			{Identity: "Old", Description: "", ResourceAccount: "ra2-id", EmergencyNumbers: []string{}},
		},
		ResourceAccounts: []tenant.ResourceAccount{
			{ObjectID: "ra1-id", UserPrincipalName: "ra1@contoso.com"},
			{ObjectID: "ra2-id", UserPrincipalName: "ra2@contoso.com"},
			{ObjectID: "ra3-id", UserPrincipalName: "ra3@contoso.com"},
		},
		Numbers: []tenant.Number{
			num("+14255550100", "ra1-id", tenant.StatusVoiceAppAssigned, loc1),
			num("+14255550200", "ra2-id", tenant.StatusVoiceAppAssigned, loc1),
			num("+14255550300", "", tenant.StatusUnassigned, ""),
			num("+14255550400", "carol-id", tenant.StatusUserAssigned, ""),
			num("+14255556677", tenant.PolicyTargetPrefix+"Redmond", tenant.StatusPolicyAssigned, ""),
			num("+14255556678", tenant.PolicyTargetPrefix+"Redmond", tenant.StatusPolicyAssigned, ""),
			num("+14255550500", "", tenant.StatusUnassigned, ""),
			num("+14255556690", "", tenant.StatusUnassigned, ""),
			drNum("+14255551000"), drNum("+14255551001"), drNum("+14255551002"),
		},
		Locations: []tenant.Location{{LocationID: loc1, CountryOrRegion: "US"}, {LocationID: loc2, CountryOrRegion: "US"}},
		Users: []tenant.User{
			{ObjectID: "alice-id", UserPrincipalName: "alice@contoso.com", EnterpriseVoiceEnabled: true, SharedCallingPolicy: "Redmond"},
			{ObjectID: "bob-id", UserPrincipalName: "bob@contoso.com", EnterpriseVoiceEnabled: true, SharedCallingPolicy: "Old"},
			{ObjectID: "carol-id", UserPrincipalName: "carol@contoso.com", EnterpriseVoiceEnabled: true},
			{ObjectID: "dave-id", UserPrincipalName: "dave@contoso.com", EnterpriseVoiceEnabled: true, SharedCallingPolicy: "Redmond"},
		},
		GroupAssignments: []tenant.GroupAssignment{
			{GroupID: "g1", PolicyName: "Redmond", Rank: 1},
			{GroupID: "g2", PolicyName: "Old", Rank: 2},
		},
	}
}

func located(vs ...string) []schema.Located {
	out := make([]schema.Located, len(vs))
	for i, v := range vs {
		out[i] = schema.Located{Value: v}
	}
	return out
}

// contosoDesired is the desired state that matches contoso exactly.
func contosoDesired() *schema.Desired {
	d := &schema.Desired{
		Domain:    "contoso.onmicrosoft.com",
		Locations: []schema.Location{{Key: "redmond", ID: loc1, Country: "US"}, {Key: "seattle", ID: loc2, Country: "US"}},
		ResourceAccounts: []schema.ResourceAccount{
			{UPN: "ra1@contoso.com", Number: "+14255550100", Type: "CallingPlan", Location: "redmond"},
			{UPN: "ra2@contoso.com", Number: "+14255550200", Type: "CallingPlan", Location: "redmond"},
		},
		Policies: []schema.Policy{
			{Name: "Old", ResourceAccount: "ra2@contoso.com", Users: located("bob@contoso.com"),
				Groups: []schema.GroupGrant{{GroupID: "g2", Rank: 2}}},
			{Name: "Redmond", ResourceAccount: "ra1@contoso.com", Description: "Redmond",
				EmergencyNumbers: located("+14255556677", "+14255556678"),
				Users:            located("alice@contoso.com", "dave@contoso.com"),
				Groups:           []schema.GroupGrant{{GroupID: "g1", Rank: 1}}},
		},
		TenantDefault: "Old",
		UserNumbers:   []schema.UserNumber{{UPN: "carol@contoso.com", Number: "+14255550400", Type: "CallingPlan"}},
	}
	d.Sort()
	return d
}
