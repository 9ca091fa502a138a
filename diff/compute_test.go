package diff

import (
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

func policyOf(d *schema.Desired, name string) *schema.Policy {
	for i := range d.Policies {
		if d.Policies[i].Name == name {
			return &d.Policies[i]
		}
	}
	panic("no policy " + name)
}

func TestCompute(t *testing.T) {
	tests := []struct {
		name string
		edit func(d *schema.Desired, s *tenant.Snapshot)
		want *Changes
	}{
		{
			name: "no changes",
			edit: func(*schema.Desired, *tenant.Snapshot) {},
			want: &Changes{},
		},
		{
			name: "case differences are no changes",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				policyOf(d, "Redmond").Users[0].Value = "ALICE@contoso.com"
				s.Users[0].SharedCallingPolicy = "Tag:redmond"
				s.Tenant.GlobalPolicy = "Tag:Old"
			},
			want: &Changes{},
		},
		{
			name: "description and resource account",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				p := policyOf(d, "Old")
				p.Description = "new"
				p.ResourceAccount = "ra1@contoso.com"
			},
			want: &Changes{Policies: []PolicyChange{{
				Name: "Old", Kind: Update,
				Before:                 &PolicyFields{ResourceAccount: "ra2@contoso.com", EmergencyNumbers: []string{}},
				After:                  &PolicyFields{ResourceAccount: "ra1@contoso.com", Description: "new", EmergencyNumbers: []string{}},
				ResourceAccountChanged: true, DescriptionChanged: true,
			}}},
		},
		{
			name: "emergency reorder removes behind the common prefix",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				policyOf(d, "Redmond").EmergencyNumbers = located("+14255556678", "+14255556677")
			},
			want: &Changes{Policies: []PolicyChange{{
				Name: "Redmond", Kind: Update,
				Before:        &PolicyFields{ResourceAccount: "ra1@contoso.com", Description: "Redmond", EmergencyNumbers: []string{"+14255556677", "+14255556678"}},
				After:         &PolicyFields{ResourceAccount: "ra1@contoso.com", Description: "Redmond", EmergencyNumbers: []string{"+14255556678", "+14255556677"}},
				RemoveNumbers: []string{"+14255556677", "+14255556678"},
				AddNumbers:    []string{"+14255556678", "+14255556677"},
			}}},
		},
		{
			name: "user number becomes emergency number; undeclared holder releases it",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				d.UserNumbers = nil
				policyOf(d, "Redmond").EmergencyNumbers = located("+14255556677", "+14255556678", "+14255550400")
			},
			want: &Changes{
				Policies: []PolicyChange{{
					Name: "Redmond", Kind: Update,
					Before:     &PolicyFields{ResourceAccount: "ra1@contoso.com", Description: "Redmond", EmergencyNumbers: []string{"+14255556677", "+14255556678"}},
					After:      &PolicyFields{ResourceAccount: "ra1@contoso.com", Description: "Redmond", EmergencyNumbers: []string{"+14255556677", "+14255556678", "+14255550400"}},
					AddNumbers: []string{"+14255550400"},
				}},
				Releases: []Release{{Number: "+14255550400", Holder: "carol@contoso.com", To: "policy Redmond"}},
			},
		},
		{
			name: "policy deleted: its users, groups and the tenant default leave it",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				d.Policies = d.Policies[1:] // drop Old
				d.TenantDefault = ""
			},
			want: &Changes{
				Policies: []PolicyChange{{
					Name: "Old", Kind: Delete,
					Before: &PolicyFields{ResourceAccount: "ra2@contoso.com", EmergencyNumbers: []string{}},
				}},
				Grants:        []GrantChange{{User: "bob@contoso.com", Before: "Old"}},
				Groups:        []GroupChange{{Group: "g2", Before: &GroupAssignment{Policy: "Old", Rank: 2}}},
				TenantDefault: &DefaultChange{Before: "Old"},
			},
		},
		{
			name: "absent tenantDefault leaves a kept default alone",
			edit: func(d *schema.Desired, s *tenant.Snapshot) { d.TenantDefault = "" },
			want: &Changes{},
		},
		{
			name: "tenantDefault Global clears the default",
			edit: func(d *schema.Desired, s *tenant.Snapshot) { d.TenantDefault = "Global" },
			want: &Changes{TenantDefault: &DefaultChange{Before: "Old"}},
		},
		{
			name: "new site: location, account number, policy, grants",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ra3@contoso.com", Number: "+14255550300", Type: "CallingPlan", Location: "seattle"})
				d.Policies = append(d.Policies, schema.Policy{Name: "Seattle", ResourceAccount: "ra3@contoso.com", Users: located("carol@contoso.com"),
					Groups: []schema.GroupGrant{{GroupID: "g3", Rank: 3}}})
				d.Sort()
			},
			want: &Changes{
				Policies: []PolicyChange{{Name: "Seattle", Kind: Create,
					After: &PolicyFields{ResourceAccount: "ra3@contoso.com", EmergencyNumbers: []string{}}}},
				ResourceAccounts: []AccountChange{{UPN: "ra3@contoso.com",
					After: NumberAssignment{Number: "+14255550300", Type: "CallingPlan", Location: loc2}}},
				Grants: []GrantChange{{User: "carol@contoso.com", After: "Seattle"}},
				Groups: []GroupChange{{Group: "g3", After: &GroupAssignment{Policy: "Seattle", Rank: 3}}},
			},
		},
		{
			name: "account location only; account without location keeps its own",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				d.ResourceAccounts[0].Location = "seattle"
				d.ResourceAccounts[1].Location = ""
			},
			want: &Changes{ResourceAccounts: []AccountChange{{UPN: "ra1@contoso.com",
				Before: NumberAssignment{Number: "+14255550100", Type: "CallingPlan", Location: loc1},
				After:  NumberAssignment{Number: "+14255550100", Type: "CallingPlan", Location: loc2}}}},
		},
		{
			name: "swap of account numbers",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				d.ResourceAccounts[0].Number, d.ResourceAccounts[1].Number = d.ResourceAccounts[1].Number, d.ResourceAccounts[0].Number
			},
			want: &Changes{ResourceAccounts: []AccountChange{
				{UPN: "ra1@contoso.com", Before: NumberAssignment{Number: "+14255550100", Type: "CallingPlan", Location: loc1},
					After: NumberAssignment{Number: "+14255550200", Type: "CallingPlan", Location: loc1}},
				{UPN: "ra2@contoso.com", Before: NumberAssignment{Number: "+14255550200", Type: "CallingPlan", Location: loc1},
					After: NumberAssignment{Number: "+14255550100", Type: "CallingPlan", Location: loc1}},
			}},
		},
		{
			name: "unlisted user revoked, group rank change",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				p := policyOf(d, "Redmond")
				p.Users = p.Users[:1]
				p.Groups[0].Rank = 5
			},
			want: &Changes{
				Grants: []GrantChange{{User: "dave@contoso.com", Before: "Redmond"}},
				Groups: []GroupChange{{Group: "g1", Before: &GroupAssignment{Policy: "Redmond", Rank: 1}, After: &GroupAssignment{Policy: "Redmond", Rank: 5}}},
			},
		},
		{
			name: "undeclared Global is left alone but gives up a number given elsewhere",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				s.Policies = append(s.Policies, tenant.Policy{Identity: "Global", ResourceAccount: "ra1-id", EmergencyNumbers: []string{"+14255550300"}})
				s.Users[2].SharedCallingPolicy = "Global"
				policyOf(d, "Old").EmergencyNumbers = located("+14255550300")
			},
			want: &Changes{Policies: []PolicyChange{
				{Name: "Global", Kind: Update,
					Before:        &PolicyFields{ResourceAccount: "ra1@contoso.com", EmergencyNumbers: []string{"+14255550300"}},
					After:         &PolicyFields{ResourceAccount: "ra1@contoso.com", EmergencyNumbers: []string{}},
					RemoveNumbers: []string{"+14255550300"}},
				{Name: "Old", Kind: Update,
					Before:     &PolicyFields{ResourceAccount: "ra2@contoso.com", EmergencyNumbers: []string{}},
					After:      &PolicyFields{ResourceAccount: "ra2@contoso.com", EmergencyNumbers: []string{"+14255550300"}},
					AddNumbers: []string{"+14255550300"}},
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, s := contosoDesired(), contoso()
			tt.edit(d, s)
			got, err := Compute(d, s)
			if err != nil {
				t.Fatalf("Compute: %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Compute (-want +got):\n%s", diff)
			}
			if got.Empty() != (tt.want.Count() == 0) {
				t.Errorf("Empty() = %v with %d changes", got.Empty(), got.Count())
			}
		})
	}
}

func TestComputeProblems(t *testing.T) {
	d, s := contosoDesired(), contoso()
	d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ghost@contoso.com", Number: "+14255550300", Type: "CallingPlan"})
	d.Locations[1].ID = "33333333-3333-3333-3333-333333333333"
	policyOf(d, "Redmond").Users = append(policyOf(d, "Redmond").Users, schema.Located{Value: "zed@contoso.com"})
	policyOf(d, "Old").Users = append(policyOf(d, "Old").Users, schema.Located{Value: "alice@contoso.com"})
	// A user not in the tenant listed twice is not in the tenant twice
	// (not a repeated grant).
	policyOf(d, "Old").Users = append(policyOf(d, "Old").Users, schema.Located{Value: "zed@contoso.com"})
	d.UserNumbers[0].Number = "+14255550100" // ra1's number
	d.UserNumbers[0].Type = "DirectRouting"
	d.Sort()
	_, err := Compute(d, s)
	var re *ResolveError
	if !errors.As(err, &re) {
		t.Fatalf("Compute error = %v, want *ResolveError", err)
	}
	var got []string
	for _, p := range re.Problems {
		got = append(got, p.Path+": "+p.Message)
	}
	want := []string{
		`locations.seattle.id: location seattle: LocationId 33333333-3333-3333-3333-333333333333 is not in the tenant (callops never creates LIS locations)`,
		`policies.Old.users[2]: user zed@contoso.com is not in the tenant`,
		`policies.Redmond.users[0]: user alice@contoso.com is granted policies Old and Redmond (a user is listed by one policy at most)`,
		`policies.Redmond.users[2]: user zed@contoso.com is not in the tenant`,
		`resourceAccounts."ghost@contoso.com": resource account ghost@contoso.com is not in the tenant (callops never creates resource accounts)`,
		`userNumbers."carol@contoso.com".number: +14255550100 is a CallingPlan number in the tenant, not DirectRouting`,
		`userNumbers."carol@contoso.com".number: +14255550100 is given to resource account ra1@contoso.com and to user carol@contoso.com (a number has one holder)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	if !strings.Contains(err.Error(), "(7 problems)") {
		t.Errorf("error text %q does not count the problems", err)
	}
}

// TestComputeOtherTenant: a state of another tenant is refused with that one
// problem, at the desired state's domain, before anything is compared; the
// same tenant written in another case, with a final dot, or a state without
// a domain, is compared as usual.
func TestComputeOtherTenant(t *testing.T) {
	d, s := contosoDesired(), contoso()
	d.DomainPos = schema.Pos{File: "tenant.cue", Line: 3, Col: 17}
	d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ghost@contoso.com", Number: "+14255550300", Type: "CallingPlan"})
	s.Tenant.Domain = "fabrikam.onmicrosoft.com"
	_, err := Compute(d, s)
	var re *ResolveError
	if !errors.As(err, &re) {
		t.Fatalf("Compute error = %v, want *ResolveError", err)
	}
	want := []Problem{{Path: "tenant.domain", Pos: d.DomainPos,
		Message: "the desired state is for tenant " + d.Domain + ", but the state is of tenant fabrikam.onmicrosoft.com: check --state (or, if both name the same tenant, write fabrikam.onmicrosoft.com here)"}}
	if diff := cmp.Diff(want, re.Problems); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
	for _, dom := range []string{strings.ToUpper(d.Domain) + ".", ""} {
		s.Tenant.Domain = dom
		_, err := Compute(d, s)
		if !errors.As(err, &re) || len(re.Problems) != 1 || !strings.Contains(re.Problems[0].Message, "ghost@contoso.com is not in the tenant") {
			t.Errorf("state domain %q: got %v, want only the unknown account", dom, err)
		}
	}
}

// TestComputeDeclaredTwice: keys that differ only in case name one policy,
// account or user to the service; plan refuses them, as lint does.
func TestComputeDeclaredTwice(t *testing.T) {
	d, s := contosoDesired(), contoso()
	d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "RA1@contoso.com", Number: "+14255550100", Type: "CallingPlan"})
	d.UserNumbers = append(d.UserNumbers, schema.UserNumber{UPN: "CAROL@contoso.com", Number: d.UserNumbers[0].Number, Type: d.UserNumbers[0].Type})
	d.Policies = append(d.Policies, schema.Policy{Name: "redmond", ResourceAccount: "ra1@contoso.com"})
	d.Sort()
	_, err := Compute(d, s)
	var re *ResolveError
	if !errors.As(err, &re) {
		t.Fatalf("Compute error = %v, want *ResolveError", err)
	}
	var got []string
	for _, p := range re.Problems {
		if strings.Contains(p.Message, "declared twice") {
			got = append(got, p.Path)
		}
	}
	want := []string{"policies.redmond", `resourceAccounts."ra1@contoso.com"`, `userNumbers."carol@contoso.com"`}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("declared-twice problems (-want +got):\n%s\nall: %v", diff, err)
	}
}

func TestEmergencyEdit(t *testing.T) {
	tests := []struct {
		before, after, remove, add []string
	}{
		{[]string{"a", "b"}, []string{"a", "b"}, nil, nil},
		{[]string{"a", "b"}, []string{"a", "b", "c"}, nil, []string{"c"}},
		{[]string{"a", "b", "c"}, []string{"a", "c"}, []string{"b"}, nil},
		{[]string{"a", "b", "c"}, []string{"a", "c", "b"}, []string{"b", "c"}, []string{"c", "b"}},
		{[]string{"a", "b"}, []string{"c", "a", "b"}, []string{"a", "b"}, []string{"c", "a", "b"}},
		{nil, []string{"x"}, nil, []string{"x"}},
		{[]string{"x"}, nil, []string{"x"}, nil},
	}
	for _, tt := range tests {
		rm, add := EmergencyEdit(tt.before, tt.after)
		if diff := cmp.Diff([2][]string{tt.remove, tt.add}, [2][]string{rm, add}); diff != "" {
			t.Errorf("EmergencyEdit(%v, %v) (-want +got):\n%s", tt.before, tt.after, diff)
		}
	}
}

// TestFitUndeclaredGlobal: an undeclared Global is left as it is, so a
// desired state that gives its account a number of another type, or gives
// the account's number to someone else, cannot be reached (the service
// refuses Global's final configuration): a problem where the desired state
// changes the number, not a plan that fails verification.
func TestFitUndeclaredGlobal(t *testing.T) {
	withGlobal := func() *tenant.Snapshot {
		s := contoso()
		s.Policies = append(s.Policies, tenant.Policy{Identity: "Global", ResourceAccount: "ra3-id", EmergencyNumbers: []string{"+14255550500"}})
		for i := range s.Numbers {
			switch s.Numbers[i].TelephoneNumber {
			case "+14255550300": // ra3's number, located
				s.Numbers[i].AssignedPstnTargetID, s.Numbers[i].PstnAssignmentStatus, s.Numbers[i].LocationID = "ra3-id", tenant.StatusVoiceAppAssigned, loc1
			case "+14255550500":
				s.Numbers[i].AssignedPstnTargetID, s.Numbers[i].PstnAssignmentStatus = tenant.PolicyTargetPrefix+"Global", tenant.StatusPolicyAssigned
			}
		}
		s.Reindex()
		return s
	}
	if _, err := Compute(contosoDesired(), withGlobal()); err != nil {
		t.Fatalf("Global left alone: %v", err)
	}

	// ra3 declared with a Direct Routing number: Global's Calling Plan
	// emergency number no longer fits.
	d := contosoDesired()
	d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ra3@contoso.com", Number: "+14255551000", Type: "DirectRouting", Location: "redmond"})
	d.Sort()
	wantProblem(t, d, withGlobal(), `resourceAccounts."ra3@contoso.com".number: +14255550500 is a CallingPlan number but the resource account number +14255551000 of policy Global is DirectRouting; policy Global is not declared`)

	// ra3's number given to a user: Global's account is left without one.
	d = contosoDesired()
	d.UserNumbers = append(d.UserNumbers, schema.UserNumber{UPN: "bob@contoso.com", Number: "+14255550300", Type: "CallingPlan"})
	d.Sort()
	wantProblem(t, d, withGlobal(), `userNumbers."bob@contoso.com".number: resource account ra3@contoso.com of policy Global will have no number`)

	// Only ra3's location changes: a problem Global already has (a
	// Direct Routing emergency number on a Calling Plan account) is not
	// blamed on the desired state.
	s := withGlobal()
	s.Policies[len(s.Policies)-1].EmergencyNumbers = []string{"+14255551000"}
	for i := range s.Numbers {
		switch s.Numbers[i].TelephoneNumber {
		case "+14255550500":
			s.Numbers[i].AssignedPstnTargetID, s.Numbers[i].PstnAssignmentStatus = "", tenant.StatusUnassigned
		case "+14255551000":
			s.Numbers[i].AssignedPstnTargetID, s.Numbers[i].PstnAssignmentStatus = tenant.PolicyTargetPrefix+"Global", tenant.StatusPolicyAssigned
		}
	}
	s.Reindex()
	d = contosoDesired()
	d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ra3@contoso.com", Number: "+14255550300", Type: "CallingPlan", Location: "seattle"})
	d.Sort()
	if _, err := Compute(d, s); err != nil {
		t.Errorf("location-only change of Global's account: %v", err)
	}

	// Global's emergency number moves to Redmond while its account gets
	// a Direct Routing number: the number that leaves is not checked.
	d = contosoDesired()
	policyOf(d, "Redmond").EmergencyNumbers = append(policyOf(d, "Redmond").EmergencyNumbers, schema.Located{Value: "+14255550500"})
	d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ra3@contoso.com", Number: "+14255551000", Type: "DirectRouting", Location: "redmond"})
	d.Sort()
	if _, err := Compute(d, withGlobal()); err != nil {
		t.Errorf("Global's emergency number moved away: %v", err)
	}
}

// wantProblem fails unless Compute(d, s) is a *ResolveError with a problem
// that starts with prefix ("path: message").
func wantProblem(t *testing.T, d *schema.Desired, s *tenant.Snapshot, prefix string) {
	t.Helper()
	_, err := Compute(d, s)
	var re *ResolveError
	if !errors.As(err, &re) {
		t.Fatalf("Compute = %v, want a *ResolveError", err)
	}
	for _, p := range re.Problems {
		if strings.HasPrefix(p.Path+": "+p.Message, prefix) {
			return
		}
	}
	t.Errorf("no problem starting %q in:\n%v", prefix, err)
}
