package apply

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/tenant"
)

// thresholdTenant has policies P1..Pn (and Global) and users u1..um granted
// P1.
func thresholdTenant(policies, users int) *tenant.Snapshot {
	s := &tenant.Snapshot{Format: tenant.Format, Lineage: "L"}
	s.Policies = append(s.Policies, tenant.Policy{Identity: "Global"})
	for i := 1; i <= policies; i++ {
		s.Policies = append(s.Policies, tenant.Policy{Identity: fmt.Sprintf("P%d", i)})
	}
	for i := 1; i <= users; i++ {
		s.Users = append(s.Users, tenant.User{ObjectID: fmt.Sprint(i), UserPrincipalName: fmt.Sprintf("u%d@contoso.com", i), SharedCallingPolicy: "P1"})
	}
	s.Users = append(s.Users, tenant.User{ObjectID: "x", UserPrincipalName: "ungranted@contoso.com"})
	return s
}

func thresholdPlan(deletes, revokes int) *Plan {
	p := &Plan{}
	add := func(op tenant.Op) { p.Steps = append(p.Steps, Step{Index: len(p.Steps) + 1, Op: op}) }
	for i := 1; i <= deletes; i++ {
		add(tenant.Op{Action: tenant.PolicyDelete, Policy: fmt.Sprintf("P%d", i)})
	}
	for i := 1; i <= revokes; i++ {
		if i%2 == 0 {
			add(tenant.Op{Action: tenant.GrantUser, User: fmt.Sprintf("U%d@contoso.com", i), Grant: testGrant("Global")})
		} else {
			add(tenant.Op{Action: tenant.GrantUser, User: fmt.Sprintf("u%d@contoso.com", i)})
		}
	}
	// Neither a revoke of an ungranted user nor a new grant counts.
	add(tenant.Op{Action: tenant.GrantUser, User: "ungranted@contoso.com"})
	add(tenant.Op{Action: tenant.GrantUser, User: "u1@contoso.com", Grant: testGrant("P2")})
	return p
}

func TestCheckThresholds(t *testing.T) {
	tests := []struct {
		name                              string
		policies, users, deletes, revokes int
		want                              string
	}{
		{"nothing", 20, 20, 0, 0, ""},
		{"exactly 30% deleted", 10, 0, 3, 0, ""},
		{"over 30% deleted", 10, 0, 4, 0, "the plan deletes 4 of 10 policies (40%), more than the 30% safety threshold; use --force to apply it anyway"},
		{"few policies", 9, 0, 9, 0, ""},
		{"over 30% revoked", 0, 20, 0, 7, "the plan revokes the policy of 7 of 20 granted users (35%), more than the 30% safety threshold; use --force to apply it anyway"},
		{"few users", 0, 9, 0, 9, ""},
		{"both", 10, 10, 5, 10, "the plan deletes 5 of 10 policies (50%) and the plan revokes the policy of 10 of 10 granted users (100%), more than the 30% safety threshold; use --force to apply it anyway"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckThresholds(thresholdPlan(tc.deletes, tc.revokes), thresholdTenant(tc.policies, tc.users))
			got := ""
			if err != nil {
				got = err.Error()
				var te *ThresholdError
				if !errors.As(err, &te) {
					t.Errorf("error %T is not a *ThresholdError", err)
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
