package tenant

import (
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func ptr(s string) *string { return &s }

const (
	locUS = "407c17ae-8c41-431e-894a-38787c682f68"
	locCA = "5a0f5c1e-0000-4000-8000-00000000000c"
)

// fixture is a small tenant with one object for each case the rules
// distinguish.
func fixture() *Snapshot {
	num := func(tel, typ, cc, loc, target, status string, capab ...string) Number {
		return Number{TelephoneNumber: tel, NumberType: typ, IsoCountryCode: cc, LocationID: loc,
			AssignedPstnTargetID: target, PstnAssignmentStatus: status, Capability: capab, NumberSource: "Online"}
	}
	s := &Snapshot{
		Format: Format, Lineage: "lin", Serial: 1,
		Tenant: Info{Domain: "contoso.onmicrosoft.com"},
		Locations: []Location{
			{LocationID: locUS, CountryOrRegion: "US", Description: "Redmond"},
			{LocationID: locCA, CountryOrRegion: "CA", Description: "Ottawa"},
		},
		ResourceAccounts: []ResourceAccount{
			{ObjectID: "ra1-id", UserPrincipalName: "ra1@contoso.com"},
			{ObjectID: "ra2-id", UserPrincipalName: "ra2@contoso.com"},
			{ObjectID: "ra3-id", UserPrincipalName: "ra3@contoso.com"}, // no number
			{ObjectID: "ra4-id", UserPrincipalName: "ra4@contoso.com"}, // Direct Routing
			{ObjectID: "ra5-id", UserPrincipalName: "ra5@contoso.com"}, // number without location
			{ObjectID: "ra6-id", UserPrincipalName: "ra6@contoso.com"}, // Canadian number
			{ObjectID: "ra7-id", UserPrincipalName: "ra7@contoso.com"}, // Operator Connect
		},
		Numbers: []Number{
			num("+14255550100", "CallingPlan", "US", locUS, "ra1-id", StatusVoiceAppAssigned),
			num("+14255550200", "CallingPlan", "US", locUS, "ra2-id", StatusVoiceAppAssigned),
			num("+12065550300", "DirectRouting", "US", locUS, "ra4-id", StatusVoiceAppAssigned),
			num("+14255550500", "CallingPlan", "US", "00000000-0000-0000-0000-000000000000", "ra5-id", StatusVoiceAppAssigned),
			num("+16135550100", "CallingPlan", "CA", locCA, "ra6-id", StatusVoiceAppAssigned),
			num("+14255550700", "OperatorConnect", "US", locUS, "ra7-id", StatusVoiceAppAssigned),
			num("+14255556677", "CallingPlan", "US", "", PolicyTargetPrefix+"Redmond", StatusPolicyAssigned),
			num("+14255556678", "CallingPlan", "US", "", "", StatusUnassigned),
			num("+14255556679", "CallingPlan", "US", "", "", StatusUnassigned),
			num("+14255551000", "CallingPlan", "US", locUS, "alice-id", StatusUserAssigned),
			num("+14255557000", "CallingPlan", "US", "", "", StatusUnassigned, "UserAssignment"),
			num("+14255557001", "CallingPlan", "US", "", "", StatusUnassigned, "VoiceApplicationAssignment"),
			num("+14255558000", "DirectRouting", "US", "", "", StatusUnassigned),
			num("+12065550301", "DirectRouting", "US", "", "", StatusUnassigned),
			num("+12065550300;ext=12", "DirectRouting", "US", "", "", StatusUnassigned),
			num("+14255559000", "OperatorConnect", "US", "", "", StatusUnassigned),
			num("+16135550101", "CallingPlan", "CA", "", "", StatusUnassigned),
			num("+14255550800", "TollFree", "US", locUS, "", StatusUnassigned),
		},
		Users: []User{
			{ObjectID: "alice-id", UserPrincipalName: "alice@contoso.com", EnterpriseVoiceEnabled: true, SharedCallingPolicy: "Redmond"},
			{ObjectID: "bob-id", UserPrincipalName: "bob@contoso.com"},
			{ObjectID: "carol-id", UserPrincipalName: "carol@contoso.com", SharedCallingPolicy: "Redmond"},
		},
		Policies: []Policy{
			{Identity: "Redmond", ResourceAccount: "ra1-id", EmergencyNumbers: []string{"+14255556677"}},
			{Identity: "Seattle", ResourceAccount: "ra2-id", EmergencyNumbers: []string{}},
			{Identity: "DR", ResourceAccount: "ra4-id", EmergencyNumbers: []string{"+12065550999"}},
			{Identity: "Empty", ResourceAccount: "ra2-id", EmergencyNumbers: []string{}},
		},
		GroupAssignments: []GroupAssignment{{GroupID: "g1", PolicyName: "Seattle", Rank: 1}},
	}
	s.Numbers[12].NumberSource = "OnPremises"
	return s
}

// checkIndex fails when the live index differs from one built afresh.
func checkIndex(t *testing.T, s *Snapshot) {
	t.Helper()
	live := *s.ix()
	fresh := *buildIndex(s)
	live.hdr, fresh.hdr = headers{}, headers{}
	if !reflect.DeepEqual(live, fresh) {
		t.Errorf("index out of date after apply:\nlive  %+v\nfresh %+v", live, fresh)
	}
}

// applyCase is one operation on fixture(): refused with wantRule, or
// accepted with got(state) == want.
type applyCase struct {
	name     string
	op       Op
	wantRule string
	// got, want: for accepted ops, a view of the result.
	got  func(*Snapshot) any
	want any
}

func number(tel string) func(*Snapshot) any {
	return func(s *Snapshot) any { return *s.NumberByTelephone(tel) }
}

// applyCases covers every rule of Apply both ways. The conformance suite
// (conformance_test.go) runs them against every backend.
var applyCases = []applyCase{
	// number.assign
	{name: "assign to user", op: Op{Action: NumberAssign, Number: "+14255556678", Holder: "BOB@contoso.com", NumberType: "CallingPlan", Location: strings.ToUpper(locUS)},
		got: func(s *Snapshot) any {
			n := s.NumberByTelephone("+14255556678")
			return []any{n.AssignedPstnTargetID, n.PstnAssignmentStatus, n.LocationID, s.UserByUPN("bob@contoso.com").EnterpriseVoiceEnabled}
		},
		want: []any{"bob-id", StatusUserAssigned, locUS, true}},
	{name: "assign to resource account", op: Op{Action: NumberAssign, Number: "+14255557001", Holder: "ra3@contoso.com", NumberType: "CallingPlan"},
		got: func(s *Snapshot) any {
			n := s.NumberByTelephone("+14255557001")
			return []any{n.AssignedPstnTargetID, n.PstnAssignmentStatus}
		},
		want: []any{"ra3-id", StatusVoiceAppAssigned}},
	{name: "assign extension number to user", op: Op{Action: NumberAssign, Number: "+12065550300;ext=12", Holder: "bob@contoso.com", NumberType: "DirectRouting"},
		got: func(s *Snapshot) any { k, n := s.Holder("+12065550300;ext=12"); return []any{k, n} }, want: []any{HolderUser, "bob@contoso.com"}},
	{name: "assign unknown number", op: Op{Action: NumberAssign, Number: "+14255550000", Holder: "bob@contoso.com", NumberType: "CallingPlan"}, wantRule: RuleNumberUnknown},
	{name: "assign on-premises number", op: Op{Action: NumberAssign, Number: "+14255558000", Holder: "bob@contoso.com", NumberType: "DirectRouting"}, wantRule: RuleNumberOnPremises},
	{name: "assign with wrong type", op: Op{Action: NumberAssign, Number: "+14255556678", Holder: "bob@contoso.com", NumberType: "DirectRouting"}, wantRule: RuleNumberType},
	{name: "assign emergency number", op: Op{Action: NumberAssign, Number: "+14255556677", Holder: "bob@contoso.com", NumberType: "CallingPlan"}, wantRule: RuleNumberHeld},
	{name: "assign user's number", op: Op{Action: NumberAssign, Number: "+14255551000", Holder: "ra3@contoso.com", NumberType: "CallingPlan"}, wantRule: RuleNumberHeld},
	{name: "assign RA's number", op: Op{Action: NumberAssign, Number: "+14255550100", Holder: "bob@contoso.com", NumberType: "CallingPlan"}, wantRule: RuleNumberHeld},
	{name: "assign to unknown holder", op: Op{Action: NumberAssign, Number: "+14255556678", Holder: "dave@contoso.com", NumberType: "CallingPlan"}, wantRule: RuleHolderUnknown},
	{name: "assign to holder with a number", op: Op{Action: NumberAssign, Number: "+14255556678", Holder: "alice@contoso.com", NumberType: "CallingPlan"}, wantRule: RuleHolderHasNumber},
	{name: "assign user-only number to RA", op: Op{Action: NumberAssign, Number: "+14255557000", Holder: "ra3@contoso.com", NumberType: "CallingPlan"}, wantRule: RuleNumberCapability},
	{name: "assign RA-only number to user", op: Op{Action: NumberAssign, Number: "+14255557001", Holder: "bob@contoso.com", NumberType: "CallingPlan"}, wantRule: RuleNumberCapability},
	{name: "assign with unknown location", op: Op{Action: NumberAssign, Number: "+14255556678", Holder: "bob@contoso.com", NumberType: "CallingPlan", Location: "nowhere"}, wantRule: RuleLocationUnknown},
	{name: "assign without type", op: Op{Action: NumberAssign, Number: "+14255556678", Holder: "bob@contoso.com"}, wantRule: RuleInvalidOp},

	// number.unassign
	{name: "unassign user number", op: Op{Action: NumberUnassign, Number: "+14255551000", Holder: "Alice@Contoso.com"},
		got: func(s *Snapshot) any {
			n := s.NumberByTelephone("+14255551000")
			return []any{n.AssignedPstnTargetID, n.PstnAssignmentStatus, n.LocationID, s.UserByUPN("alice@contoso.com").EnterpriseVoiceEnabled, s.NumberHeldBy("alice@contoso.com") == nil}
		},
		want: []any{"", StatusUnassigned, locUS, false, true}},
	{name: "unassign RA number", op: Op{Action: NumberUnassign, Number: "+14255550100", Holder: "ra1@contoso.com"},
		got: func(s *Snapshot) any { k, _ := s.Holder("+14255550100"); return k }, want: HolderNone},
	{name: "unassign from the wrong holder", op: Op{Action: NumberUnassign, Number: "+14255551000", Holder: "bob@contoso.com"}, wantRule: RuleNumberNotHeld},
	{name: "unassign free number", op: Op{Action: NumberUnassign, Number: "+14255556678", Holder: "bob@contoso.com"}, wantRule: RuleNumberNotHeld},
	{name: "unassign emergency number", op: Op{Action: NumberUnassign, Number: "+14255556677", Holder: "bob@contoso.com"}, wantRule: RuleNumberHeld},
	{name: "unassign unknown number", op: Op{Action: NumberUnassign, Number: "+14255550000", Holder: "bob@contoso.com"}, wantRule: RuleNumberUnknown},

	// number.set-location
	{name: "set location", op: Op{Action: NumberSetLocation, Number: "+14255550500", Location: locUS},
		got: func(s *Snapshot) any { return s.NumberByTelephone("+14255550500").LocationID }, want: locUS},
	{name: "set unknown location", op: Op{Action: NumberSetLocation, Number: "+14255550500", Location: "nowhere"}, wantRule: RuleLocationUnknown},
	{name: "set location of unknown number", op: Op{Action: NumberSetLocation, Number: "+19995550500", Location: locUS}, wantRule: RuleNumberUnknown},

	// policy.create
	{name: "create", op: Op{Action: PolicyCreate, Policy: "Bellevue", ResourceAccount: "RA2@contoso.com", Description: "d", Numbers: []string{"+14255556678", "+14255556679"}},
		got: func(s *Snapshot) any {
			k, n := s.Holder("+14255556679")
			return []any{*s.PolicyByIdentity("bellevue"), number("+14255556678")(s).(Number).AssignedPstnTargetID, k, n}
		},
		want: []any{Policy{Identity: "Bellevue", Description: "d", ResourceAccount: "ra2-id", EmergencyNumbers: []string{"+14255556678", "+14255556679"}},
			PolicyTargetPrefix + "Bellevue", HolderPolicy, "Bellevue"}},
	{name: "create with Tag prefix and no numbers", op: Op{Action: PolicyCreate, Policy: "Tag:Kirkland", ResourceAccount: "ra1@contoso.com"},
		got:  func(s *Snapshot) any { return s.PolicyByIdentity("Kirkland").Identity },
		want: "Kirkland"},
	{name: "create Direct Routing with numbers outside the inventory", op: Op{Action: PolicyCreate, Policy: "DR2", ResourceAccount: "ra4@contoso.com", Numbers: []string{"+12065550998", "+12065550301"}},
		got: func(s *Snapshot) any { k, n := s.Holder("+12065550998"); return []any{k, n} }, want: []any{HolderPolicy, "DR2"}},
	{name: "create Operator Connect", op: Op{Action: PolicyCreate, Policy: "OC", ResourceAccount: "ra7@contoso.com", Numbers: []string{"+14255559000"}},
		got: func(s *Snapshot) any { return number("+14255559000")(s).(Number).PstnAssignmentStatus }, want: StatusPolicyAssigned},
	{name: "create existing", op: Op{Action: PolicyCreate, Policy: "redmond", ResourceAccount: "ra1@contoso.com"}, wantRule: RulePolicyExists},
	{name: "create Global", op: Op{Action: PolicyCreate, Policy: "Global", ResourceAccount: "ra1@contoso.com"}, wantRule: RulePolicyGlobal},
	{name: "create with unknown RA", op: Op{Action: PolicyCreate, Policy: "X", ResourceAccount: "nobody@contoso.com"}, wantRule: RuleResourceAccount},
	{name: "create with RA without number", op: Op{Action: PolicyCreate, Policy: "X", ResourceAccount: "ra3@contoso.com"}, wantRule: RuleRANumber},
	{name: "create with RA number without location", op: Op{Action: PolicyCreate, Policy: "X", ResourceAccount: "ra5@contoso.com"}, wantRule: RuleRALocation},
	{name: "create with duplicate numbers", op: Op{Action: PolicyCreate, Policy: "X", ResourceAccount: "ra1@contoso.com", Numbers: []string{"+14255556678", "+14255556678"}}, wantRule: RuleEmergencyDuplicate},
	{name: "create with extension number", op: Op{Action: PolicyCreate, Policy: "X", ResourceAccount: "ra4@contoso.com", Numbers: []string{"+12065550300;ext=12"}}, wantRule: RuleEmergencyExtension},
	{name: "create with malformed number", op: Op{Action: PolicyCreate, Policy: "X", ResourceAccount: "ra4@contoso.com", Numbers: []string{"12065550300"}}, wantRule: RuleNumberFormat},
	{name: "create with other policy's number", op: Op{Action: PolicyCreate, Policy: "X", ResourceAccount: "ra1@contoso.com", Numbers: []string{"+14255556677"}}, wantRule: RuleEmergencyReused},
	{name: "create with other policy's DR number", op: Op{Action: PolicyCreate, Policy: "X", ResourceAccount: "ra4@contoso.com", Numbers: []string{"+12065550999"}}, wantRule: RuleEmergencyReused},
	{name: "create with user's number", op: Op{Action: PolicyCreate, Policy: "X", ResourceAccount: "ra1@contoso.com", Numbers: []string{"+14255551000"}}, wantRule: RuleEmergencyAssigned},
	{name: "create with RA's own number", op: Op{Action: PolicyCreate, Policy: "X", ResourceAccount: "ra1@contoso.com", Numbers: []string{"+14255550100"}}, wantRule: RuleEmergencyAssigned},
	{name: "create with Calling Plan number outside inventory", op: Op{Action: PolicyCreate, Policy: "X", ResourceAccount: "ra1@contoso.com", Numbers: []string{"+14255553333"}}, wantRule: RuleEmergencyInTenant},
	{name: "create with number of another type", op: Op{Action: PolicyCreate, Policy: "X", ResourceAccount: "ra1@contoso.com", Numbers: []string{"+14255559000"}}, wantRule: RulePolicyNumberType},
	{name: "create with number of another country", op: Op{Action: PolicyCreate, Policy: "X", ResourceAccount: "ra1@contoso.com", Numbers: []string{"+16135550101"}}, wantRule: RulePolicyNumberCntry},
	{name: "create DR with number of another country", op: Op{Action: PolicyCreate, Policy: "X", ResourceAccount: "ra4@contoso.com", Numbers: []string{"+442071838750"}}, wantRule: RulePolicyNumberCntry},

	// policy.update
	{name: "update RA and description", op: Op{Action: PolicyUpdate, Policy: "REDMOND", ResourceAccount: "ra2@contoso.com", UpdateResourceAccount: true, Description: "new", UpdateDescription: true},
		got: func(s *Snapshot) any {
			p := s.PolicyByIdentity("Redmond")
			return []any{p.ResourceAccount, p.Description}
		}, want: []any{"ra2-id", "new"}},
	{name: "update description only", op: Op{Action: PolicyUpdate, Policy: "Seattle", Description: "x", UpdateDescription: true},
		got: func(s *Snapshot) any {
			p := s.PolicyByIdentity("Seattle")
			return []any{p.ResourceAccount, p.Description}
		}, want: []any{"ra2-id", "x"}},
	{name: "update Global adds the built-in instance", op: Op{Action: PolicyUpdate, Policy: "Global", ResourceAccount: "ra1@contoso.com", UpdateResourceAccount: true},
		got: func(s *Snapshot) any { return s.PolicyByIdentity("Global").ResourceAccount }, want: "ra1-id"},
	{name: "update Global with a bad RA", op: Op{Action: PolicyUpdate, Policy: "Global", ResourceAccount: "ra3@contoso.com", UpdateResourceAccount: true}, wantRule: RuleRANumber},
	{name: "update unknown policy", op: Op{Action: PolicyUpdate, Policy: "Nope", Description: "x", UpdateDescription: true}, wantRule: RulePolicyUnknown},
	{name: "update to RA without located number", op: Op{Action: PolicyUpdate, Policy: "Seattle", ResourceAccount: "ra5@contoso.com", UpdateResourceAccount: true}, wantRule: RuleRALocation},
	{name: "update to RA of another country", op: Op{Action: PolicyUpdate, Policy: "Redmond", ResourceAccount: "ra6@contoso.com", UpdateResourceAccount: true}, wantRule: RulePolicyNumberCntry},
	{name: "update to RA of another type", op: Op{Action: PolicyUpdate, Policy: "Redmond", ResourceAccount: "ra4@contoso.com", UpdateResourceAccount: true}, wantRule: RulePolicyNumberType},
	{name: "update DR policy to Calling Plan RA", op: Op{Action: PolicyUpdate, Policy: "DR", ResourceAccount: "ra1@contoso.com", UpdateResourceAccount: true}, wantRule: RuleEmergencyInTenant},

	// policy.remove-emergency-numbers / add-emergency-numbers
	{name: "remove emergency number", op: Op{Action: PolicyRemoveEmergency, Policy: "Redmond", Numbers: []string{"+14255556677"}},
		got: func(s *Snapshot) any {
			n := s.NumberByTelephone("+14255556677")
			return []any{s.PolicyByIdentity("Redmond").EmergencyNumbers, n.AssignedPstnTargetID, n.PstnAssignmentStatus}
		},
		want: []any{[]string{}, "", StatusUnassigned}},
	{name: "remove DR number outside inventory", op: Op{Action: PolicyRemoveEmergency, Policy: "DR", Numbers: []string{"+12065550999"}},
		got: func(s *Snapshot) any { k, _ := s.Holder("+12065550999"); return k }, want: HolderNone},
	{name: "remove number not in policy", op: Op{Action: PolicyRemoveEmergency, Policy: "Redmond", Numbers: []string{"+14255556678"}}, wantRule: RuleEmergencyNotListed},
	{name: "remove twice", op: Op{Action: PolicyRemoveEmergency, Policy: "Redmond", Numbers: []string{"+14255556677", "+14255556677"}}, wantRule: RuleEmergencyDuplicate},
	{name: "remove from unknown policy", op: Op{Action: PolicyRemoveEmergency, Policy: "Nope", Numbers: []string{"+14255556677"}}, wantRule: RulePolicyUnknown},
	{name: "add emergency numbers keeps order", op: Op{Action: PolicyAddEmergency, Policy: "Redmond", Numbers: []string{"+14255556679", "+14255556678"}},
		got:  func(s *Snapshot) any { return s.PolicyByIdentity("Redmond").EmergencyNumbers },
		want: []string{"+14255556677", "+14255556679", "+14255556678"}},
	{name: "add number already in policy", op: Op{Action: PolicyAddEmergency, Policy: "Redmond", Numbers: []string{"+14255556677"}}, wantRule: RuleEmergencyDuplicate},
	{name: "add other policy's number", op: Op{Action: PolicyAddEmergency, Policy: "Seattle", Numbers: []string{"+14255556677"}}, wantRule: RuleEmergencyReused},
	{name: "add user's number", op: Op{Action: PolicyAddEmergency, Policy: "Seattle", Numbers: []string{"+14255551000"}}, wantRule: RuleEmergencyAssigned},
	{name: "add number of another country", op: Op{Action: PolicyAddEmergency, Policy: "Seattle", Numbers: []string{"+16135550101"}}, wantRule: RulePolicyNumberCntry},
	{name: "add to unknown policy", op: Op{Action: PolicyAddEmergency, Policy: "Nope", Numbers: []string{"+14255556678"}}, wantRule: RulePolicyUnknown},

	// policy.delete
	{name: "delete unused policy", op: Op{Action: PolicyDelete, Policy: "empty"},
		got: func(s *Snapshot) any {
			return []any{s.PolicyByIdentity("Empty") == nil, len(s.Policies), s.PolicyByIdentity("DR").Identity}
		},
		want: []any{true, 3, "DR"}},
	{name: "delete Global", op: Op{Action: PolicyDelete, Policy: "Global"}, wantRule: RulePolicyGlobal},
	{name: "delete unknown", op: Op{Action: PolicyDelete, Policy: "Nope"}, wantRule: RulePolicyUnknown},
	{name: "delete policy with emergency numbers", op: Op{Action: PolicyDelete, Policy: "DR"}, wantRule: RulePolicyHasNumbers},
	{name: "delete policy with group", op: Op{Action: PolicyDelete, Policy: "Seattle"}, wantRule: RulePolicyInUse},

	// grant.user
	{name: "grant user", op: Op{Action: GrantUser, User: "BOB@contoso.com", Grant: ptr("seattle")},
		got: func(s *Snapshot) any {
			return []any{s.UserByUPN("bob@contoso.com").SharedCallingPolicy, s.UsersOfPolicy("Seattle"), s.CountUsersOfPolicy("SEATTLE")}
		},
		want: []any{"Seattle", []string{"bob@contoso.com"}, 1}},
	{name: "move user", op: Op{Action: GrantUser, User: "alice@contoso.com", Grant: ptr("Seattle")},
		got:  func(s *Snapshot) any { return []any{s.UsersOfPolicy("Redmond"), s.UsersOfPolicy("Seattle")} },
		want: []any{[]string{"carol@contoso.com"}, []string{"alice@contoso.com"}}},
	{name: "revoke user", op: Op{Action: GrantUser, User: "alice@contoso.com"},
		got: func(s *Snapshot) any { return s.UserByUPN("alice@contoso.com").SharedCallingPolicy }, want: ""},
	{name: "grant Global to user stores empty", op: Op{Action: GrantUser, User: "alice@contoso.com", Grant: ptr("Global")},
		got: func(s *Snapshot) any { return s.UserByUPN("alice@contoso.com").SharedCallingPolicy }, want: ""},
	{name: "grant unknown user", op: Op{Action: GrantUser, User: "dave@contoso.com", Grant: ptr("Seattle")}, wantRule: RuleUserUnknown},
	{name: "grant unknown policy", op: Op{Action: GrantUser, User: "bob@contoso.com", Grant: ptr("Nope")}, wantRule: RulePolicyUnknown},

	// grant.group
	{name: "grant group", op: Op{Action: GrantGroup, Group: "g2", Grant: ptr("redmond"), Rank: 2},
		got: func(s *Snapshot) any { return *s.GroupAssignmentByGroup("G2") }, want: GroupAssignment{GroupID: "g2", PolicyName: "Redmond", Rank: 2}},
	{name: "regrant group", op: Op{Action: GrantGroup, Group: "g1", Grant: ptr("Redmond"), Rank: 1},
		got: func(s *Snapshot) any { return s.GroupAssignments }, want: []GroupAssignment{{GroupID: "g1", PolicyName: "Redmond", Rank: 1}}},
	{name: "remove group", op: Op{Action: GrantGroup, Group: "G1"},
		got: func(s *Snapshot) any { return len(s.GroupAssignments) }, want: 0},
	{name: "remove unassigned group", op: Op{Action: GrantGroup, Group: "g9"}, wantRule: RuleGroupUnassigned},
	{name: "group rank zero", op: Op{Action: GrantGroup, Group: "g2", Grant: ptr("Redmond"), Rank: 0}, wantRule: RuleGroupRank},
	{name: "group rank taken", op: Op{Action: GrantGroup, Group: "g2", Grant: ptr("Redmond"), Rank: 1}, wantRule: RuleGroupRank},
	{name: "group unknown policy", op: Op{Action: GrantGroup, Group: "g2", Grant: ptr("Nope"), Rank: 2}, wantRule: RulePolicyUnknown},
	{name: "group Global", op: Op{Action: GrantGroup, Group: "g2", Grant: ptr("Global"), Rank: 2}, wantRule: RulePolicyGlobal},

	// grant.global
	{name: "grant global", op: Op{Action: GrantGlobal, Grant: ptr("SEATTLE")},
		got: func(s *Snapshot) any { return s.Tenant.GlobalPolicy }, want: "Seattle"},
	{name: "clear global", op: Op{Action: GrantGlobal},
		got: func(s *Snapshot) any { return s.Tenant.GlobalPolicy }, want: ""},
	{name: "grant global unknown", op: Op{Action: GrantGlobal, Grant: ptr("Nope")}, wantRule: RulePolicyUnknown},

	{name: "unknown action", op: Op{Action: "number.port"}, wantRule: RuleInvalidOp},
}

func TestApply(t *testing.T) {
	for _, tt := range applyCases {
		t.Run(tt.name, func(t *testing.T) {
			s := fixture()
			if v := s.CheckInvariants(); !onlyFixtureViolations(v) {
				t.Fatalf("fixture violates invariants: %+v", v)
			}
			before, _ := s.Encode()
			err := s.Apply(tt.op)
			if tt.wantRule != "" {
				re, ok := err.(*RefusedError)
				if !ok {
					t.Fatalf("Apply = %v, want refusal %s", err, tt.wantRule)
				}
				if re.Rule != tt.wantRule || re.Reason == "" {
					t.Errorf("refused with %s (%s), want %s", re.Rule, re.Reason, tt.wantRule)
				}
				if after, _ := s.Encode(); string(after) != string(before) {
					t.Errorf("refused op changed the snapshot:\n%s", cmp.Diff(string(before), string(after)))
				}
			} else {
				if err != nil {
					t.Fatalf("Apply = %v, want success", err)
				}
				if diff := cmp.Diff(tt.want, tt.got(s)); diff != "" {
					t.Errorf("after apply (-want +got):\n%s", diff)
				}
			}
			checkIndex(t, s)
		})
	}
}

// onlyFixtureViolations reports whether v holds only the violation the
// fixture has on purpose: none (ra5 is used by no policy).
func onlyFixtureViolations(v []Violation) bool { return len(v) == 0 }

func TestRefusalNamesHolder(t *testing.T) {
	s := fixture()
	err := s.Apply(Op{Action: NumberAssign, Number: "+14255556677", Holder: "bob@contoso.com", NumberType: "CallingPlan"})
	want := "number.assign refused: +14255556677 is an emergency number of policy Redmond: remove it from policy Redmond first"
	if err == nil || err.Error() != want {
		t.Errorf("error = %v, want %s", err, want)
	}
}

func TestGroupLimit(t *testing.T) {
	s := fixture()
	for i := 2; i <= MaxGroupAssignments; i++ {
		if err := s.Apply(Op{Action: GrantGroup, Group: "grp" + string(rune('A'+i/26)) + string(rune('a'+i%26)), Grant: ptr("Seattle"), Rank: i}); err != nil {
			t.Fatalf("group %d: %v", i, err)
		}
	}
	err := s.Apply(Op{Action: GrantGroup, Group: "one-too-many", Grant: ptr("Seattle"), Rank: 100})
	if re, ok := err.(*RefusedError); !ok || re.Rule != RuleGroupLimit {
		t.Errorf("65th group assignment: %v, want %s", err, RuleGroupLimit)
	}
	// Replacing an existing assignment at the limit is allowed.
	if err := s.Apply(Op{Action: GrantGroup, Group: "g1", Grant: ptr("Redmond"), Rank: 1}); err != nil {
		t.Errorf("regrant at the limit: %v", err)
	}
	checkIndex(t, s)
}

// TestSwap moves two numbers between holders the way a plan must: unassign
// both, then assign both; and moves an emergency number to a user.
func TestSequences(t *testing.T) {
	s := fixture()
	steps := []Op{
		{Action: NumberUnassign, Number: "+14255550100", Holder: "ra1@contoso.com"},
		{Action: NumberUnassign, Number: "+14255550200", Holder: "ra2@contoso.com"},
		{Action: NumberAssign, Number: "+14255550100", Holder: "ra2@contoso.com", NumberType: "CallingPlan"},
		{Action: NumberAssign, Number: "+14255550200", Holder: "ra1@contoso.com", NumberType: "CallingPlan"},
		{Action: PolicyRemoveEmergency, Policy: "Redmond", Numbers: []string{"+14255556677"}},
		{Action: NumberAssign, Number: "+14255556677", Holder: "bob@contoso.com", NumberType: "CallingPlan"},
		{Action: GrantUser, User: "alice@contoso.com"},
		{Action: GrantUser, User: "carol@contoso.com"},
		{Action: PolicyDelete, Policy: "Redmond"},
		{Action: PolicyCreate, Policy: "Redmond", ResourceAccount: "ra1@contoso.com", Numbers: []string{"+14255556678"}},
	}
	for i, op := range steps {
		if err := s.Apply(op); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		checkIndex(t, s)
	}
	if v := s.CheckInvariants(); len(v) != 0 {
		t.Errorf("invariants after the sequence: %+v", v)
	}
	k, n := s.Holder("+14255556677")
	if diff := cmp.Diff([]any{HolderUser, "bob@contoso.com"}, []any{k, n}); diff != "" {
		t.Errorf("holder (-want +got):\n%s", diff)
	}
}

func TestCheckInvariants(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(s *Snapshot)
		want   []string // rules
		always []string // the rules of Inconsistencies: never broken by a real tenant
	}{
		{name: "clean", mutate: func(*Snapshot) {}},
		{name: "RA number removed", mutate: func(s *Snapshot) {
			s.Apply(Op{Action: NumberUnassign, Number: "+14255550200", Holder: "ra2@contoso.com"})
		}, want: []string{RuleRANumber, RuleRANumber}},
		{name: "RA number without location", mutate: func(s *Snapshot) {
			s.Apply(Op{Action: PolicyUpdate, Policy: "Seattle", ResourceAccount: "ra1@contoso.com", UpdateResourceAccount: true})
			s.Numbers[0].LocationID = ""
		}, want: []string{RuleRALocation, RuleRALocation}},
		{name: "emergency number in two policies", mutate: func(s *Snapshot) {
			s.Policies[1].EmergencyNumbers = []string{"+14255556677"}
		}, want: []string{RuleEmergencyReused, RuleEmergencyTargetDrift}, always: []string{RuleEmergencyReused, RuleEmergencyTargetDrift}},
		{name: "emergency number held by user", mutate: func(s *Snapshot) {
			s.Policies[0].EmergencyNumbers = append(s.Policies[0].EmergencyNumbers, "+14255551000")
		}, want: []string{RuleEmergencyAssigned}, always: []string{RuleEmergencyAssigned}},
		{name: "emergency number of another country", mutate: func(s *Snapshot) {
			s.Policies[0].EmergencyNumbers = []string{"+16135550101"}
			s.Numbers[6].AssignedPstnTargetID = ""
			s.Numbers[16].AssignedPstnTargetID = PolicyTargetPrefix + "Redmond"
		}, want: []string{RulePolicyNumberCntry}},
		{name: "holder with two numbers", mutate: func(s *Snapshot) {
			s.Numbers[7].AssignedPstnTargetID = "alice-id"
		}, want: []string{RuleNumberHeldTwice}, always: []string{RuleNumberHeldTwice}},
		{name: "unknown object with two numbers", mutate: func(s *Snapshot) {
			// A conference bridge may hold several numbers: not an
			// inconsistency.
			s.Numbers[7].AssignedPstnTargetID = "bridge-id"
			s.Numbers[8].AssignedPstnTargetID = "bridge-id"
		}, want: []string{RuleNumberHeldTwice}},
		{name: "emergency number listed twice", mutate: func(s *Snapshot) {
			s.Policies[0].EmergencyNumbers = append(s.Policies[0].EmergencyNumbers, "+14255556677")
		}, want: []string{RuleEmergencyDuplicate}, always: []string{RuleEmergencyDuplicate}},
		{name: "grant of missing policy", mutate: func(s *Snapshot) {
			s.Users[1].SharedCallingPolicy = "Nope"
			s.Tenant.GlobalPolicy = "Gone"
			s.GroupAssignments = append(s.GroupAssignments, GroupAssignment{GroupID: "g2", PolicyName: "Nope", Rank: 1})
		}, want: []string{RuleGrantUnknown, RuleGrantUnknown, RuleGrantUnknown, RuleGroupRank}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fixture()
			tt.mutate(s)
			s.Reindex()
			var got []string
			for _, v := range s.CheckInvariants() {
				if v.Message == "" {
					t.Errorf("violation %s without message", v.Rule)
				}
				got = append(got, v.Rule)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("rules (-want +got):\n%s", diff)
			}
			var always []string
			for _, v := range s.Inconsistencies() {
				always = append(always, v.Rule)
			}
			if diff := cmp.Diff(tt.always, always); diff != "" {
				t.Errorf("Inconsistencies (-want +got):\n%s", diff)
			}
		})
	}
}

func TestLookups(t *testing.T) {
	s := fixture()
	if u := s.UserByUPN("ALICE@CONTOSO.COM"); u == nil || u.ObjectID != "alice-id" {
		t.Errorf("UserByUPN = %+v", u)
	}
	if u := s.UserByUPN("Alice-ID"); u == nil || u.UserPrincipalName != "alice@contoso.com" {
		t.Errorf("UserByUPN by ObjectId = %+v", u)
	}
	if ra := s.ResourceAccountByID("RA1-ID"); ra == nil || ra.UserPrincipalName != "ra1@contoso.com" {
		t.Errorf("ResourceAccountByID = %+v", ra)
	}
	if p := s.PolicyByIdentity("tag:REDMOND"); p == nil || p.Identity != "Redmond" {
		t.Errorf("PolicyByIdentity = %+v", p)
	}
	if n := s.NumberHeldBy("ra1@contoso.com"); n == nil || n.TelephoneNumber != "+14255550100" {
		t.Errorf("NumberHeldBy = %+v", n)
	}
	if got := s.PoliciesOfResourceAccount("ra2@contoso.com"); !cmp.Equal(got, []string{"Empty", "Seattle"}) {
		t.Errorf("PoliciesOfResourceAccount = %v", got)
	}
	for _, tc := range []struct {
		number string
		kind   HolderKind
		name   string
	}{
		{"+14255551000", HolderUser, "alice@contoso.com"},
		{"+14255550100", HolderResourceAccount, "ra1@contoso.com"},
		{"+14255556677", HolderPolicy, "Redmond"},
		{"+12065550999", HolderPolicy, "DR"},
		{"+14255556678", HolderNone, ""},
		{"+19999999999", HolderNone, ""},
	} {
		k, n := s.Holder(tc.number)
		if k != tc.kind || n != tc.name {
			t.Errorf("Holder(%s) = %v %q, want %v %q", tc.number, k, n, tc.kind, tc.name)
		}
	}
	// A replaced slice is noticed without Reindex.
	s.Users = append([]User(nil), s.Users[1:]...)
	if s.UserByUPN("alice@contoso.com") != nil {
		t.Errorf("UserByUPN found a user removed from a replaced slice")
	}
	// A clone has its own index.
	c := s.Clone()
	c.Apply(Op{Action: GrantUser, User: "bob@contoso.com", Grant: ptr("Seattle")})
	if s.UserByUPN("bob@contoso.com").SharedCallingPolicy != "" || s.CountUsersOfPolicy("Seattle") != 0 {
		t.Errorf("applying to a clone changed the original")
	}
}

func TestCheckInvariantsOf(t *testing.T) {
	tests := []struct {
		name string
		op   Op
		want []string
	}{
		{"RA number unassigned", Op{Action: NumberUnassign, Number: "+14255550200", Holder: "ra2@contoso.com"}, []string{RuleRANumber, RuleRANumber}},
		{"RA of no policy", Op{Action: NumberAssign, Number: "+14255557001", Holder: "ra3@contoso.com", NumberType: "CallingPlan"}, nil},
		{"policy changed", Op{Action: PolicyAddEmergency, Policy: "Seattle", Numbers: []string{"+14255556678"}}, nil},
		{"grant", Op{Action: GrantUser, User: "bob@contoso.com", Grant: ptr("Seattle")}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := fixture()
			if err := s.Apply(tt.op); err != nil {
				t.Fatal(err)
			}
			var got, full []string
			for _, v := range s.CheckInvariantsOf(tt.op) {
				got = append(got, v.Rule)
			}
			for _, v := range s.CheckInvariants() {
				full = append(full, v.Rule)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("CheckInvariantsOf (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(full, got); diff != "" {
				t.Errorf("CheckInvariantsOf differs from CheckInvariants (-full +of):\n%s", diff)
			}
		})
	}
}
