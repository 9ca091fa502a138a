package apply

import (
	"sort"

	"github.com/callops/callops/tenant"
)

// neighborhood is the part of the tenant one step can change, or whose
// invariants it can change: the policies, resource accounts (by ObjectId),
// users (by ObjectId) and numbers the step names; the holder of each named
// number; the policies that use a named account; and for each of those the
// account of every policy, the number every account and user holds and the
// emergency numbers of every policy.
type neighborhood struct {
	policies map[string]bool // policy identity (lower, without Tag:)
	accounts map[string]bool // lower ObjectId
	users    map[string]bool // lower ObjectId
	numbers  map[string]bool
	// groups: the step assigns a group, so the group assignments (at most
	// 64, ranks unique) are part of it. No other step can change them:
	// Apply refuses to delete a policy that groups are assigned.
	groups bool
}

func (sim *simulation) neighborhood(op tenant.Op) *neighborhood {
	s := sim.full
	nb := &neighborhood{policies: map[string]bool{}, accounts: map[string]bool{}, users: map[string]bool{}, numbers: map[string]bool{}}
	var addPolicy func(name string)
	addAccount := func(upnOrID string, withPolicies bool) bool {
		ra := s.ResourceAccountByUPN(upnOrID)
		if ra == nil {
			ra = s.ResourceAccountByID(upnOrID)
		}
		if ra == nil {
			return false
		}
		id := lower(ra.ObjectID)
		nb.accounts[id] = true
		if n := s.NumberHeldBy(ra.ObjectID); n != nil {
			nb.numbers[n.TelephoneNumber] = true
		}
		if withPolicies {
			for p := range sim.usedBy[id] {
				addPolicy(p)
			}
		}
		return true
	}
	addUser := func(upn string) {
		if u := s.UserByUPN(upn); u != nil {
			nb.users[lower(u.ObjectID)] = true
			if n := s.NumberHeldBy(u.ObjectID); n != nil {
				nb.numbers[n.TelephoneNumber] = true
			}
		}
	}
	addPolicy = func(name string) {
		k := lower(policyName(name))
		if nb.policies[k] {
			return
		}
		nb.policies[k] = true
		if p := s.PolicyByIdentity(name); p != nil {
			if p.ResourceAccount != "" {
				addAccount(p.ResourceAccount, false)
			}
			for _, e := range p.EmergencyNumbers {
				nb.numbers[e] = true
			}
		}
	}
	addNumber := func(n string) {
		nb.numbers[n] = true
		switch kind, name := s.Holder(n); kind {
		case tenant.HolderPolicy:
			addPolicy(name)
		case tenant.HolderResourceAccount:
			addAccount(name, true)
		case tenant.HolderUser:
			addUser(name)
		}
	}
	nb.groups = op.Action == tenant.GrantGroup
	if op.Policy != "" {
		addPolicy(op.Policy)
	}
	if op.Grant != nil {
		addPolicy(*op.Grant)
	}
	if op.Number != "" {
		addNumber(op.Number)
	}
	for _, n := range op.Numbers {
		addNumber(n)
	}
	if op.Holder != "" && !addAccount(op.Holder, true) {
		addUser(op.Holder)
	}
	if op.User != "" {
		addUser(op.User)
	}
	if op.ResourceAccount != "" {
		addAccount(op.ResourceAccount, true)
	}
	return nb
}

// snapshot copies the neighborhood out of the simulated tenant, with the
// locations its numbers use (and, for a group step, all group assignments
// and their policies), so that
// CheckInvariants costs what the step touches, not what the tenant holds.
// Objects the neighborhood leaves out can make it report violations that
// are not real (a grant naming a policy it does not hold); they are the
// same before and after the step, and only violations the step adds count.
func (nb *neighborhood) snapshot(s *tenant.Snapshot) *tenant.Snapshot {
	out := &tenant.Snapshot{Format: s.Format, Lineage: s.Lineage, Serial: s.Serial, Tenant: s.Tenant}
	for _, k := range sortedKeys(nb.policies) {
		if p := s.PolicyByIdentity(k); p != nil {
			c := *p
			c.EmergencyNumbers = append([]string(nil), p.EmergencyNumbers...)
			out.Policies = append(out.Policies, c)
		}
	}
	for _, id := range sortedKeys(nb.accounts) {
		if ra := s.ResourceAccountByID(id); ra != nil {
			out.ResourceAccounts = append(out.ResourceAccounts, *ra)
		}
	}
	for _, id := range sortedKeys(nb.users) {
		if u := s.UserByUPN(id); u != nil {
			out.Users = append(out.Users, *u)
		}
	}
	locations := map[string]bool{}
	for _, n := range sortedKeys(nb.numbers) {
		if inv := s.NumberByTelephone(n); inv != nil {
			c := *inv
			c.Capability = append([]string(nil), inv.Capability...)
			out.Numbers = append(out.Numbers, c)
			if l := s.LocationByID(inv.LocationID); l != nil && !locations[lower(l.LocationID)] {
				locations[lower(l.LocationID)] = true
				out.Locations = append(out.Locations, *l)
			}
		}
	}
	if nb.groups {
		out.GroupAssignments = append([]tenant.GroupAssignment(nil), s.GroupAssignments...)
		for _, ga := range s.GroupAssignments {
			if k := lower(policyName(ga.PolicyName)); !nb.policies[k] {
				if p := s.PolicyByIdentity(k); p != nil {
					c := *p
					c.EmergencyNumbers = append([]string(nil), p.EmergencyNumbers...)
					out.Policies = append(out.Policies, c)
					nb.policies[k] = true
				}
			}
		}
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
