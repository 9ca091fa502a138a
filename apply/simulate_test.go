package apply

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/diff"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

func opStep(i int, op tenant.Op) Step { return Step{Index: i, Op: op, Reason: "test"} }

func TestVerifyRejects(t *testing.T) {
	tests := []struct {
		name  string
		edit  func(d *schema.Desired, s *tenant.Snapshot)
		steps []Step
		want  *VerifyError
	}{
		{
			name: "a number joins before it leaves",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				d.UserNumbers[0].Number = "+14255550100"
				accountOf(d, "ra1@contoso.com").Number = "+14255550500"
			},
			steps: []Step{
				opStep(1, tenant.Op{Action: tenant.NumberUnassign, Number: "+14255550400", Holder: "carol@contoso.com"}),
				opStep(2, tenant.Op{Action: tenant.NumberAssign, Number: "+14255550100", Holder: "carol@contoso.com", NumberType: "CallingPlan"}),
			},
			want: &VerifyError{Step: 2, Rule: tenant.RuleNumberHeld},
		},
		{
			name:  "steps that do not reach the desired state",
			edit:  func(d *schema.Desired, s *tenant.Snapshot) { policyOf(d, "Old").Description = "new" },
			steps: nil,
			want:  &VerifyError{Step: 0, Rule: RuleNotConverged},
		},
		{
			name: "an account in use left without a number",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {},
			steps: []Step{
				opStep(1, tenant.Op{Action: tenant.NumberUnassign, Number: "+14255550100", Holder: "ra1@contoso.com"}),
			},
			want: &VerifyError{Step: 1, Rule: RuleOutageOpen},
		},
		{
			name: "a new account number of another type than the policy's emergency numbers",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {},
			steps: []Step{
				opStep(1, tenant.Op{Action: tenant.NumberUnassign, Number: "+14255550100", Holder: "ra1@contoso.com"}),
				opStep(2, tenant.Op{Action: tenant.NumberAssign, Number: "+14255551000", Holder: "ra1@contoso.com", NumberType: "DirectRouting", Location: loc1}),
			},
			want: &VerifyError{Step: 2, Rule: tenant.RulePolicyNumberType},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, s := contosoDesired(), contoso()
			tt.edit(d, s)
			err := Verify(d, s, tt.steps)
			var ve *VerifyError
			if !errors.As(err, &ve) {
				t.Fatalf("Verify = %v, want a *VerifyError", err)
			}
			got := &VerifyError{Step: ve.Step, Rule: ve.Rule}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("VerifyError (-want +got):\n%s\n(message: %s)", diff, ve.Message)
			}
			if ve.Message == "" {
				t.Errorf("VerifyError has no message")
			}
		})
	}
}

// TestVerifyToleratesBrokenState: an invariant the tenant already breaks
// is not blamed on a plan that leaves it alone.
func TestVerifyToleratesBrokenState(t *testing.T) {
	d, s := contosoDesired(), contoso()
	s.Numbers[1].LocationID = "" // ra2's number, used by Old, has no location
	d.ResourceAccounts[1].Location = ""
	policyOf(d, "Redmond").Description = "changed"
	p := mustBuild(t, d, s)
	if diff := cmp.Diff([]string{`update Redmond description="changed"`}, stepStrings(p)); diff != "" {
		t.Errorf("steps (-want +got):\n%s", diff)
	}
}

func TestBuildUnreachable(t *testing.T) {
	tests := []struct {
		name string
		edit func(d *schema.Desired, s *tenant.Snapshot)
		want string // a problem message
	}{
		{
			name: "an account callops would have to create",
			edit: func(d *schema.Desired, s *tenant.Snapshot) { policyOf(d, "Old").ResourceAccount = "ghost@contoso.com" },
			want: "resource account ghost@contoso.com is not in the tenant (callops never creates resource accounts)",
		},
		{
			name: "emergency numbers of another type than the account's",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				policyOf(d, "Old").EmergencyNumbers = located("+14255551000")
			},
			want: "+14255551000 is a DirectRouting number but the resource account number +14255550200 of policy Old is CallingPlan",
		},
		{
			name: "a policy on an account whose number goes elsewhere",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				d.ResourceAccounts = d.ResourceAccounts[:1] // ra2 undeclared
				d.UserNumbers[0].Number = "+14255550200"    // ra2's number to carol
				policyOf(d, "Old").Description = "x"
			},
			want: "resource account ra2@contoso.com of policy Old will have no number (declare its number)",
		},
		{
			name: "a new account number without a location",
			edit: func(d *schema.Desired, s *tenant.Snapshot) {
				ra := accountOf(d, "ra1@contoso.com")
				ra.Number, ra.Location = "+14255550500", ""
			},
			want: "number +14255550500 of resource account ra1@contoso.com (policy Redmond) will have no emergency location (declare the account's location)",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, s := contosoDesired(), contoso()
			tt.edit(d, s)
			_, err := Build(d, s)
			var re *diff.ResolveError
			if !errors.As(err, &re) {
				t.Fatalf("Build error = %v, want a *diff.ResolveError", err)
			}
			var got []string
			for _, p := range re.Problems {
				got = append(got, p.Message)
			}
			if diff := cmp.Diff([]string{tt.want}, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}
