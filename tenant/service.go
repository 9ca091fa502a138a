package tenant

import (
	"fmt"
	"strings"

	"github.com/callops/callops/internal/phone"
)

// Apply carries out one operation on the snapshot in memory as the Teams
// service would, or refuses it with a *RefusedError naming the rule and the
// service's reason. A refused operation leaves s unchanged: every check runs
// before the first change.
//
// Sources of the rules: DOMAIN.md (shared-calling-setup.md, the cmdlet pages
// of New-/Set-/Remove-/Grant-CsTeamsSharedCallingRoutingPolicy and
// Set-/Remove-CsPhoneNumberAssignment).
//
// Decisions where the docs are silent:
//   - Granting "Global" to a user (grant.user) is the same as revoking: the
//     user falls back to the tenant default, and "" is stored.
//   - "Global" can't be assigned to a group (refused, policy-global).
//   - grant.group for a group that already has an assignment replaces it
//     (policy and rank); a rank used by another group is refused.
//   - policy.update of "Global" when the snapshot does not list it adds the
//     built-in instance to the snapshot first (it always exists).
//   - Deleting a policy is refused while it lists emergency numbers (the docs
//     do not say deleting releases them).
func (s *Snapshot) Apply(op Op) error {
	x := s.ix()
	var err *RefusedError
	switch op.Action {
	case NumberAssign:
		err = s.numberAssign(x, op)
	case NumberUnassign:
		err = s.numberUnassign(x, op)
	case NumberSetLocation:
		err = s.numberSetLocation(x, op)
	case PolicyCreate:
		err = s.policyCreate(x, op)
	case PolicyUpdate:
		err = s.policyUpdate(x, op)
	case PolicyRemoveEmergency:
		err = s.policyRemoveEmergency(x, op)
	case PolicyAddEmergency:
		err = s.policyAddEmergency(x, op)
	case PolicyDelete:
		err = s.policyDelete(x, op)
	case GrantUser:
		err = s.grantUser(x, op)
	case GrantGroup:
		err = s.grantGroup(x, op)
	case GrantGlobal:
		err = s.grantGlobal(x, op)
	default:
		err = refuse(op, RuleInvalidOp, "unknown action %q", op.Action)
	}
	x.hdr = headersOf(s)
	if err != nil {
		return err
	}
	return nil
}

func refuse(op Op, rule, format string, args ...any) *RefusedError {
	return &RefusedError{Op: op, Rule: rule, Reason: fmt.Sprintf(format, args...)}
}

// holderObject resolves a UPN (or ObjectId) to a user or resource account.
func (s *Snapshot) holderObject(x *index, upn string) (id, name string, user *User, ok bool) {
	if i, found := x.users[lower(upn)]; found {
		u := &s.Users[i]
		return u.ObjectID, u.UserPrincipalName, u, true
	}
	if i, found := x.usersByID[lower(upn)]; found {
		u := &s.Users[i]
		return u.ObjectID, u.UserPrincipalName, u, true
	}
	if i, found := x.ras[lower(upn)]; found {
		ra := &s.ResourceAccounts[i]
		return ra.ObjectID, ra.UserPrincipalName, nil, true
	}
	if i, found := x.rasByID[lower(upn)]; found {
		ra := &s.ResourceAccounts[i]
		return ra.ObjectID, ra.UserPrincipalName, nil, true
	}
	return "", "", nil, false
}

// heldReason words why a held number can't be taken, naming its holder.
func (s *Snapshot) heldReason(number string, kind HolderKind, name string) string {
	switch kind {
	case HolderPolicy:
		return fmt.Sprintf("%s is an emergency number of policy %s: remove it from policy %s first", number, name, name)
	case HolderUser:
		return fmt.Sprintf("%s is assigned to user %s: unassign it first", number, name)
	case HolderResourceAccount:
		return fmt.Sprintf("%s is assigned to resource account %s: unassign it first", number, name)
	}
	return fmt.Sprintf("%s is assigned to object %s", number, name)
}

func (s *Snapshot) numberAssign(x *index, op Op) *RefusedError {
	if op.Number == "" || op.Holder == "" || op.NumberType == "" {
		return refuse(op, RuleInvalidOp, "number.assign needs number, holder and numberType")
	}
	ni, ok := x.numbers[op.Number]
	if !ok {
		return refuse(op, RuleNumberUnknown, "%s is not in the tenant's number inventory", op.Number)
	}
	n := &s.Numbers[ni]
	if strings.EqualFold(n.NumberSource, "OnPremises") {
		return refuse(op, RuleNumberOnPremises, "%s is an on-premises number (NumberSource OnPremises): it is assigned on premises, not online", op.Number)
	}
	if !strings.EqualFold(op.NumberType, n.NumberType) {
		return refuse(op, RuleNumberType, "%s is a %s number, not %s", op.Number, n.NumberType, op.NumberType)
	}
	if kind, name := s.Holder(op.Number); kind != HolderNone {
		return refuse(op, RuleNumberHeld, "%s", s.heldReason(op.Number, kind, name))
	}
	id, name, user, ok := s.holderObject(x, op.Holder)
	if !ok {
		return refuse(op, RuleHolderUnknown, "%s is not a user or resource account of the tenant", op.Holder)
	}
	if tel, has := x.held[lower(id)]; has {
		return refuse(op, RuleHolderHasNumber, "%s already holds %s: unassign it first", name, tel)
	}
	want, status := "VoiceApplicationAssignment", StatusVoiceAppAssigned
	if user != nil {
		want, status = "UserAssignment", StatusUserAssigned
	}
	if len(n.Capability) > 0 && !containsFold(n.Capability, want) {
		return refuse(op, RuleNumberCapability, "%s can't be assigned to %s: its capabilities are %s, not %s",
			op.Number, name, strings.Join(n.Capability, ", "), want)
	}
	if op.Location != "" {
		if _, ok := x.locations[lower(op.Location)]; !ok {
			return refuse(op, RuleLocationUnknown, "location %s is not an emergency location of the tenant", op.Location)
		}
		n.LocationID = s.Locations[x.locations[lower(op.Location)]].LocationID
	}
	n.AssignedPstnTargetID = id
	n.PstnAssignmentStatus = status
	x.held[lower(id)] = n.TelephoneNumber
	if user != nil {
		user.EnterpriseVoiceEnabled = true
	}
	return nil
}

func (s *Snapshot) numberUnassign(x *index, op Op) *RefusedError {
	if op.Number == "" || op.Holder == "" {
		return refuse(op, RuleInvalidOp, "number.unassign needs number and holder")
	}
	ni, ok := x.numbers[op.Number]
	if !ok {
		return refuse(op, RuleNumberUnknown, "%s is not in the tenant's number inventory", op.Number)
	}
	n := &s.Numbers[ni]
	kind, holder := s.Holder(op.Number)
	switch kind {
	case HolderNone:
		return refuse(op, RuleNumberNotHeld, "%s is not assigned to anyone", op.Number)
	case HolderPolicy:
		return refuse(op, RuleNumberHeld, "%s is an emergency number of policy %s: remove it from policy %s instead", op.Number, holder, holder)
	}
	id, name, user, ok := s.holderObject(x, op.Holder)
	if !ok {
		return refuse(op, RuleHolderUnknown, "%s is not a user or resource account of the tenant", op.Holder)
	}
	if !strings.EqualFold(n.AssignedPstnTargetID, id) {
		return refuse(op, RuleNumberNotHeld, "%s is assigned to %s, not to %s", op.Number, holder, name)
	}
	n.AssignedPstnTargetID = ""
	n.PstnAssignmentStatus = StatusUnassigned
	if x.held[lower(id)] == n.TelephoneNumber {
		delete(x.held, lower(id))
	}
	if user != nil {
		// Remove-CsPhoneNumberAssignment turns Enterprise Voice off.
		user.EnterpriseVoiceEnabled = false
	}
	return nil
}

func (s *Snapshot) numberSetLocation(x *index, op Op) *RefusedError {
	if op.Number == "" || op.Location == "" {
		return refuse(op, RuleInvalidOp, "number.set-location needs number and location")
	}
	ni, ok := x.numbers[op.Number]
	if !ok {
		return refuse(op, RuleNumberUnknown, "%s is not in the tenant's number inventory", op.Number)
	}
	li, ok := x.locations[lower(op.Location)]
	if !ok {
		return refuse(op, RuleLocationUnknown, "location %s is not an emergency location of the tenant", op.Location)
	}
	s.Numbers[ni].LocationID = s.Locations[li].LocationID
	return nil
}

// resourceAccountNumber returns the number of a resource account that can
// serve a policy: held, of a usable type, with a known location.
func (s *Snapshot) resourceAccountNumber(x *index, op Op, raUPN string) (*ResourceAccount, *Number, *RefusedError) {
	ra := s.ResourceAccountByUPN(raUPN)
	if ra == nil {
		ra = s.ResourceAccountByID(raUPN)
	}
	if ra == nil {
		return nil, nil, refuse(op, RuleResourceAccount, "%s is not a resource account of the tenant", raUPN)
	}
	n, rule, reason := s.checkRANumber(x, ra)
	if rule != "" {
		return nil, nil, refuse(op, rule, "%s", reason)
	}
	return ra, n, nil
}

// checkRANumber checks that a resource account holds a number a policy can
// use ("the resource account must have a Calling Plan, Operator Connect or
// Direct Routing number, and you must ensure that number has a location
// assigned": shared-calling-setup.md).
func (s *Snapshot) checkRANumber(x *index, ra *ResourceAccount) (*Number, string, string) {
	tel, ok := x.held[lower(ra.ObjectID)]
	if !ok {
		return nil, RuleRANumber, fmt.Sprintf("resource account %s has no phone number: assign it a Calling Plan, Operator Connect or Direct Routing number first", ra.UserPrincipalName)
	}
	n := &s.Numbers[x.numbers[tel]]
	switch {
	case strings.EqualFold(n.NumberType, TypeCallingPlan), strings.EqualFold(n.NumberType, TypeOperatorConnect),
		strings.EqualFold(n.NumberType, TypeDirectRouting):
	default:
		return nil, RuleRANumber, fmt.Sprintf("resource account %s holds %s, a %s number: it needs a Calling Plan, Operator Connect or Direct Routing number", ra.UserPrincipalName, tel, n.NumberType)
	}
	if noLocation(n.LocationID) {
		return nil, RuleRALocation, fmt.Sprintf("number %s of resource account %s has no emergency location: set its location first", tel, ra.UserPrincipalName)
	}
	if _, ok := x.locations[lower(n.LocationID)]; !ok {
		return nil, RuleRALocation, fmt.Sprintf("number %s of resource account %s has location %s, which is not an emergency location of the tenant", tel, ra.UserPrincipalName, n.LocationID)
	}
	return n, "", ""
}

// noLocation reports an empty or all-zero LocationId, which the service
// uses for "no location".
func noLocation(id string) bool {
	return strings.Trim(id, "0-{}") == ""
}

// checkEmergencyFit checks one emergency number against the policy's RA
// number: same number type and country; numbers outside the inventory are
// Direct Routing numbers (Calling Plan and Operator Connect ones must be in
// the inventory).
func (s *Snapshot) checkEmergencyFit(x *index, e string, ra *Number, policy string) (string, string) {
	ei, inInventory := x.numbers[e]
	if !inInventory {
		if !strings.EqualFold(ra.NumberType, TypeDirectRouting) {
			return RuleEmergencyInTenant, fmt.Sprintf("%s is not in the tenant's number inventory: %s emergency numbers of policy %s must be numbers the tenant has",
				e, ra.NumberType, policy)
		}
	} else if t := s.Numbers[ei].NumberType; !strings.EqualFold(t, ra.NumberType) {
		return RulePolicyNumberType, fmt.Sprintf("%s is a %s number but the resource account number %s of policy %s is %s",
			e, t, ra.TelephoneNumber, policy, ra.NumberType)
	}
	ce, cr := s.countryOf(e), s.countryOf(ra.TelephoneNumber)
	if ce != "" && cr != "" && ce != cr {
		return RulePolicyNumberCntry, fmt.Sprintf("%s is a number of %s but the resource account number %s of policy %s is of %s",
			e, ce, ra.TelephoneNumber, policy, cr)
	}
	return "", ""
}

// checkEmergencyAdd checks numbers about to join a policy's emergency list.
func (s *Snapshot) checkEmergencyAdd(x *index, op Op, policy string, ra *Number, current, add []string) *RefusedError {
	seen := make(map[string]bool, len(current)+len(add))
	for _, e := range current {
		seen[e] = true
	}
	for _, e := range add {
		if seen[e] {
			if containsExact(current, e) {
				return refuse(op, RuleEmergencyDuplicate, "%s is already an emergency number of policy %s", e, policy)
			}
			return refuse(op, RuleEmergencyDuplicate, "%s is listed twice", e)
		}
		seen[e] = true
		if strings.Contains(e, ";") {
			return refuse(op, RuleEmergencyExtension, "emergency number %s has an extension: emergency numbers are plain E.164", e)
		}
		if !isE164(e) {
			return refuse(op, RuleNumberFormat, "emergency number %q is not an E.164 number", e)
		}
		switch kind, name := s.Holder(e); kind {
		case HolderNone:
		case HolderPolicy:
			return refuse(op, RuleEmergencyReused, "%s", s.heldReason(e, kind, name))
		case HolderUser, HolderResourceAccount:
			return refuse(op, RuleEmergencyAssigned, "%s", s.heldReason(e, kind, name))
		default:
			return refuse(op, RuleNumberHeld, "%s", s.heldReason(e, kind, name))
		}
		if rule, reason := s.checkEmergencyFit(x, e, ra, policy); rule != "" {
			return refuse(op, rule, "%s", reason)
		}
	}
	return nil
}

// holdEmergency records numbers as emergency numbers of a policy.
func (s *Snapshot) holdEmergency(x *index, key, identity string, numbers []string) {
	for _, e := range numbers {
		x.emergency[e] = key
		if i, ok := x.numbers[e]; ok {
			s.Numbers[i].AssignedPstnTargetID = PolicyTargetPrefix + identity
			s.Numbers[i].PstnAssignmentStatus = StatusPolicyAssigned
		}
	}
}

// releaseEmergency frees numbers a policy no longer lists.
func (s *Snapshot) releaseEmergency(x *index, key string, numbers []string) {
	for _, e := range numbers {
		if x.emergency[e] == key {
			delete(x.emergency, e)
		}
		if i, ok := x.numbers[e]; ok {
			n := &s.Numbers[i]
			if isPolicyTarget(n.AssignedPstnTargetID) && policyKey(n.AssignedPstnTargetID[len(PolicyTargetPrefix):]) == key {
				n.AssignedPstnTargetID = ""
				n.PstnAssignmentStatus = StatusUnassigned
			}
		}
	}
}

// policyName strips the "Tag:" prefix the service shows on instances.
func PolicyName(id string) string {
	if len(id) >= 4 && strings.EqualFold(id[:4], "tag:") {
		return id[4:]
	}
	return id
}

func (s *Snapshot) policyCreate(x *index, op Op) *RefusedError {
	name := PolicyName(op.Policy)
	if name == "" || op.ResourceAccount == "" {
		return refuse(op, RuleInvalidOp, "policy.create needs policy and resourceAccount")
	}
	key := policyKey(name)
	if key == lower(GlobalPolicy) {
		return refuse(op, RulePolicyGlobal, "the Global policy always exists and can't be created")
	}
	if i, ok := x.policies[key]; ok {
		return refuse(op, RulePolicyExists, "policy %s already exists", s.Policies[i].Identity)
	}
	ra, raNum, err := s.resourceAccountNumber(x, op, op.ResourceAccount)
	if err != nil {
		return err
	}
	if err := s.checkEmergencyAdd(x, op, name, raNum, nil, op.Numbers); err != nil {
		return err
	}
	s.Policies = append(s.Policies, Policy{
		Identity:         name,
		Description:      op.Description,
		ResourceAccount:  ra.ObjectID,
		EmergencyNumbers: append([]string{}, op.Numbers...),
	})
	x.policies[key] = len(s.Policies) - 1
	s.holdEmergency(x, key, name, op.Numbers)
	return nil
}

// policyFor finds the policy of an operation; the built-in Global instance
// is added to the snapshot when asked for and missing (it always exists).
func (s *Snapshot) policyFor(x *index, op Op, materializeGlobal bool) (*Policy, string, *RefusedError) {
	name := PolicyName(op.Policy)
	if name == "" {
		return nil, "", refuse(op, RuleInvalidOp, "%s needs policy", op.Action)
	}
	key := policyKey(name)
	i, ok := x.policies[key]
	if !ok {
		if key != lower(GlobalPolicy) || !materializeGlobal {
			return nil, "", refuse(op, RulePolicyUnknown, "policy %s does not exist", name)
		}
		s.Policies = append(s.Policies, Policy{Identity: GlobalPolicy, EmergencyNumbers: []string{}})
		i = len(s.Policies) - 1
		x.policies[key] = i
	}
	return &s.Policies[i], key, nil
}

func (s *Snapshot) policyUpdate(x *index, op Op) *RefusedError {
	if op.UpdateResourceAccount && op.ResourceAccount == "" {
		return refuse(op, RuleInvalidOp, "policy.update of the resource account needs resourceAccount")
	}
	if policyKey(op.Policy) == lower(GlobalPolicy) && !x.has(x.policies, GlobalPolicy) {
		// Check before adding the built-in instance, so that a refusal
		// leaves the snapshot unchanged.
		if op.UpdateResourceAccount {
			if _, _, err := s.resourceAccountNumber(x, op, op.ResourceAccount); err != nil {
				return err
			}
		}
	}
	p, _, err := s.policyFor(x, op, true)
	if err != nil {
		return err
	}
	var raID string
	if op.UpdateResourceAccount {
		ra, raNum, err := s.resourceAccountNumber(x, op, op.ResourceAccount)
		if err != nil {
			return err
		}
		for _, e := range p.EmergencyNumbers {
			if rule, reason := s.checkEmergencyFit(x, e, raNum, p.Identity); rule != "" {
				return refuse(op, rule, "%s", reason)
			}
		}
		raID = ra.ObjectID
	}
	if op.UpdateResourceAccount {
		p.ResourceAccount = raID
	}
	if op.UpdateDescription {
		p.Description = op.Description
	}
	return nil
}

func (x *index) has(m map[string]int, key string) bool {
	_, ok := m[lower(key)]
	return ok
}

func (s *Snapshot) policyRemoveEmergency(x *index, op Op) *RefusedError {
	p, key, err := s.policyFor(x, op, false)
	if err != nil {
		return err
	}
	if len(op.Numbers) == 0 {
		return refuse(op, RuleInvalidOp, "policy.remove-emergency-numbers needs numbers")
	}
	drop := make(map[string]bool, len(op.Numbers))
	for _, e := range op.Numbers {
		if drop[e] {
			return refuse(op, RuleEmergencyDuplicate, "%s is listed twice", e)
		}
		drop[e] = true
		if !containsExact(p.EmergencyNumbers, e) {
			return refuse(op, RuleEmergencyNotListed, "%s is not an emergency number of policy %s", e, p.Identity)
		}
	}
	kept := p.EmergencyNumbers[:0:0]
	for _, e := range p.EmergencyNumbers {
		if !drop[e] {
			kept = append(kept, e)
		}
	}
	if kept == nil {
		kept = []string{}
	}
	p.EmergencyNumbers = kept
	s.releaseEmergency(x, key, op.Numbers)
	return nil
}

func (s *Snapshot) policyAddEmergency(x *index, op Op) *RefusedError {
	p, key, err := s.policyFor(x, op, false)
	if err != nil {
		return err
	}
	if len(op.Numbers) == 0 {
		return refuse(op, RuleInvalidOp, "policy.add-emergency-numbers needs numbers")
	}
	if p.ResourceAccount == "" {
		return refuse(op, RuleResourceAccount, "policy %s has no resource account", p.Identity)
	}
	ra := s.ResourceAccountByID(p.ResourceAccount)
	if ra == nil {
		return refuse(op, RuleResourceAccount, "resource account %s of policy %s does not exist", p.ResourceAccount, p.Identity)
	}
	raNum, rule, reason := s.checkRANumber(x, ra)
	if rule != "" {
		return refuse(op, rule, "%s", reason)
	}
	if err := s.checkEmergencyAdd(x, op, p.Identity, raNum, p.EmergencyNumbers, op.Numbers); err != nil {
		return err
	}
	p.EmergencyNumbers = append(append([]string{}, p.EmergencyNumbers...), op.Numbers...)
	s.holdEmergency(x, key, p.Identity, op.Numbers)
	return nil
}

func (s *Snapshot) policyDelete(x *index, op Op) *RefusedError {
	if policyKey(op.Policy) == lower(GlobalPolicy) {
		return refuse(op, RulePolicyGlobal, "the Global policy can't be deleted")
	}
	p, key, err := s.policyFor(x, op, false)
	if err != nil {
		return err
	}
	if len(p.EmergencyNumbers) > 0 {
		return refuse(op, RulePolicyHasNumbers, "policy %s still has emergency numbers %s: remove them first",
			p.Identity, strings.Join(p.EmergencyNumbers, ", "))
	}
	if n := len(x.policyUsers[key]); n > 0 {
		return refuse(op, RulePolicyInUse, "policy %s is still granted to %d user(s) (%s): revoke it first",
			p.Identity, n, sample(s.UsersOfPolicy(p.Identity)))
	}
	if n := x.policyGroups[key]; n > 0 {
		return refuse(op, RulePolicyInUse, "policy %s is still assigned to %d group(s) (%s): remove the group assignments first",
			p.Identity, n, sample(s.GroupsOfPolicy(p.Identity)))
	}
	if s.Tenant.GlobalPolicy != "" && policyKey(s.Tenant.GlobalPolicy) == key {
		return refuse(op, RulePolicyInUse, "policy %s is the tenant's global policy: grant another policy globally first", p.Identity)
	}
	i := x.policies[key]
	s.Policies = append(s.Policies[:i:i], s.Policies[i+1:]...)
	// Only the policies after i moved: renumbering them, not rebuilding the
	// lookup, keeps a plan's deletes from costing deletes x policies.
	delete(x.policies, key)
	for j := i; j < len(s.Policies); j++ {
		x.policies[policyKey(s.Policies[j].Identity)] = j
	}
	return nil
}

// sample lists at most three names, for reasons that must stay short.
func sample(names []string) string {
	if len(names) > 3 {
		return strings.Join(names[:3], ", ") + ", ..."
	}
	return strings.Join(names, ", ")
}

// grantTarget resolves the policy of a grant: "" for nil and for the
// built-in Global instance, else the policy's identity as stored.
func (s *Snapshot) grantTarget(x *index, op Op) (string, *RefusedError) {
	if op.Grant == nil {
		return "", nil
	}
	key := policyKey(*op.Grant)
	if key == lower(GlobalPolicy) {
		return "", nil
	}
	i, ok := x.policies[key]
	if !ok {
		return "", refuse(op, RulePolicyUnknown, "policy %s does not exist", PolicyName(*op.Grant))
	}
	return s.Policies[i].Identity, nil
}

func (s *Snapshot) grantUser(x *index, op Op) *RefusedError {
	if op.User == "" {
		return refuse(op, RuleInvalidOp, "grant.user needs user")
	}
	ui, ok := x.users[lower(op.User)]
	if !ok {
		if ui, ok = x.usersByID[lower(op.User)]; !ok {
			return refuse(op, RuleUserUnknown, "%s is not a user of the tenant", op.User)
		}
	}
	to, err := s.grantTarget(x, op)
	if err != nil {
		return err
	}
	u := &s.Users[ui]
	if u.SharedCallingPolicy != "" {
		x.revokeUser(policyKey(u.SharedCallingPolicy), ui)
	}
	u.SharedCallingPolicy = to
	if to != "" {
		x.grantUser(policyKey(to), ui)
	}
	return nil
}

func (s *Snapshot) grantGroup(x *index, op Op) *RefusedError {
	if op.Group == "" {
		return refuse(op, RuleInvalidOp, "grant.group needs group")
	}
	gi, exists := x.groups[lower(op.Group)]
	if op.Grant == nil {
		if !exists {
			return refuse(op, RuleGroupUnassigned, "group %s has no Shared Calling policy assignment", op.Group)
		}
		s.GroupAssignments = append(s.GroupAssignments[:gi:gi], s.GroupAssignments[gi+1:]...)
		x.reindexGroups(s)
		return nil
	}
	if policyKey(*op.Grant) == lower(GlobalPolicy) {
		return refuse(op, RulePolicyGlobal, "the Global policy can't be assigned to a group")
	}
	to, err := s.grantTarget(x, op)
	if err != nil {
		return err
	}
	if op.Rank < 1 {
		return refuse(op, RuleGroupRank, "rank %d is not positive", op.Rank)
	}
	if j, used := x.ranks[op.Rank]; used && (!exists || j != gi) {
		return refuse(op, RuleGroupRank, "rank %d is already used by group %s (policy %s)",
			op.Rank, s.GroupAssignments[j].GroupID, s.GroupAssignments[j].PolicyName)
	}
	if exists {
		s.GroupAssignments[gi].PolicyName = to
		s.GroupAssignments[gi].Rank = op.Rank
	} else {
		if len(s.GroupAssignments) >= MaxGroupAssignments {
			return refuse(op, RuleGroupLimit, "the tenant already has %d group assignments of this policy type, the most the service allows", len(s.GroupAssignments))
		}
		s.GroupAssignments = append(s.GroupAssignments, GroupAssignment{GroupID: op.Group, PolicyName: to, Rank: op.Rank})
	}
	x.reindexGroups(s)
	return nil
}

func (s *Snapshot) grantGlobal(x *index, op Op) *RefusedError {
	to, err := s.grantTarget(x, op)
	if err != nil {
		return err
	}
	s.Tenant.GlobalPolicy = to
	return nil
}

func containsFold(list []string, v string) bool {
	for _, s := range list {
		if strings.EqualFold(s, v) {
			return true
		}
	}
	return false
}

func containsExact(list []string, v string) bool {
	for _, s := range list {
		if s == v {
			return true
		}
	}
	return false
}

// isE164 reports a plain E.164 number: "+" and 8 to 15 digits, no leading 0,
// no extension.
func isE164(n string) bool {
	return !strings.Contains(n, ";") && phone.CheckE164(n) == nil
}
