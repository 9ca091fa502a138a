package apply

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

// stepString writes a step compactly for table tests: the action and the
// fields of its action.
func stepString(st Step) string {
	op := st.Op
	grant := "null"
	if op.Grant != nil {
		grant = *op.Grant
	}
	switch op.Action {
	case tenant.NumberUnassign:
		return fmt.Sprintf("unassign %s %s", op.Number, op.Holder)
	case tenant.NumberAssign:
		s := fmt.Sprintf("assign %s %s %s", op.Number, op.Holder, op.NumberType)
		if op.Location != "" {
			s += " @" + op.Location[:1]
		}
		return s
	case tenant.NumberSetLocation:
		return fmt.Sprintf("set-location %s @%s", op.Number, op.Location[:1])
	case tenant.PolicyCreate:
		return fmt.Sprintf("create %s %s %q %v", op.Policy, op.ResourceAccount, op.Description, op.Numbers)
	case tenant.PolicyUpdate:
		s := "update " + op.Policy
		if op.UpdateResourceAccount {
			s += " ra=" + op.ResourceAccount
		}
		if op.UpdateDescription {
			s += fmt.Sprintf(" description=%q", op.Description)
		}
		return s
	case tenant.PolicyRemoveEmergency:
		return fmt.Sprintf("remove-emergency %s %v", op.Policy, op.Numbers)
	case tenant.PolicyAddEmergency:
		return fmt.Sprintf("add-emergency %s %v", op.Policy, op.Numbers)
	case tenant.PolicyDelete:
		return "delete " + op.Policy
	case tenant.GrantUser:
		return fmt.Sprintf("grant %s %s", op.User, grant)
	case tenant.GrantGroup:
		return fmt.Sprintf("group %s %s %d", op.Group, grant, op.Rank)
	case tenant.GrantGlobal:
		return "global " + grant
	}
	return string(op.Action)
}

func stepStrings(p *Plan) []string {
	out := []string{}
	for i, st := range p.Steps {
		if st.Index != i+1 {
			out = append(out, fmt.Sprintf("BAD INDEX %d", st.Index))
		}
		if st.Reason == "" {
			out = append(out, "NO REASON")
		}
		out = append(out, stepString(st))
	}
	return out
}

func mustBuild(t *testing.T, d *schema.Desired, s *tenant.Snapshot) *Plan {
	t.Helper()
	p, err := Build(d, s)
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	return p
}

func policyOf(d *schema.Desired, name string) *schema.Policy {
	for i := range d.Policies {
		if d.Policies[i].Name == name {
			return &d.Policies[i]
		}
	}
	panic("no policy " + name)
}

func accountOf(d *schema.Desired, upn string) *schema.ResourceAccount {
	for i := range d.ResourceAccounts {
		if d.ResourceAccounts[i].UPN == upn {
			return &d.ResourceAccounts[i]
		}
	}
	panic("no account " + upn)
}

func TestBuildOrdering(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(d *schema.Desired, s *tenant.Snapshot)
		want    []string
		hazards []Hazard
	}{
		{
			name: "no-op gives zero steps",
			edit: func(*schema.Desired, *tenant.Snapshot) {},
			want: []string{},
		},
		{
			name: "emergency number moves from one policy to another",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				policyOf(d, "Redmond").EmergencyNumbers = located("+14255556677")
				policyOf(d, "Old").EmergencyNumbers = located("+14255556678")
			},
			want: []string{
				"remove-emergency Redmond [+14255556678]",
				"add-emergency Old [+14255556678]",
			},
		},
		{
			name: "swap of account numbers",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				d.ResourceAccounts[0].Number, d.ResourceAccounts[1].Number = d.ResourceAccounts[1].Number, d.ResourceAccounts[0].Number
			},
			want: []string{
				"unassign +14255550100 ra1@contoso.com",
				"unassign +14255550200 ra2@contoso.com",
				"assign +14255550100 ra2@contoso.com CallingPlan @1",
				"assign +14255550200 ra1@contoso.com CallingPlan @1",
			},
			hazards: []Hazard{
				{Kind: HazardOutboundOutage, Steps: []int{1, 4}, Users: 2, Message: "resource account ra1@contoso.com has no located number from step 1 to step 4: outbound calls fail for 2 users of policy Redmond, and for members of 1 group assigned it"},
				{Kind: HazardOutboundOutage, Steps: []int{2, 3}, Users: 1, Message: "resource account ra2@contoso.com has no located number from step 2 to step 3: outbound calls fail for 1 user of policy Old, and for members of 1 group assigned it and everyone on the tenant default"},
			},
		},
		{
			name: "account number reassigned to a user, account gets a free one",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				d.UserNumbers[0].Number = "+14255550100"
				accountOf(d, "ra1@contoso.com").Number = "+14255550500"
			},
			want: []string{
				"unassign +14255550100 ra1@contoso.com",
				"assign +14255550500 ra1@contoso.com CallingPlan @1",
				"unassign +14255550400 carol@contoso.com",
				"assign +14255550100 carol@contoso.com CallingPlan",
			},
			hazards: []Hazard{
				{Kind: HazardOutboundOutage, Steps: []int{1, 2}, Users: 2, Message: "resource account ra1@contoso.com has no located number from step 1 to step 2: outbound calls fail for 2 users of policy Redmond, and for members of 1 group assigned it"},
			},
		},
		{
			name: "emergency number to a user",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				policyOf(d, "Redmond").EmergencyNumbers = located("+14255556677")
				d.UserNumbers[0].Number = "+14255556678"
			},
			want: []string{
				"remove-emergency Redmond [+14255556678]",
				"unassign +14255550400 carol@contoso.com",
				"assign +14255556678 carol@contoso.com CallingPlan",
			},
		},
		{
			name: "user number becomes an emergency number",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				policyOf(d, "Old").EmergencyNumbers = located("+14255550400")
				d.UserNumbers[0].Number = "+14255550500"
			},
			want: []string{
				"unassign +14255550400 carol@contoso.com",
				"assign +14255550500 carol@contoso.com CallingPlan",
				"add-emergency Old [+14255550400]",
			},
		},
		{
			name: "account number type change",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				ra := accountOf(d, "ra1@contoso.com")
				ra.Number, ra.Type = "+14255551000", "DirectRouting"
				policyOf(d, "Redmond").EmergencyNumbers = located("+14255551001", "+14255551002")
			},
			want: []string{
				"remove-emergency Redmond [+14255556677 +14255556678]",
				"unassign +14255550100 ra1@contoso.com",
				"assign +14255551000 ra1@contoso.com DirectRouting @1",
				"add-emergency Redmond [+14255551001 +14255551002]",
			},
			hazards: []Hazard{
				{Kind: HazardOutboundOutage, Steps: []int{2, 3}, Users: 2, Message: "resource account ra1@contoso.com has no located number from step 2 to step 3: outbound calls fail for 2 users of policy Redmond, and for members of 1 group assigned it"},
			},
		},
		{
			name: "policy deleted, its users and numbers move elsewhere",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				d.Policies = d.Policies[1:] // drop Old
				red := policyOf(d, "Redmond")
				red.Users = append(red.Users, schema.Located{Value: "bob@contoso.com"})
				red.Groups = append(red.Groups, schema.GroupGrant{GroupID: "g2", Rank: 2})
				d.TenantDefault = "Redmond"
			},
			want: []string{
				"group g2 Redmond 2",
				"grant bob@contoso.com Redmond",
				"global Redmond",
				"delete Old",
			},
		},
		{
			name: "new site",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ra3@contoso.com", Number: "+14255550300", Type: "CallingPlan", Location: "seattle"})
				d.Policies = append(d.Policies, schema.Policy{Name: "Seattle", ResourceAccount: "ra3@contoso.com",
					EmergencyNumbers: located("+14255550500"),
					Users:            located("carol@contoso.com"),
					Groups:           []schema.GroupGrant{{GroupID: "g3", Rank: 3}}})
				d.Sort()
			},
			want: []string{
				"assign +14255550300 ra3@contoso.com CallingPlan @2",
				"create Seattle ra3@contoso.com \"\" [+14255550500]",
				"group g3 Seattle 3",
				"grant carol@contoso.com Seattle",
			},
		},
		{
			name: "cycle of three account numbers",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				s.Numbers[2].AssignedPstnTargetID, s.Numbers[2].PstnAssignmentStatus, s.Numbers[2].LocationID = "ra3-id", tenant.StatusVoiceAppAssigned, loc1
				s.Policies = append(s.Policies, tenant.Policy{Identity: "Third", ResourceAccount: "ra3-id"})
				d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ra3@contoso.com", Number: "+14255550100", Type: "CallingPlan", Location: "redmond"})
				accountOf(d, "ra1@contoso.com").Number = "+14255550200"
				accountOf(d, "ra2@contoso.com").Number = "+14255550300"
				d.Policies = append(d.Policies, schema.Policy{Name: "Third", ResourceAccount: "ra3@contoso.com"})
				d.Sort()
			},
			// ra3 serves no user: it opens the cycle and gets the long
			// window; the others get one step each.
			want: []string{
				"unassign +14255550300 ra3@contoso.com",
				"unassign +14255550200 ra2@contoso.com",
				"assign +14255550300 ra2@contoso.com CallingPlan @1",
				"unassign +14255550100 ra1@contoso.com",
				"assign +14255550200 ra1@contoso.com CallingPlan @1",
				"assign +14255550100 ra3@contoso.com CallingPlan @1",
			},
			hazards: []Hazard{
				{Kind: HazardOutboundOutage, Steps: []int{1, 6}, Users: 0, Message: "resource account ra3@contoso.com has no located number from step 1 to step 6: outbound calls fail for 0 users of policy Third"},
				{Kind: HazardOutboundOutage, Steps: []int{2, 3}, Users: 1, Message: "resource account ra2@contoso.com has no located number from step 2 to step 3: outbound calls fail for 1 user of policy Old, and for members of 1 group assigned it and everyone on the tenant default"},
				{Kind: HazardOutboundOutage, Steps: []int{4, 5}, Users: 2, Message: "resource account ra1@contoso.com has no located number from step 4 to step 5: outbound calls fail for 2 users of policy Redmond, and for members of 1 group assigned it"},
			},
		},
		{
			name: "group rank reshuffle",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				policyOf(d, "Redmond").Groups[0].Rank = 2
				policyOf(d, "Old").Groups[0].Rank = 1
			},
			want: []string{
				"group g1 Redmond 3",
				"group g2 Old 1",
				"group g1 Redmond 2",
			},
		},
		{
			name: "account number becomes an emergency number, account gets a free one",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				policyOf(d, "Old").EmergencyNumbers = located("+14255550100")
				accountOf(d, "ra1@contoso.com").Number = "+14255550500"
			},
			want: []string{
				"unassign +14255550100 ra1@contoso.com",
				"assign +14255550500 ra1@contoso.com CallingPlan @1",
				"add-emergency Old [+14255550100]",
			},
			hazards: []Hazard{
				{Kind: HazardOutboundOutage, Steps: []int{1, 2}, Users: 2, Message: "resource account ra1@contoso.com has no located number from step 1 to step 2: outbound calls fail for 2 users of policy Redmond, and for members of 1 group assigned it"},
			},
		},
		{
			name: "emergency number becomes an account's number",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				policyOf(d, "Redmond").EmergencyNumbers = located("+14255556677")
				accountOf(d, "ra2@contoso.com").Number = "+14255556678"
			},
			want: []string{
				"remove-emergency Redmond [+14255556678]",
				"unassign +14255550200 ra2@contoso.com",
				"assign +14255556678 ra2@contoso.com CallingPlan @1",
			},
			hazards: []Hazard{
				{Kind: HazardOutboundOutage, Steps: []int{2, 3}, Users: 1, Message: "resource account ra2@contoso.com has no located number from step 2 to step 3: outbound calls fail for 1 user of policy Old, and for members of 1 group assigned it and everyone on the tenant default"},
			},
		},
		{
			name: "group ranks rotate through three groups",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				s.GroupAssignments = append(s.GroupAssignments, tenant.GroupAssignment{GroupID: "g3", PolicyName: "Old", Rank: 3})
				old := policyOf(d, "Old")
				old.Groups = []schema.GroupGrant{{GroupID: "g2", Rank: 3}, {GroupID: "g3", Rank: 1}}
				policyOf(d, "Redmond").Groups[0].Rank = 2
			},
			want: []string{
				"group g1 Redmond 4",
				"group g3 Old 1",
				"group g2 Old 3",
				"group g1 Redmond 2",
			},
		},
		{
			name: "policy follows its number to another account",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				d.ResourceAccounts = d.ResourceAccounts[1:] // ra1 undeclared: its number goes to ra3
				d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ra3@contoso.com", Number: "+14255550100", Type: "CallingPlan", Location: "redmond"})
				policyOf(d, "Redmond").ResourceAccount = "ra3@contoso.com"
				d.Sort()
			},
			want: []string{
				"unassign +14255550100 ra1@contoso.com",
				"assign +14255550100 ra3@contoso.com CallingPlan @1",
				"update Redmond ra=ra3@contoso.com",
			},
			hazards: []Hazard{
				{Kind: HazardOutboundOutage, Steps: []int{1, 3}, Users: 2, Message: "resource account ra1@contoso.com has no located number from step 1 to step 3: outbound calls fail for 2 users of policy Redmond, and for members of 1 group assigned it"},
			},
		},
		{
			name: "two policies cross accounts while both accounts are renumbered",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				accountOf(d, "ra1@contoso.com").Number = "+14255550500"
				accountOf(d, "ra2@contoso.com").Number = "+14255550300"
				policyOf(d, "Redmond").ResourceAccount = "ra2@contoso.com"
				policyOf(d, "Old").ResourceAccount = "ra1@contoso.com"
			},
			want: []string{
				"unassign +14255550100 ra1@contoso.com",
				"assign +14255550500 ra1@contoso.com CallingPlan @1",
				"update Old ra=ra1@contoso.com",
				"unassign +14255550200 ra2@contoso.com",
				"assign +14255550300 ra2@contoso.com CallingPlan @1",
				"update Redmond ra=ra2@contoso.com",
			},
			hazards: []Hazard{
				{Kind: HazardOutboundOutage, Steps: []int{1, 2}, Users: 2, Message: "resource account ra1@contoso.com has no located number from step 1 to step 2: outbound calls fail for 2 users of policy Redmond, and for members of 1 group assigned it"},
			},
		},
		{
			name: "account renumbered while its only policy is deleted: delete first, no window",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				d.Policies = d.Policies[1:] // drop Old
				d.TenantDefault = ""
				accountOf(d, "ra2@contoso.com").Number = "+14255550500"
			},
			want: []string{
				"group g2 null 0",
				"global null",
				"grant bob@contoso.com null",
				"delete Old",
				"unassign +14255550200 ra2@contoso.com",
				"assign +14255550500 ra2@contoso.com CallingPlan @1",
			},
		},
		{
			name: "policy moves to an account whose number is assigned in the same plan",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				d.ResourceAccounts = append(d.ResourceAccounts, schema.ResourceAccount{UPN: "ra3@contoso.com", Number: "+14255550300", Type: "CallingPlan", Location: "seattle"})
				policyOf(d, "Old").ResourceAccount = "ra3@contoso.com"
				d.Sort()
			},
			want: []string{
				"assign +14255550300 ra3@contoso.com CallingPlan @2",
				"update Old ra=ra3@contoso.com",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, s := contosoDesired(), contoso()
			tt.edit(d, s)
			before := s.Digest()
			p := mustBuild(t, d, s)
			if diff := cmp.Diff(tt.want, stepStrings(p)); diff != "" {
				t.Errorf("steps (-want +got):\n%s", diff)
				for _, st := range p.Steps {
					t.Logf("%d %s  # %s", st.Index, stepString(st), st.Reason)
				}
			}
			if tt.hazards == nil {
				tt.hazards = []Hazard{}
			}
			if diff := cmp.Diff(tt.hazards, p.Hazards); diff != "" {
				t.Errorf("hazards (-want +got):\n%s", diff)
				for _, h := range p.Hazards {
					t.Logf("%#v", h)
				}
			}
			if s.Digest() != before {
				t.Errorf("Build modified the snapshot")
			}
		})
	}
}

var _ = errors.As
var _ = strings.Join
var _ = diff.Create
