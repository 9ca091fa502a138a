package apply

import (
	"strings"

	"github.com/callops/callops/tenant"
)

// project returns the part of s that steps can change or that the
// invariants of changed objects read: the policies, resource accounts,
// users and numbers the steps other than grant.user name (and the grants of
// those users); the policies that use a named account,
// hold a named number, are named by a named user's grant, a group
// assignment or the tenant default; the accounts of those policies; every
// number held by an included account or user or listed by an included
// policy; all locations and group assignments. Objects outside it keep
// their state through the plan, so their invariants can't change; checking
// the projection after each step costs what the plan touches, not what
// the tenant holds.
func project(s *tenant.Snapshot, steps []Step) *tenant.Snapshot {
	policies := map[string]bool{} // lower identity without Tag:
	accounts := map[string]bool{} // lower ObjectId
	users := map[string]bool{}    // lower ObjectId
	numbers := map[string]bool{}
	touchedAccounts := map[string]bool{}

	holder := func(upn string) {
		if u := s.UserByUPN(upn); u != nil {
			users[lower(u.ObjectID)] = true
		}
		if ra := s.ResourceAccountByUPN(upn); ra != nil {
			accounts[lower(ra.ObjectID)] = true
			touchedAccounts[lower(ra.ObjectID)] = true
		}
	}
	number := func(n string) {
		numbers[n] = true
		if kind, name := s.Holder(n); kind == tenant.HolderPolicy {
			policies[lower(policyName(name))] = true
		}
	}
	for _, st := range steps {
		op := st.Op
		if op.Action == tenant.GrantUser {
			continue // see below
		}
		if op.Policy != "" {
			policies[lower(policyName(op.Policy))] = true
		}
		if op.Grant != nil {
			policies[lower(policyName(*op.Grant))] = true
		}
		if op.Number != "" {
			number(op.Number)
		}
		for _, n := range op.Numbers {
			number(n)
		}
		if op.Holder != "" {
			holder(op.Holder)
		}
		if op.User != "" {
			holder(op.User)
		}
		if op.ResourceAccount != "" {
			holder(op.ResourceAccount)
		}
	}
	// Direct grants touch only the user and the policy they name; Apply
	// refuses a grant of a missing policy, and no other invariant reads
	// them. Users whose number changes are in the projection, so their
	// grants are too (a policy is deleted only once its users are gone).
	for _, st := range steps {
		if op := st.Op; op.Action == tenant.GrantUser && op.Grant != nil {
			if u := s.UserByUPN(op.User); u != nil && users[lower(u.ObjectID)] {
				policies[lower(policyName(*op.Grant))] = true
			}
		}
	}
	for _, u := range s.Users {
		if users[lower(u.ObjectID)] && u.SharedCallingPolicy != "" {
			policies[lower(policyName(u.SharedCallingPolicy))] = true
		}
	}
	for _, ga := range s.GroupAssignments {
		policies[lower(policyName(ga.PolicyName))] = true
	}
	if s.Tenant.GlobalPolicy != "" {
		policies[lower(policyName(s.Tenant.GlobalPolicy))] = true
	}
	for _, p := range s.Policies {
		if touchedAccounts[lower(p.ResourceAccount)] {
			policies[lower(policyName(p.Identity))] = true
		}
	}

	out := &tenant.Snapshot{Format: s.Format, Lineage: s.Lineage, Serial: s.Serial, Tenant: s.Tenant}
	for _, p := range s.Policies {
		if !policies[lower(policyName(p.Identity))] {
			continue
		}
		p.EmergencyNumbers = append([]string(nil), p.EmergencyNumbers...)
		out.Policies = append(out.Policies, p)
		if p.ResourceAccount != "" {
			accounts[lower(p.ResourceAccount)] = true
		}
		for _, e := range p.EmergencyNumbers {
			numbers[e] = true
		}
	}
	for _, ra := range s.ResourceAccounts {
		if accounts[lower(ra.ObjectID)] {
			out.ResourceAccounts = append(out.ResourceAccounts, ra)
		}
	}
	for _, u := range s.Users {
		if users[lower(u.ObjectID)] {
			out.Users = append(out.Users, u)
		}
	}
	for _, n := range s.Numbers {
		t := lower(n.AssignedPstnTargetID)
		if numbers[n.TelephoneNumber] || accounts[t] || users[t] || policyTargetIncluded(t, policies) {
			n.Capability = append([]string(nil), n.Capability...)
			out.Numbers = append(out.Numbers, n)
		}
	}
	out.Locations = append([]tenant.Location(nil), s.Locations...)
	out.GroupAssignments = append([]tenant.GroupAssignment(nil), s.GroupAssignments...)
	return out
}

func policyTargetIncluded(t string, policies map[string]bool) bool {
	prefix := lower(tenant.PolicyTargetPrefix)
	return strings.HasPrefix(t, prefix) && policies[t[len(prefix):]]
}
