package lint

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/diff"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// where is what a rule test asserts of a finding: where it points.
type where struct {
	Pos  schema.Pos
	Path string
}

func pol(d *schema.Desired, name string) *schema.Policy {
	for i := range d.Policies {
		if d.Policies[i].Name == name {
			return &d.Policies[i]
		}
	}
	panic("no policy " + name)
}

func ra(d *schema.Desired, upn string) *schema.ResourceAccount {
	for i := range d.ResourceAccounts {
		if d.ResourceAccounts[i].UPN == upn {
			return &d.ResourceAccounts[i]
		}
	}
	panic("no resource account " + upn)
}

func emergency(d *schema.Desired, policy string, i int) where {
	return where{pol(d, policy).EmergencyNumbers[i].Pos, schema.Path("policies", policy, "emergencyNumbers", i)}
}

func userAt(d *schema.Desired, policy string, i int) where {
	return where{pol(d, policy).Users[i].Pos, schema.Path("policies", policy, "users", i)}
}

func raRef(d *schema.Desired, policy string) where {
	return where{pol(d, policy).ResourceAccountPos, schema.Path("policies", policy, "resourceAccount")}
}

func raField(d *schema.Desired, upn, field string) where {
	r := ra(d, upn)
	switch field {
	case "number":
		return where{r.NumberPos, schema.Path("resourceAccounts", upn, "number")}
	case "type":
		return where{r.TypePos, schema.Path("resourceAccounts", upn, "type")}
	case "location":
		return where{r.LocationPos, schema.Path("resourceAccounts", upn, "location")}
	}
	return where{r.Pos, schema.Path("resourceAccounts", upn)}
}

func dave(d *schema.Desired) *schema.UserNumber { return &d.UserNumbers[0] }

type ruleCase struct {
	name  string
	rule  string
	state bool // run with cleanState (edited by edit)
	edit  func(d *schema.Desired, s *tenant.Snapshot, g *posGen)
	want  func(d *schema.Desired) []where // nil: no finding of rule
	msg   string                          // a substring of every finding's message
}

var ruleCases = []ruleCase{
	// policy-resource-account
	{name: "undeclared account", rule: "policy-resource-account",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			d.Policies[0].ResourceAccount = "nope@contoso.com"
		},
		want: func(d *schema.Desired) []where { return []where{raRef(d, "Redmond")} }, msg: "nope@contoso.com of policy Redmond is not declared"},
	{name: "no account", rule: "policy-resource-account",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.Policies[0].ResourceAccount = "" },
		want: func(d *schema.Desired) []where { return []where{{pol(d, "Redmond").Pos, "policies.Redmond"}} }, msg: "names no resource account"},
	{name: "account only in the tenant", rule: "policy-resource-account", state: true,
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.ResourceAccounts = d.ResourceAccounts[:1] }},
	{name: "account in neither", rule: "policy-resource-account", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			d.ResourceAccounts = d.ResourceAccounts[:1]
			s.ResourceAccounts = s.ResourceAccounts[:1]
		},
		want: func(d *schema.Desired) []where { return []where{raRef(d, "Vancouver")} }, msg: "neither declared"},
	{name: "account matched case-insensitively", rule: "policy-resource-account",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			d.Policies[0].ResourceAccount = "RA1@Contoso.com"
		}},

	// resource-account-number
	{name: "declared account without number", rule: "resource-account-number",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.ResourceAccounts[0].Number = "" },
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra1@contoso.com", "")} }, msg: "has no number"},
	{name: "bad number type", rule: "resource-account-number",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.ResourceAccounts[0].Type = "Teams" },
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra1@contoso.com", "type")} }, msg: `"Teams"`},
	{name: "tenant account without number, every policy", rule: "resource-account-number", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, g *posGen) {
			d.ResourceAccounts = d.ResourceAccounts[:1]
			d.Policies = append(d.Policies, schema.Policy{Name: "Whistler", Pos: g.next(), ResourceAccount: "ra2@contoso.com",
				ResourceAccountPos: g.next(), Users: []schema.Located{g.loc("erin@contoso.com")}})
			n := stateNumber(s, "+16045551234")
			n.AssignedPstnTargetID, n.PstnAssignmentStatus = "", tenant.StatusUnassigned
		},
		want: func(d *schema.Desired) []where { return []where{raRef(d, "Vancouver"), raRef(d, "Whistler")} }},
	{name: "tenant account whose number the config gives away", rule: "resource-account-number", state: true,
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			d.ResourceAccounts = d.ResourceAccounts[:1] // ra2 known only from the state
			d.ResourceAccounts[0].Number = "+16045551234"
		},
		want: func(d *schema.Desired) []where { return []where{raRef(d, "Vancouver")} },
		msg:  "ra2@contoso.com, used by policy Vancouver, loses its number to resource account ra1@contoso.com"},
	{name: "tenant account whose number becomes an emergency number", rule: "resource-account-number", state: true,
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.ResourceAccounts = d.ResourceAccounts[:1]
			d.Policies[0].EmergencyNumbers = append(d.Policies[0].EmergencyNumbers, g.loc("+16045551234"))
		},
		want: func(d *schema.Desired) []where { return []where{raRef(d, "Vancouver")} },
		msg:  "loses its number to policy Redmond (as an emergency number)"},
	{name: "unused account without number", rule: "resource-account-number",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ra3@contoso.com", Pos: g.next()})
		}},

	// resource-account-location
	{name: "no location", rule: "resource-account-location",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.ResourceAccounts[0].Location = "" },
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra1@contoso.com", "")} }, msg: "has no emergency location"},
	{name: "no location in config, located in the tenant", rule: "resource-account-location", state: true,
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.ResourceAccounts[0].Location = "" }},
	{name: "no location in config nor tenant", rule: "resource-account-location", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			d.ResourceAccounts[0].Location = ""
			stateNumber(s, "+14255550100").LocationID = "00000000-0000-0000-0000-000000000000"
		},
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra1@contoso.com", "")} }},
	{name: "no location in config, new number located in the inventory", rule: "resource-account-location", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			// The account gets a number it doesn't hold yet: it is assigned
			// without a location, whatever the inventory says.
			d.ResourceAccounts[0].Location, d.ResourceAccounts[0].Number = "", "+14255556690"
			s.Numbers = append(s.Numbers, tenant.Number{TelephoneNumber: "+14255556690", NumberType: "CallingPlan",
				IsoCountryCode: "US", LocationID: redmondID, NumberSource: "Online"})
		},
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra1@contoso.com", "")} }},
	{name: "undeclared location key", rule: "resource-account-location",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.ResourceAccounts[0].Location = "nowhere" },
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra1@contoso.com", "location")} }, msg: `"nowhere"`},
	{name: "unused account without location", rule: "resource-account-location",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ra3@contoso.com", Number: "+14255550101", Type: "CallingPlan", Pos: g.next()})
		}},

	// policy-number-type
	{name: "emergency number of another type", rule: "policy-number-type", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			stateNumber(s, "+14255556678").NumberType = "OperatorConnect"
		},
		want: func(d *schema.Desired) []where { return []where{emergency(d, "Redmond", 1)} }, msg: "is a OperatorConnect number"},
	{name: "same types", rule: "policy-number-type", state: true},

	// policy-number-country
	{name: "emergency number in another country", rule: "policy-number-country",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[0].EmergencyNumbers = append(d.Policies[0].EmergencyNumbers, g.loc("+16045550111"))
		},
		want: func(d *schema.Desired) []where { return []where{emergency(d, "Redmond", 2)} }, msg: "is in CA"},
	{name: "inventory country wins", rule: "policy-number-country", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			stateNumber(s, "+14255556678").IsoCountryCode = "CA"
		},
		want: func(d *schema.Desired) []where { return []where{emergency(d, "Redmond", 1)} }},
	{name: "same country", rule: "policy-number-country",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[1].EmergencyNumbers = []schema.Located{g.loc("+16045551235")}
		}},

	// location-country
	{name: "location abroad", rule: "location-country",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.ResourceAccounts[0].Location = "vancouver" },
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra1@contoso.com", "location")} }, msg: "is in CA, but its number +14255550100 is in US"},
	{name: "location at home", rule: "location-country"},

	// calling-plan-country
	{name: "Calling Plan number in AU", rule: "calling-plan-country",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			d.ResourceAccounts[0].Number = "+61291234567"
		},
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra1@contoso.com", "number")} }, msg: "in AU"},
	{name: "Operator Connect number in AU", rule: "calling-plan-country",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			d.ResourceAccounts[0].Number, d.ResourceAccounts[0].Type = "+61291234567", "OperatorConnect"
		}},
	{name: "Calling Plan number in AU, account unused", rule: "calling-plan-country",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ra3@contoso.com", Number: "+61291234567", Type: "CallingPlan", Pos: g.next()})
		}},

	// toll-free-emergency-numbers
	{name: "toll-free without emergency numbers", rule: "toll-free-emergency-numbers",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.ResourceAccounts[1].Number = "+18005550100" },
		want: func(d *schema.Desired) []where { return []where{raRef(d, "Vancouver")} }, msg: "toll-free number +18005550100"},
	{name: "toll-free with emergency numbers", rule: "toll-free-emergency-numbers",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.ResourceAccounts[0].Number = "+18005550100" }},

	// emergency-number-reused
	{name: "in two policies", rule: "emergency-number-reused",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[1].EmergencyNumbers = []schema.Located{g.loc("+14255556677")}
		},
		want: func(d *schema.Desired) []where { return []where{emergency(d, "Vancouver", 0)} },
		msg:  "+14255556677 is an emergency number of policies Redmond and Vancouver"},
	{name: "twice in one policy is not reuse", rule: "emergency-number-reused",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[0].EmergencyNumbers = append(d.Policies[0].EmergencyNumbers, g.loc("+14255556677"))
		}},

	// emergency-number-assigned
	{name: "resource account's number", rule: "emergency-number-assigned",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[0].EmergencyNumbers = append(d.Policies[0].EmergencyNumbers, g.loc("+14255550100"))
		},
		want: func(d *schema.Desired) []where { return []where{emergency(d, "Redmond", 2)} }, msg: "resource account ra1@contoso.com"},
	{name: "user's number", rule: "emergency-number-assigned",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[1].EmergencyNumbers = []schema.Located{g.loc("+14255556679")}
		},
		want: func(d *schema.Desired) []where { return []where{emergency(d, "Vancouver", 0)} }, msg: "user dave@contoso.com"},
	{name: "extension of a number is another number", rule: "emergency-number-assigned",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { dave(d).Number = "+14255556677;ext=1" }},

	// emergency-number-in-tenant
	{name: "not in the inventory", rule: "emergency-number-in-tenant", state: true,
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[0].EmergencyNumbers = append(d.Policies[0].EmergencyNumbers, g.loc("+14255556690"))
		},
		want: func(d *schema.Desired) []where { return []where{emergency(d, "Redmond", 2)} }, msg: "not a number of the tenant"},
	{name: "Direct Routing numbers need not be", rule: "emergency-number-in-tenant", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, g *posGen) {
			d.ResourceAccounts[0].Type = "DirectRouting"
			stateNumber(s, "+14255550100").NumberType = "DirectRouting"
			d.Policies[0].EmergencyNumbers = append(d.Policies[0].EmergencyNumbers, g.loc("+14255556690"))
		}},

	// emergency-number-duplicate
	{name: "listed twice", rule: "emergency-number-duplicate",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[0].EmergencyNumbers = append(d.Policies[0].EmergencyNumbers, g.loc("+14255556677"))
		},
		want: func(d *schema.Desired) []where { return []where{emergency(d, "Redmond", 2)} }, msg: "listed twice"},
	{name: "in two policies is not a duplicate", rule: "emergency-number-duplicate",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[1].EmergencyNumbers = []schema.Located{g.loc("+14255556677")}
		}},

	// emergency-number-extension
	{name: "with extension", rule: "emergency-number-extension",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			d.Policies[0].EmergencyNumbers[1].Value = "+14255556678;ext=12"
		},
		want: func(d *schema.Desired) []where { return []where{emergency(d, "Redmond", 1)} }, msg: "has an extension"},
	{name: "plain", rule: "emergency-number-extension"},

	// number-format
	{name: "not E.164, with a suggestion", rule: "number-format",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			d.ResourceAccounts[0].Number = "+1 425-555-0100"
		},
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra1@contoso.com", "number")} }, msg: "write +14255550100"},
	{name: "seed note's 9-digit number", rule: "number-format",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			d.Policies[0].EmergencyNumbers[1].Value = "+1425555432"
		},
		want: func(d *schema.Desired) []where { return []where{emergency(d, "Redmond", 1)} }, msg: "not a valid number for its region"},
	{name: "resource account number with extension", rule: "number-format",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			d.ResourceAccounts[0].Number = "+14255550100;ext=1"
		},
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra1@contoso.com", "number")} }, msg: "only a user's number"},
	{name: "user number with extension", rule: "number-format",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			dave(d).Number, dave(d).Type = "+14255550100;ext=6789", "DirectRouting"
		}},
	{name: "user number with bad extension", rule: "number-format",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { dave(d).Number = "+14255550100;ext=x" },
		want: func(d *schema.Desired) []where {
			return []where{{dave(d).NumberPos, schema.Path("userNumbers", "dave@contoso.com", "number")}}
		}},

	// number-held-twice
	{name: "two accounts", rule: "number-held-twice",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.ResourceAccounts[1].Number = "+14255550100" },
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra2@contoso.com", "number")} },
		msg:  "the number of resource account ra1@contoso.com and of resource account ra2@contoso.com"},
	{name: "account and user", rule: "number-held-twice",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { dave(d).Number = "+14255550100" },
		want: func(d *schema.Desired) []where {
			return []where{{dave(d).NumberPos, schema.Path("userNumbers", "dave@contoso.com", "number")}}
		}},
	{name: "extension of the account's number", rule: "number-held-twice",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			dave(d).Number, dave(d).Type = "+14255550100;ext=6789", "DirectRouting"
		}},

	// number-type-mismatch
	{name: "declared type differs", rule: "number-type-mismatch", state: true,
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.ResourceAccounts[0].Type = "OperatorConnect" },
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra1@contoso.com", "type")} }, msg: "is a CallingPlan number in the tenant, not OperatorConnect"},
	{name: "types agree", rule: "number-type-mismatch", state: true},

	// number-on-premises
	{name: "on-premises number to assign", rule: "number-on-premises", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			n := stateNumber(s, "+14255556679")
			n.NumberSource, n.AssignedPstnTargetID, n.PstnAssignmentStatus = "OnPremises", "", tenant.StatusUnassigned
		},
		want: func(d *schema.Desired) []where {
			return []where{{dave(d).NumberPos, schema.Path("userNumbers", "dave@contoso.com", "number")}}
		}},
	{name: "on-premises number already in place", rule: "number-on-premises", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			stateNumber(s, "+14255556679").NumberSource = "OnPremises"
		}},

	// undeclared-global: the state's Global uses ra2 (Vancouver's account,
	// +16045551234, OperatorConnect, CA) with a CA emergency number, or ra3,
	// an account the desired state does not declare.
	{name: "Global left alone", rule: "undeclared-global", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) { withGlobal(s, "ra2-id") }},
	{name: "Global's account renumbered to another country", rule: "undeclared-global", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			withGlobal(s, "ra2-id")
			ra(d, "ra2@contoso.com").Number = "+14255550200"
		},
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra2@contoso.com", "number")} },
		msg:  "emergency number +16045550911 of policy Global is in CA, but resource account ra2@contoso.com's number +14255550200 is in US: all numbers of a policy have the same country; policy Global is not declared"},
	{name: "Global's account renumbered to another type", rule: "undeclared-global", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			withGlobal(s, "ra2-id")
			r := ra(d, "ra2@contoso.com")
			r.Number, r.Type = "+16045550300", "DirectRouting"
		},
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra2@contoso.com", "number")} },
		msg:  "is a OperatorConnect number, but resource account ra2@contoso.com's number +16045550300 is DirectRouting"},
	{name: "Global's emergency number taken by a declared policy", rule: "undeclared-global", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, g *posGen) {
			withGlobal(s, "ra2-id")
			r := ra(d, "ra2@contoso.com")
			r.Number, r.Type = "+16045550300", "DirectRouting"
			pol(d, "Vancouver").EmergencyNumbers = []schema.Located{g.loc("+16045550911")}
		}},
	{name: "Global's account moved to another location only", rule: "undeclared-global", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			withGlobal(s, "ra2-id")
			ra(d, "ra2@contoso.com").Location = "redmond"
		}},
	{name: "Global declared", rule: "undeclared-global", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, g *posGen) {
			withGlobal(s, "ra2-id")
			ra(d, "ra2@contoso.com").Number = "+14255550200"
			d.Policies = append(d.Policies, schema.Policy{Name: "Global", Pos: g.next(), ResourceAccount: "ra1@contoso.com", ResourceAccountPos: g.next()})
		}},
	{name: "Global declared in lower case", rule: "undeclared-global", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, g *posGen) {
			withGlobal(s, "ra2-id")
			ra(d, "ra2@contoso.com").Number = "+14255550200"
			d.Policies = append(d.Policies, schema.Policy{Name: "global", Pos: g.next(), ResourceAccount: "ra1@contoso.com", ResourceAccountPos: g.next()})
		}},
	{name: "Global's undeclared account loses its number", rule: "undeclared-global", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			withGlobal(s, "ra3-id")
			dave(d).Number = "+14255550300"
		},
		want: func(d *schema.Desired) []where {
			return []where{{dave(d).NumberPos, schema.Path("userNumbers", "dave@contoso.com", "number")}}
		},
		msg: "resource account ra3@contoso.com, used by policy Global, loses its number to user dave@contoso.com"},
	{name: "Global's undeclared account keeps its number", rule: "undeclared-global", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) { withGlobal(s, "ra3-id") }},
	{name: "Global's account declared with a new number without location", rule: "undeclared-global", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, g *posGen) {
			withGlobal(s, "ra3-id")
			d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ra3@contoso.com", Number: "+16045550400",
				Type: "OperatorConnect", Pos: g.next(), NumberPos: g.next(), TypePos: g.next()})
		},
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra3@contoso.com", "number")} },
		msg:  "the number +16045550400 of resource account ra3@contoso.com, used by policy Global, will have no emergency location"},

	// declared-twice: the later of two keys that differ only in case.
	{name: "policy, account and user in another case", rule: "declared-twice",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies = append(d.Policies, schema.Policy{Name: "REDMOND", Pos: g.next(), ResourceAccount: "ra1@contoso.com", ResourceAccountPos: g.next()})
			d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "RA2@contoso.com", Number: "+16045551234", Type: "OperatorConnect",
				Pos: g.next(), NumberPos: g.next(), TypePos: g.next()})
			d.UserNumbers = append(d.UserNumbers, schema.UserNumber{UPN: "Dave@Contoso.com", Number: "+14255556679", Type: "CallingPlan",
				Pos: g.next(), NumberPos: g.next(), TypePos: g.next()})
		},
		want: func(d *schema.Desired) []where {
			return []where{
				{pol(d, "REDMOND").Pos, "policies.REDMOND"},
				{ra(d, "RA2@contoso.com").Pos, `resourceAccounts."RA2@contoso.com"`},
				{d.UserNumbers[1].Pos, `userNumbers."Dave@Contoso.com"`},
			}
		},
		msg: "is declared twice"},
	{name: "the earlier key in sorted order is written later", rule: "declared-twice",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			// "Ra1" sorts before "ra1" but is written after it.
			d.ResourceAccounts = append([]schema.ResourceAccount{{UPN: "Ra1@contoso.com", Number: "+14255550100", Type: "CallingPlan",
				Pos: g.next(), NumberPos: g.next(), TypePos: g.next()}}, d.ResourceAccounts...)
		},
		want: func(d *schema.Desired) []where {
			return []where{{ra(d, "Ra1@contoso.com").Pos, `resourceAccounts."Ra1@contoso.com"`}}
		},
		msg: "resource account Ra1@contoso.com is declared twice: ra1@contoso.com (at tenant.cue:"},
	{name: "distinct names", rule: "declared-twice",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies = append(d.Policies, schema.Policy{Name: "Redmond2", Pos: g.next(), ResourceAccount: "ra1@contoso.com", ResourceAccountPos: g.next()})
		}},

	// number-in-tenant
	{name: "account and user numbers the tenant does not have", rule: "number-in-tenant", state: true,
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			ra(d, "ra1@contoso.com").Number = "+14255550199"
			dave(d).Number = "+14255550198"
		},
		want: func(d *schema.Desired) []where {
			return []where{raField(d, "ra1@contoso.com", "number"), {dave(d).NumberPos, schema.Path("userNumbers", "dave@contoso.com", "number")}}
		},
		msg: "is not in the tenant's number inventory"},
	{name: "Direct Routing extension the service lists only once assigned", rule: "number-in-tenant", state: true,
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			dave(d).Number, dave(d).Type = "+14255551000;ext=12", "DirectRouting"
		},
		want: func(d *schema.Desired) []where {
			return []where{{dave(d).NumberPos, schema.Path("userNumbers", "dave@contoso.com", "number")}}
		},
		msg: "callops assigns only numbers the export lists; assign this Direct Routing number to dave@contoso.com once with Set-CsPhoneNumberAssignment, then import a fresh export"},
	{name: "account the tenant does not have", rule: "number-in-tenant", state: true,
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ra9@contoso.com", Number: "+14255550197", Type: "CallingPlan",
				Pos: g.next(), NumberPos: g.next(), TypePos: g.next()})
		}},

	// number-held-unmanaged
	{name: "numbers held by an object the state does not have", rule: "number-held-unmanaged", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			stateNumber(s, "+14255556679").AssignedPstnTargetID = "ghost-id"
			stateNumber(s, "+14255556677").AssignedPstnTargetID = "ghost-id"
		},
		want: func(d *schema.Desired) []where {
			return []where{emergency(d, "Redmond", 0), {dave(d).NumberPos, schema.Path("userNumbers", "dave@contoso.com", "number")}}
		},
		msg: "is assigned in the tenant to ghost-id, an object callops does not manage"},
	{name: "numbers held by the state's own objects", rule: "number-held-unmanaged", state: true,
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			dave(d).Number = "+16045551234" // ra2's: plan moves it
		}},

	// tenant-domain
	{name: "state of another tenant", rule: "tenant-domain", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) { s.Tenant.Domain = "fabrikam.onmicrosoft.com" },
		want: func(d *schema.Desired) []where { return []where{{d.DomainPos, "tenant.domain"}} },
		msg:  "the desired state is for tenant contoso.onmicrosoft.com, but the state is of tenant fabrikam.onmicrosoft.com"},
	{name: "same tenant in other case, with a final dot", rule: "tenant-domain", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) { s.Tenant.Domain = "Contoso.OnMicrosoft.com." }},
	{name: "state without a domain", rule: "tenant-domain", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) { s.Tenant.Domain = "" }},

	// number-capability
	{name: "user number that only an account may hold", rule: "number-capability", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			n := stateNumber(s, "+14255556679")
			n.AssignedPstnTargetID, n.PstnAssignmentStatus, n.Capability = "", tenant.StatusUnassigned, []string{"VoiceApplicationAssignment"}
		},
		want: func(d *schema.Desired) []where {
			return []where{{dave(d).NumberPos, schema.Path("userNumbers", "dave@contoso.com", "number")}}
		}, msg: "can't be assigned to user dave@contoso.com: its capabilities are VoiceApplicationAssignment, not UserAssignment"},
	{name: "capability already in place", rule: "number-capability", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			stateNumber(s, "+14255556679").Capability = []string{"VoiceApplicationAssignment"}
		}},
	{name: "no capabilities listed", rule: "number-capability", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			n := stateNumber(s, "+14255556679")
			n.AssignedPstnTargetID, n.PstnAssignmentStatus, n.Capability = "", tenant.StatusUnassigned, nil
		}},

	// user-has-number
	{name: "granted user with a declared number", rule: "user-has-number",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			dave(d).UPN = "alice@contoso.com"
		},
		want: func(d *schema.Desired) []where {
			return []where{{dave(d).NumberPos, schema.Path("userNumbers", "alice@contoso.com", "number")}}
		}, msg: "is granted policy Redmond but holds number +14255556679"},
	{name: "granted user with an extension number", rule: "user-has-number",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			dave(d).UPN, dave(d).Number, dave(d).Type = "alice@contoso.com", "+14255550100;ext=6789", "DirectRouting"
		}},
	{name: "granted user with a Calling Plan extension number", rule: "user-has-number",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			dave(d).UPN, dave(d).Number = "alice@contoso.com", "+14255550100;ext=6789"
		},
		want: func(d *schema.Desired) []where {
			return []where{{dave(d).NumberPos, schema.Path("userNumbers", "alice@contoso.com", "number")}}
		}},
	{name: "granted user holding a number in the tenant", rule: "user-has-number", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			d.UserNumbers = nil
			stateNumber(s, "+14255556679").AssignedPstnTargetID = "bob-id"
		},
		want: func(d *schema.Desired) []where { return []where{userAt(d, "Redmond", 1)} }, msg: "in the tenant"},
	{name: "granted user holding a number, holder id in capitals", rule: "user-has-number", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			d.UserNumbers = nil
			stateNumber(s, "+14255556679").AssignedPstnTargetID = "BOB-ID"
		},
		want: func(d *schema.Desired) []where { return []where{userAt(d, "Redmond", 1)} }, msg: "holds number +14255556679 in the tenant"},
	{name: "ungranted user with a number", rule: "user-has-number", state: true},

	// user-voice-enabled
	{name: "not voice enabled", rule: "user-voice-enabled", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) { s.Users[1].EnterpriseVoiceEnabled = false },
		want: func(d *schema.Desired) []where { return []where{userAt(d, "Redmond", 1)} }, msg: "bob@contoso.com"},
	{name: "voice enabled", rule: "user-voice-enabled", state: true},

	// user-granted-twice
	{name: "two policies", rule: "user-granted-twice",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[0].Users = append(d.Policies[0].Users, g.loc("Carol@Contoso.com"))
		},
		want: func(d *schema.Desired) []where { return []where{userAt(d, "Vancouver", 0)} }, msg: "listed by policies Redmond and Vancouver"},
	{name: "twice in one policy", rule: "user-granted-twice",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[0].Users = append(d.Policies[0].Users, g.loc("alice@contoso.com"))
		},
		want: func(d *schema.Desired) []where { return []where{userAt(d, "Redmond", 2)} }, msg: "listed twice by policy Redmond"},
	{name: "once each", rule: "user-granted-twice"},
	// With a state, users the tenant has are matched by their place in
	// it and the rest by UPN (lint/context.go indexGrants): both find
	// a user listed twice, whatever its case.
	{name: "two policies, with the state", rule: "user-granted-twice", state: true,
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[0].Users = append(d.Policies[0].Users, g.loc("Carol@Contoso.com"))
		},
		want: func(d *schema.Desired) []where { return []where{userAt(d, "Vancouver", 0)} }, msg: "listed by policies Redmond and Vancouver"},
	{name: "twice, not in the tenant", rule: "user-granted-twice", state: true,
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[0].Users = append(d.Policies[0].Users, g.loc("zed@contoso.com"), g.loc("Zed@contoso.com"))
		},
		want: func(d *schema.Desired) []where { return []where{userAt(d, "Redmond", 3)} }, msg: "listed twice by policy Redmond (also at [2])"},
	{name: "once each, with the state", rule: "user-granted-twice", state: true},

	// grant-unknown-policy
	{name: "undeclared default", rule: "grant-unknown-policy",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.TenantDefault = "Seattle" },
		want: func(d *schema.Desired) []where { return []where{{d.TenantDefaultPos, "tenantDefault"}} }, msg: "Seattle"},
	{name: "Global", rule: "grant-unknown-policy",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.TenantDefault = "Global" }},
	{name: "declared policy in another case", rule: "grant-unknown-policy",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.TenantDefault = "REDMOND" }},

	// group-limit
	{name: "65 groups", rule: "group-limit",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) { addGroups(d, g, 64, 2) },
		want: func(d *schema.Desired) []where { return []where{group(d, "Vancouver", 63)} }, msg: "65 group assignments"},
	{name: "64 groups", rule: "group-limit",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) { addGroups(d, g, 63, 2) }},
	{name: "64 groups and a Global group the tenant keeps", rule: "group-limit", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, g *posGen) {
			addGroups(d, g, 63, 2)
			s.GroupAssignments = append(s.GroupAssignments, tenant.GroupAssignment{GroupID: "9a9a9a9a-0000-4000-8000-000000000001", PolicyName: "Global", Rank: 500})
		},
		want: func(d *schema.Desired) []where { return []where{group(d, "Vancouver", 62)} }, msg: "and 1 of policy Global in the tenant that callops leaves as they are"},
	{name: "one group and 64 Global groups the tenant keeps", rule: "group-limit", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, g *posGen) {
			addGroups(d, g, 1, 2)
			for i := 0; i < 65; i++ {
				s.GroupAssignments = append(s.GroupAssignments, tenant.GroupAssignment{GroupID: fmt.Sprintf("9a9a9a9a-0000-4000-8000-%012d", i), PolicyName: "Global", Rank: 100 + i})
			}
		},
		want: func(d *schema.Desired) []where { return []where{group(d, "Redmond", 0)} }, msg: "and 65 of policy Global"},
	{name: "rank of a Global group the tenant keeps", rule: "group-limit", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, g *posGen) {
			addGroups(d, g, 1, 2)
			s.GroupAssignments = append(s.GroupAssignments, tenant.GroupAssignment{GroupID: "9a9a9a9a-0000-4000-8000-000000000001", PolicyName: "Global", Rank: 2})
		},
		want: func(d *schema.Desired) []where { return []where{group(d, "Vancouver", 0)} }, msg: "is the rank of group 9a9a9a9a-0000-4000-8000-000000000001, which keeps policy Global"},
	{name: "rank of a Global group the tenant names in lower case", rule: "group-limit", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, g *posGen) {
			addGroups(d, g, 1, 2)
			s.GroupAssignments = append(s.GroupAssignments, tenant.GroupAssignment{GroupID: "9a9a9a9a-0000-4000-8000-000000000001", PolicyName: "tag:global", Rank: 2})
		},
		want: func(d *schema.Desired) []where { return []where{group(d, "Vancouver", 0)} }, msg: "which keeps policy Global"},
	{name: "Global group the desired state reassigns", rule: "group-limit", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, g *posGen) {
			addGroups(d, g, 63, 2)
			id := pol(d, "Vancouver").Groups[0].GroupID
			s.GroupAssignments = append(s.GroupAssignments, tenant.GroupAssignment{GroupID: id, PolicyName: "Global", Rank: 2})
		}},
	{name: "rank not positive", rule: "group-limit",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.Policies[0].Groups[0].Rank = 0 },
		want: func(d *schema.Desired) []where { return []where{group(d, "Redmond", 0)} }, msg: "ranks are positive"},
	{name: "rank used twice across policies", rule: "group-limit",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) { addGroups(d, g, 1, 1) },
		want: func(d *schema.Desired) []where { return []where{group(d, "Vancouver", 0)} }, msg: "rank 1"},
	{name: "group granted two policies", rule: "group-limit",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[1].Groups = []schema.GroupGrant{{GroupID: d.Policies[0].Groups[0].GroupID, Rank: 2, Pos: g.next()}}
		},
		want: func(d *schema.Desired) []where { return []where{group(d, "Vancouver", 0)} }, msg: "granted policies Redmond and Vancouver"},

	{name: "group granted Global", rule: "group-limit",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			p := pol(d, "Vancouver")
			p.Name = "Global"
			p.Groups = []schema.GroupGrant{{GroupID: "1d000000-0000-4000-8000-000000000009", Rank: 9, Pos: g.next()}}
		},
		want: func(d *schema.Desired) []where { return []where{group(d, "Global", 0)} }, msg: "the service does not assign Global to a group"},

	// policy-unused
	{name: "granted to nobody", rule: "policy-unused",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) { d.Policies[1].Users = nil },
		want: func(d *schema.Desired) []where { return []where{{pol(d, "Vancouver").Pos, "policies.Vancouver"}} }},
	{name: "tenant default", rule: "policy-unused",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, _ *posGen) {
			d.Policies[1].Users, d.TenantDefault = nil, "Vancouver"
		}},
	{name: "Global", rule: "policy-unused",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies = append(d.Policies, schema.Policy{Name: "Global", Pos: g.next(), ResourceAccount: "ra1@contoso.com", ResourceAccountPos: g.next()})
		}},
	{name: "groups only", rule: "policy-unused",
		edit: func(d *schema.Desired, _ *tenant.Snapshot, g *posGen) {
			d.Policies[1].Users = nil
			addGroups(d, g, 1, 2)
		}},

	// resource-account-unknown
	{name: "account not in the tenant", rule: "resource-account-unknown", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) { s.ResourceAccounts = s.ResourceAccounts[:1] },
		want: func(d *schema.Desired) []where { return []where{raField(d, "ra2@contoso.com", "")} }},
	{name: "accounts in the tenant", rule: "resource-account-unknown", state: true},

	// location-unknown
	{name: "location not in the tenant", rule: "location-unknown", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) { s.Locations = s.Locations[:1] },
		want: func(d *schema.Desired) []where {
			return []where{{d.Locations[1].IDPos, "locations.vancouver.id"}}
		}},
	{name: "locations in the tenant", rule: "location-unknown", state: true},

	// user-unknown
	{name: "granted user not in the tenant", rule: "user-unknown", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			s.Users = without(s.Users, func(u tenant.User) bool { return u.ObjectID == "carol-id" })
		},
		want: func(d *schema.Desired) []where { return []where{userAt(d, "Vancouver", 0)} }},
	{name: "user with number not in the tenant", rule: "user-unknown", state: true,
		edit: func(d *schema.Desired, s *tenant.Snapshot, _ *posGen) {
			s.Users = without(s.Users, func(u tenant.User) bool { return u.ObjectID == "dave-id" })
		},
		want: func(d *schema.Desired) []where {
			return []where{{dave(d).Pos, schema.Path("userNumbers", "dave@contoso.com")}}
		}},
	{name: "users in the tenant", rule: "user-unknown", state: true},
}

func group(d *schema.Desired, policy string, i int) where {
	g := pol(d, policy).Groups[i]
	return where{g.Pos, schema.Path("policies", policy, "groups", g.GroupID)}
}

// addGroups grants Vancouver n groups ranked from firstRank on.
func addGroups(d *schema.Desired, g *posGen, n, firstRank int) {
	p := pol(d, "Vancouver")
	for i := 0; i < n; i++ {
		p.Groups = append(p.Groups, schema.GroupGrant{GroupID: fmt.Sprintf("1d000000-0000-4000-8000-%012d", i), Rank: firstRank + i, Pos: g.next()})
	}
}

func TestRules(t *testing.T) {
	covered := map[string][2]bool{} // rule -> {finding, no finding}
	for _, tc := range ruleCases {
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			if _, ok := RuleByID(tc.rule); !ok {
				t.Fatalf("no rule %q", tc.rule)
			}
			d, g := cleanDesired()
			var s *tenant.Snapshot
			if tc.state {
				s = cleanState()
			}
			if tc.edit != nil {
				tc.edit(d, s, g)
			}
			all := Run(d, s)
			var got []where
			for _, f := range all {
				if f.Rule != tc.rule {
					continue
				}
				got = append(got, where{f.Pos, f.Path})
				r, _ := RuleByID(tc.rule)
				if f.Severity != r.Severity {
					t.Errorf("finding %v has severity %v, rule says %v", f, f.Severity, r.Severity)
				}
				if !strings.Contains(f.Message, tc.msg) {
					t.Errorf("message %q does not contain %q", f.Message, tc.msg)
				}
			}
			var want []where
			if tc.want != nil {
				want = tc.want(d)
			}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("findings of %s (-want +got):\n%s\nall findings:\n%s", tc.rule, diff, findingsText(all))
			}
			c := covered[tc.rule]
			c[0] = c[0] || len(want) > 0
			c[1] = c[1] || len(want) == 0
			covered[tc.rule] = c
		})
	}
	for _, r := range Rules() {
		if r.ID == RuleSchema {
			continue
		}
		if c := covered[r.ID]; !c[0] || !c[1] {
			t.Errorf("rule %s is not tested both ways (finding: %v, no finding: %v)", r.ID, c[0], c[1])
		}
	}
}

func findingsText(fs []Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String() + " @ " + f.Path + "\n")
	}
	return b.String()
}

// The clean fixture, with and without state, is what the docs explicitly
// allow: the same resource account in several policies, a policy with no
// emergency numbers, emergency numbers without a location.
func TestExplicitlyAllowed(t *testing.T) {
	tests := []struct {
		name string
		edit func(d *schema.Desired, s *tenant.Snapshot)
	}{
		{"clean", func(*schema.Desired, *tenant.Snapshot) {}},
		{"same resource account in two policies", func(d *schema.Desired, s *tenant.Snapshot) {
			d.Policies[1].ResourceAccount = "ra1@contoso.com"
			s.Policies[1].ResourceAccount = "ra1-id"
		}},
		{"policy without emergency numbers", func(d *schema.Desired, _ *tenant.Snapshot) {
			d.Policies[0].EmergencyNumbers = nil
		}},
		{"emergency numbers without location", func(_ *schema.Desired, s *tenant.Snapshot) {
			stateNumber(s, "+14255556677").LocationID = ""
			stateNumber(s, "+14255556678").LocationID = "00000000-0000-0000-0000-000000000000"
		}},
	}
	for _, tt := range tests {
		for _, withState := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s/state=%v", tt.name, withState), func(t *testing.T) {
				d, _ := cleanDesired()
				s := cleanState()
				tt.edit(d, s)
				if !withState {
					s = nil
				}
				if got := Run(d, s); len(got) != 0 {
					t.Errorf("want no findings, got:\n%s", findingsText(got))
				}
			})
		}
	}
}

func TestNeedsState(t *testing.T) {
	var got []string
	for _, r := range Rules() {
		if r.NeedsState {
			got = append(got, r.ID)
		}
	}
	want := []string{"undeclared-global", "emergency-number-in-tenant", "number-type-mismatch", "number-on-premises", "number-capability",
		"number-in-tenant", "number-held-unmanaged",
		"user-voice-enabled", "resource-account-unknown", "location-unknown", "user-unknown", "tenant-domain"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("rules that need a state (-want +got):\n%s", d)
	}
	// Without a state they are skipped even when the state would matter.
	d, _ := cleanDesired()
	for _, f := range Run(d, nil) {
		if r, _ := RuleByID(f.Rule); r.NeedsState {
			t.Errorf("rule %s ran without a state: %v", f.Rule, f)
		}
	}
}

func TestRulesTable(t *testing.T) {
	seen := map[string]bool{}
	for _, r := range Rules() {
		if seen[r.ID] {
			t.Errorf("rule %s listed twice", r.ID)
		}
		seen[r.ID] = true
		if r.Summary == "" || r.Source == "" {
			t.Errorf("rule %s lacks a summary or source", r.ID)
		}
		if (r.check == nil) != (r.ID == RuleSchema) {
			t.Errorf("rule %s: check is nil = %v", r.ID, r.check == nil)
		}
	}
	// Every rule id of DOMAIN.md's list.
	for _, id := range []string{"policy-resource-account", "resource-account-number", "resource-account-location",
		"policy-number-type", "policy-number-country", "location-country", "calling-plan-country",
		"toll-free-emergency-numbers", "emergency-number-reused", "emergency-number-assigned",
		"emergency-number-in-tenant", "emergency-number-duplicate", "emergency-number-extension", "number-format",
		"number-held-twice", "number-type-mismatch", "number-on-premises", "user-has-number", "user-voice-enabled",
		"user-granted-twice", "grant-unknown-policy", "group-limit", "policy-unused", "schema",
		"resource-account-unknown", "location-unknown", "user-unknown", "number-capability", "undeclared-global", "tenant-domain", "declared-twice", "number-in-tenant", "number-held-unmanaged"} {
		if !seen[id] {
			t.Errorf("rule %s is missing", id)
		}
	}
	if len(seen) != 33 {
		t.Errorf("%d rules, want 33", len(seen))
	}
}

// withGlobal gives s a Global policy that uses the resource account with
// ObjectId accountID and lists the emergency number +16045550911
// (OperatorConnect, CA). It adds ra3 (ObjectId ra3-id, holding
// +14255550300, CallingPlan, Redmond) and the unassigned numbers
// +14255550200 (OperatorConnect, US), +16045550400 (OperatorConnect, CA) and
// +16045550300 (DirectRouting, CA).
func withGlobal(s *tenant.Snapshot, accountID string) {
	s.Tenant.GlobalPolicy = tenant.GlobalPolicy
	s.Policies = append(s.Policies, tenant.Policy{Identity: tenant.GlobalPolicy, ResourceAccount: accountID, EmergencyNumbers: []string{"+16045550911"}})
	s.ResourceAccounts = append(s.ResourceAccounts, tenant.ResourceAccount{ObjectID: "ra3-id", UserPrincipalName: "ra3@contoso.com"})
	s.Numbers = append(s.Numbers,
		tenant.Number{TelephoneNumber: "+16045550911", NumberType: "OperatorConnect", IsoCountryCode: "CA",
			AssignedPstnTargetID: tenant.PolicyTargetPrefix + tenant.GlobalPolicy, PstnAssignmentStatus: tenant.StatusPolicyAssigned, NumberSource: "Online"},
		tenant.Number{TelephoneNumber: "+14255550300", NumberType: "CallingPlan", IsoCountryCode: "US", LocationID: redmondID,
			AssignedPstnTargetID: "ra3-id", PstnAssignmentStatus: tenant.StatusVoiceAppAssigned, NumberSource: "Online"},
		tenant.Number{TelephoneNumber: "+14255550200", NumberType: "OperatorConnect", IsoCountryCode: "US",
			PstnAssignmentStatus: tenant.StatusUnassigned, NumberSource: "Online"},
		tenant.Number{TelephoneNumber: "+16045550400", NumberType: "OperatorConnect", IsoCountryCode: "CA",
			PstnAssignmentStatus: tenant.StatusUnassigned, NumberSource: "Online"},
		tenant.Number{TelephoneNumber: "+16045550300", NumberType: "DirectRouting", IsoCountryCode: "CA",
			PstnAssignmentStatus: tenant.StatusUnassigned, NumberSource: "Online"},
	)
}

// TestUndeclaredGlobalAgreesWithPlan runs the undeclared-global cases through
// plan's own check (diff.Compute): lint reports the undeclared Global at
// the places plan refuses it, no more and no fewer.
func TestUndeclaredGlobalAgreesWithPlan(t *testing.T) {
	const note = "policy Global is not declared"
	n := 0
	for _, tc := range ruleCases {
		if tc.rule != "undeclared-global" {
			continue
		}
		n++
		t.Run(tc.name, func(t *testing.T) {
			d, g := cleanDesired()
			s := cleanState()
			tc.edit(d, s, g)
			var fromLint []where
			for _, f := range Run(d, s) {
				if f.Rule == "undeclared-global" {
					fromLint = append(fromLint, where{f.Pos, f.Path})
				}
			}
			var fromPlan []where
			_, err := diff.Compute(d, s)
			var re *diff.ResolveError
			if errors.As(err, &re) {
				for _, p := range re.Problems {
					if strings.Contains(p.Message, note) {
						fromPlan = append(fromPlan, where{p.Pos, p.Path})
					}
				}
			} else if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(fromPlan, fromLint); d != "" {
				t.Errorf("lint's undeclared-global findings differ from plan's (-plan +lint):\n%s\nplan: %v", d, err)
			}
		})
	}
	if n < 8 {
		t.Errorf("%d undeclared-global cases, want at least 8", n)
	}
}

// TestOtherTenantSkipsStateRules: with a state of another tenant, lint
// reports that once and runs the other rules as without a state (no rule
// that needs a state calls the other tenant's names unknown).
func TestOtherTenantSkipsStateRules(t *testing.T) {
	d, _ := cleanDesired()
	s := cleanState()
	s.Tenant.Domain = "fabrikam.onmicrosoft.com"
	s.Users, s.ResourceAccounts = nil, nil // nothing of contoso's is in fabrikam's state
	got := Run(d, s)
	if len(got) != 1 || got[0].Rule != "tenant-domain" {
		t.Fatalf("want one tenant-domain finding, got:\n%s", findingsText(got))
	}
	s.Tenant.Domain = d.Domain
	if n := len(Run(d, s)); n < 2 {
		t.Errorf("the same state of this tenant gives %d findings; the test needs the state rules to fire", n)
	}
}

// TestLintFindsWhatPlanRefuses: for the rules that mirror a refusal of plan
// (diff.Compute), every finding of their cases, and every place a case
// expects one, is a place where plan reports a problem too.
func TestLintFindsWhatPlanRefuses(t *testing.T) {
	mirrored := map[string]bool{"number-in-tenant": true, "number-held-unmanaged": true, "declared-twice": true, "tenant-domain": true,
		"group-limit": true}
	n := 0
	for _, tc := range ruleCases {
		if !mirrored[tc.rule] {
			continue
		}
		n++
		t.Run(tc.rule+"/"+tc.name, func(t *testing.T) {
			d, g := cleanDesired()
			s := cleanState()
			if tc.edit != nil {
				tc.edit(d, s, g)
			}
			var fromLint []where
			for _, f := range Run(d, s) {
				if f.Rule == tc.rule {
					fromLint = append(fromLint, where{f.Pos, f.Path})
				}
			}
			atPlan := map[where]bool{}
			_, err := diff.Compute(d, s)
			var re *diff.ResolveError
			if errors.As(err, &re) {
				for _, p := range re.Problems {
					atPlan[where{p.Pos, p.Path}] = true
				}
			} else if err != nil {
				t.Fatal(err)
			}
			for _, w := range fromLint {
				if !atPlan[w] {
					t.Errorf("lint reports %v, plan does not: %v", w, err)
				}
			}
			if tc.want == nil {
				return
			}
			for _, w := range tc.want(d) {
				if !atPlan[w] {
					t.Errorf("plan does not refuse %v: %v", w, err)
				}
			}
		})
	}
	if n < 8 {
		t.Errorf("%d cases, want at least 8", n)
	}
}
