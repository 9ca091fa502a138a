package tenant

import (
	"math/rand/v2"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRandomOps applies random operations to the fixture: whatever Apply
// accepts keeps every invariant except those it accepts breaking, as the
// service does (acceptedBreaks); CheckInvariantsOf reports every violation
// a step adds and nothing CheckInvariants does not; and the index stays
// consistent.
func TestRandomOps(t *testing.T) {
	base := fixture()
	var numbers, holders, locations []string
	for _, n := range base.Numbers {
		numbers = append(numbers, n.TelephoneNumber)
	}
	numbers = append(numbers, "+12065550998", "+12065550999", "+19999999999")
	for _, u := range base.Users {
		holders = append(holders, u.UserPrincipalName)
	}
	for _, r := range base.ResourceAccounts {
		holders = append(holders, r.UserPrincipalName)
	}
	for _, l := range base.Locations {
		locations = append(locations, l.LocationID)
	}
	policies := []string{"Redmond", "Seattle", "DR", "Empty", "New1", "New2", "Global"}
	types := []string{TypeCallingPlan, TypeDirectRouting, TypeOperatorConnect}
	groups := []string{"g1", "g2", "g3"}

	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 1))
		pick := func(l []string) string { return l[r.IntN(len(l))] }
		s := fixture()
		var prev []Violation
		accepted := 0
		for i := 0; i < 400; i++ {
			var op Op
			switch Actions[r.IntN(len(Actions))] {
			case NumberAssign:
				op = Op{Action: NumberAssign, Number: pick(numbers), Holder: pick(holders), NumberType: pick(types)}
				if r.IntN(2) == 0 {
					op.Location = pick(locations)
				}
			case NumberUnassign:
				op = Op{Action: NumberUnassign, Number: pick(numbers), Holder: pick(holders)}
			case NumberSetLocation:
				op = Op{Action: NumberSetLocation, Number: pick(numbers), Location: pick(locations)}
			case PolicyCreate:
				op = Op{Action: PolicyCreate, Policy: pick(policies), ResourceAccount: pick(holders)}
				for range r.IntN(3) {
					op.Numbers = append(op.Numbers, pick(numbers))
				}
			case PolicyUpdate:
				op = Op{Action: PolicyUpdate, Policy: pick(policies), ResourceAccount: pick(holders), UpdateResourceAccount: true}
			case PolicyAddEmergency:
				op = Op{Action: PolicyAddEmergency, Policy: pick(policies), Numbers: []string{pick(numbers)}}
			case PolicyRemoveEmergency:
				op = Op{Action: PolicyRemoveEmergency, Policy: pick(policies), Numbers: []string{pick(numbers)}}
			case PolicyDelete:
				op = Op{Action: PolicyDelete, Policy: pick(policies)}
			case GrantUser:
				op = Op{Action: GrantUser, User: pick(holders)}
				if r.IntN(3) > 0 {
					op.Grant = ptr(pick(policies))
				}
			case GrantGroup:
				op = Op{Action: GrantGroup, Group: pick(groups), Rank: r.IntN(4)}
				if r.IntN(3) > 0 {
					op.Grant = ptr(pick(policies))
				}
			case GrantGlobal:
				if r.IntN(2) > 0 {
					op.Grant = ptr(pick(policies))
				}
				op.Action = GrantGlobal
			}
			if err := s.Apply(op); err != nil {
				continue
			}
			accepted++
			// Every new violation is one Apply accepts as the service
			// does, and CheckInvariantsOf reports it.
			now := s.CheckInvariants()
			of := s.CheckInvariantsOf(op)
			for _, v := range now {
				if containsViolation(prev, v) {
					continue
				}
				if !acceptedBreaks[v.Rule] {
					t.Fatalf("seed %d step %d: %+v broke invariant %s: %s", seed, i, op, v.Rule, v.Message)
				}
				if !containsViolation(of, v) {
					t.Fatalf("seed %d step %d: %+v: CheckInvariantsOf misses %s: %s", seed, i, op, v.Rule, v.Message)
				}
			}
			for _, v := range of {
				if !containsViolation(now, v) {
					t.Fatalf("seed %d step %d: CheckInvariantsOf reports %+v, CheckInvariants does not", seed, i, v)
				}
			}
			prev = now
			checkIndex(t, s)
		}
		if accepted < 40 {
			t.Errorf("seed %d: only %d of 400 random ops accepted: the test exercises little", seed, accepted)
		}
	}
}

// acceptedBreaks are the invariants Apply lets a step break, as the service
// does: it checks a resource account's number against the policies that use
// it only when a policy is created or changed, not when the number is
// unassigned, reassigned or relocated.
var acceptedBreaks = map[string]bool{
	RuleRANumber: true, RuleRALocation: true,
	RulePolicyNumberType: true, RulePolicyNumberCntry: true, RuleEmergencyInTenant: true,
}

func containsViolation(list []Violation, v Violation) bool {
	for _, w := range list {
		if cmp.Equal(w, v) {
			return true
		}
	}
	return false
}
