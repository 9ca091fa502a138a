package apply

import (
	"fmt"
	"strings"

	"github.com/callops/callops/diff"
	"github.com/callops/callops/internal/phone"
	"github.com/callops/callops/tenant"
)

// graphBuilder turns changes into steps and the dependencies between them
// that DESIGN.md section 5 requires:
//
//  1. a number leaves its old holder (unassign, remove-emergency-numbers)
//     before it joins a new one (assign, add-emergency-numbers, create);
//  2. an emergency number is removed from its policy before it is assigned
//     and before the policy is deleted;
//  3. a resource account's number is assigned and located before a policy
//     is created or updated to use it, or gets emergency numbers that must
//     fit it; the policies using an account give up the emergency numbers
//     they lose before it gets a new number (which may be of another type
//     or country; a policy that moves off it keeping numbers that would not
//     fit gives them all up and gets them back after its move, see
//     misfits);
//  4. a policy is created before numbers, users, groups or the tenant get
//     it, and users, groups and the tenant move onto a policy only once its
//     account has its new number (they keep a working policy meanwhile);
//  5. users, groups and the tenant default leave a policy before it is
//     deleted;
//
// plus group ranks, which are unique at every step: a group takes a rank
// only after the group holding it has left it, and a cycle of ranks goes
// through a temporary rank; and the limit of group assignments, which holds
// at every step: past the free places a new group waits for a removal
// (groupLimit). Rule 6 (short windows) is a preference, not a dependency:
// policies that move off an account, or are deleted, and the users, groups
// and tenant default that leave its policies go before its number is
// unassigned when the dependencies allow (preferBefore); the unassign of a
// holder's old number is placed right before the assign of its new one
// (node.partner); and a cycle opens its long window on the account that
// serves fewest users (node.users).
type graphBuilder struct {
	s  *tenant.Snapshot
	ch *diff.Changes
	g  graph

	// Nodes by lower policy name / lower UPN.
	rm, create, update, add, del map[string]int
	fin                          map[string]int // resource account -> node that sets its final number
	// leave maps a number to the node that frees it.
	leave map[string]int
	// to names the desired holder of a number, for reasons.
	to map[string]string
	// usedBy maps a lower resource account UPN to the lower names of the
	// policies that use it now.
	usedBy map[string][]string
	// finalRA maps a lower policy name to the lower UPN of the account it
	// uses at the end of the plan; curRA to the account it uses now.
	finalRA, curRA map[string]string
	// unassignOf maps a lower resource account UPN to the unassign of its
	// number, when the plan takes its number (it opens the window).
	unassignOf map[string]int
	// replaceAll holds the lower names of policies that give up all their
	// emergency numbers and get them back in order (see misfits).
	replaceAll map[string]bool
	// defaultUsers counts the users granted no policy directly (they get
	// the tenant default); -1 until counted.
	defaultUsers int
}

func newGraphBuilder(s *tenant.Snapshot, ch *diff.Changes) *graphBuilder {
	return &graphBuilder{
		s: s, ch: ch,
		rm: map[string]int{}, create: map[string]int{}, update: map[string]int{}, add: map[string]int{}, del: map[string]int{},
		fin: map[string]int{}, leave: map[string]int{}, to: map[string]string{}, usedBy: map[string][]string{},
		finalRA: map[string]string{}, curRA: map[string]string{}, unassignOf: map[string]int{}, replaceAll: map[string]bool{},
		defaultUsers: -1,
	}
}

func lower(s string) string { return strings.ToLower(s) }

func grantOf(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (b *graphBuilder) build() error {
	for i := range b.s.Policies {
		p := &b.s.Policies[i]
		if p.ResourceAccount == "" {
			continue
		}
		upn := p.ResourceAccount
		if ra := b.s.ResourceAccountByID(p.ResourceAccount); ra != nil {
			upn = ra.UserPrincipalName
		}
		b.usedBy[lower(upn)] = append(b.usedBy[lower(upn)], lower(policyName(p.Identity)))
		b.finalRA[lower(policyName(p.Identity))] = lower(upn)
		b.curRA[lower(policyName(p.Identity))] = lower(upn)
	}
	for _, pc := range b.ch.Policies {
		if pc.After == nil {
			delete(b.finalRA, lower(pc.Name))
		} else {
			b.finalRA[lower(pc.Name)] = lower(pc.After.ResourceAccount)
		}
	}
	b.misfits()
	for _, pc := range b.ch.Policies {
		if pc.After != nil {
			for _, n := range pc.After.EmergencyNumbers {
				b.to[n] = "policy " + pc.Name
			}
		}
	}
	for _, ac := range b.ch.ResourceAccounts {
		b.to[ac.After.Number] = "resource account " + ac.UPN
	}
	for _, uc := range b.ch.UserNumbers {
		b.to[uc.After.Number] = "user " + uc.UPN
	}

	b.policies()
	b.accounts()
	b.userNumbers()
	b.releases()
	b.joins()
	b.grants()
	if err := b.groups(); err != nil {
		return err
	}
	b.tenantDefault()
	return nil
}

func policyName(id string) string {
	if len(id) >= 4 && strings.EqualFold(id[:4], "tag:") {
		return id[4:]
	}
	return id
}

func (b *graphBuilder) policies() {
	for _, pc := range b.ch.Policies {
		k := lower(pc.Name)
		if b.replaceAll[k] {
			pc.RemoveNumbers = pc.Before.EmergencyNumbers
			pc.AddNumbers = pc.After.EmergencyNumbers
		}
		if len(pc.RemoveNumbers) > 0 {
			id := b.g.add(node{
				op:     tenant.Op{Action: tenant.PolicyRemoveEmergency, Policy: pc.Name, Numbers: pc.RemoveNumbers},
				reason: b.removeReason(pc),
				phase:  phaseRemoveEmergency, key: pc.Name,
			})
			b.rm[k] = id
			for _, n := range pc.RemoveNumbers {
				b.leave[n] = id
			}
		}
		switch pc.Kind {
		case diff.Create:
			b.create[k] = b.g.add(node{
				op: tenant.Op{Action: tenant.PolicyCreate, Policy: pc.Name, ResourceAccount: pc.After.ResourceAccount,
					Description: pc.After.Description, Numbers: pc.AddNumbers},
				reason: fmt.Sprintf("policy %s is declared and does not exist", pc.Name),
				phase:  phaseCreate, key: pc.Name,
			})
		case diff.Update:
			if pc.ResourceAccountChanged || pc.DescriptionChanged {
				op := tenant.Op{Action: tenant.PolicyUpdate, Policy: pc.Name}
				var why []string
				if pc.ResourceAccountChanged {
					op.ResourceAccount, op.UpdateResourceAccount = pc.After.ResourceAccount, true
					why = append(why, fmt.Sprintf("resource account changes from %s to %s", orNone(pc.Before.ResourceAccount), pc.After.ResourceAccount))
				}
				if pc.DescriptionChanged {
					op.Description, op.UpdateDescription = pc.After.Description, true
					why = append(why, "description changes")
				}
				id := b.g.add(node{op: op, reason: strings.Join(why, "; "), phase: phaseUpdate, key: pc.Name})
				b.update[k] = id
				b.g.before(idOf(b.rm, k), id)
			}
			if len(pc.AddNumbers) > 0 {
				id := b.g.add(node{
					op:     tenant.Op{Action: tenant.PolicyAddEmergency, Policy: pc.Name, Numbers: pc.AddNumbers},
					reason: b.addReason(pc),
					phase:  phaseAddEmergency, key: pc.Name,
				})
				b.add[k] = id
				b.g.before(idOf(b.rm, k), id)
				b.g.before(idOf(b.update, k), id)
			}
		case diff.Delete:
			id := b.g.add(node{
				op:     tenant.Op{Action: tenant.PolicyDelete, Policy: pc.Name},
				reason: fmt.Sprintf("policy %s is not declared", pc.Name),
				phase:  phaseDelete, key: pc.Name,
			})
			b.del[k] = id
			b.g.before(idOf(b.rm, k), id)
		}
	}
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

// idOf returns m[k], or -1.
func idOf(m map[string]int, k string) int {
	if id, ok := m[k]; ok {
		return id
	}
	return -1
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

func (b *graphBuilder) removeReason(pc diff.PolicyChange) string {
	var moves, dropped, readd []string
	after := map[string]bool{}
	if pc.After != nil {
		for _, n := range pc.After.EmergencyNumbers {
			after[n] = true
		}
	}
	for _, n := range pc.RemoveNumbers {
		switch to, ok := b.to[n]; {
		case ok && !strings.EqualFold(to, "policy "+pc.Name):
			moves = append(moves, fmt.Sprintf("%s moves to %s", n, to))
		case after[n]:
			readd = append(readd, n)
		default:
			dropped = append(dropped, n)
		}
	}
	var why []string
	if pc.Kind == diff.Delete {
		why = append(why, fmt.Sprintf("policy %s is deleted and must give up its emergency numbers first", pc.Name))
	}
	why = append(why, moves...)
	if len(dropped) > 0 && pc.Kind != diff.Delete {
		why = append(why, strings.Join(dropped, ", ")+" "+isAre(len(dropped))+" no longer declared")
	}
	if len(readd) > 0 {
		why = append(why, strings.Join(readd, ", ")+" "+isAre(len(readd))+" added back in the declared order (the service appends)")
	}
	return strings.Join(why, "; ")
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func (b *graphBuilder) addReason(pc diff.PolicyChange) string {
	if len(pc.AddNumbers) == 1 {
		return fmt.Sprintf("%s is declared as an emergency number of policy %s", pc.AddNumbers[0], pc.Name)
	}
	return fmt.Sprintf("%s are declared as emergency numbers of policy %s", strings.Join(pc.AddNumbers, ", "), pc.Name)
}

func (b *graphBuilder) accounts() {
	for _, ac := range b.ch.ResourceAccounts {
		k := lower(ac.UPN)
		if !ac.NumberChanged() {
			b.fin[k] = b.g.add(node{
				op:     tenant.Op{Action: tenant.NumberSetLocation, Number: ac.After.Number, Location: ac.After.Location},
				reason: fmt.Sprintf("the number of resource account %s gets its declared emergency location", ac.UPN),
				phase:  phaseAssign, key: ac.After.Number,
			})
			continue
		}
		as := b.g.add(node{
			op: tenant.Op{Action: tenant.NumberAssign, Number: ac.After.Number, Holder: ac.UPN,
				NumberType: ac.After.Type, Location: ac.After.Location},
			reason: fmt.Sprintf("%s is the declared number of resource account %s", ac.After.Number, ac.UPN),
			phase:  phaseAssign, key: ac.After.Number,
		})
		b.fin[k] = as
		// Policies using the account shed the emergency numbers they lose
		// before its number changes (type or country may change with it).
		for _, p := range b.usedBy[k] {
			b.g.before(idOf(b.rm, p), as)
		}
		if ac.Before.Number != "" {
			un := b.unassign(ac.Before.Number, ac.UPN, as, fmt.Sprintf("resource account %s gets %s instead", ac.UPN, ac.After.Number))
			b.leavingFirst(k, un)
		}
	}
}

// leavingFirst makes the policies that move off account k, or are
// deleted, soft predecessors of the unassign of its number, so that their
// users are not in the window; it marks the unassign staysInUse when a
// policy keeps using the account.
func (b *graphBuilder) leavingFirst(k string, un int) {
	b.unassignOf[k] = un
	def := lower(policyName(orGlobal(b.s.Tenant.GlobalPolicy)))
	for _, p := range b.usedBy[k] {
		b.g.nodes[un].users += b.s.CountUsersOfPolicy(p)
		if p == def {
			b.g.nodes[un].users += b.onDefault()
		}
		switch {
		case hasKey(b.del, p):
			b.g.preferBefore(b.del[p], un)
		case b.finalRA[p] != k && idOf(b.update, p) >= 0:
			b.g.preferBefore(b.update[p], un)
		default:
			b.g.nodes[un].staysInUse = true
		}
	}
}

// onDefault counts the users granted no policy directly: they are on the
// tenant default.
func (b *graphBuilder) onDefault() int {
	if b.defaultUsers < 0 {
		b.defaultUsers = 0
		for _, u := range b.s.Users {
			if u.SharedCallingPolicy == "" || lower(policyName(u.SharedCallingPolicy)) == lower(tenant.GlobalPolicy) {
				b.defaultUsers++
			}
		}
	}
	return b.defaultUsers
}

// misfits finds the policies that move off an account whose number changes
// while keeping emergency numbers that do not fit the account's new number
// (type or country). Between the account's new number and the policy's
// move they would break the policy-number-type or -country invariant, and
// ordering the move first can close a cycle (two policies crossing two
// renumbered accounts), so such a policy gives up all its emergency
// numbers first and gets them back, in order, after its move.
func (b *graphBuilder) misfits() {
	changes := map[string]*diff.PolicyChange{}
	for i := range b.ch.Policies {
		changes[lower(b.ch.Policies[i].Name)] = &b.ch.Policies[i]
	}
	for _, ac := range b.ch.ResourceAccounts {
		if !ac.NumberChanged() {
			continue
		}
		k := lower(ac.UPN)
		newType, newCountry := ac.After.Type, b.countryOf(ac.After.Number)
		for _, p := range b.usedBy[k] {
			pc := changes[p]
			if pc == nil || pc.Kind != diff.Update || !pc.ResourceAccountChanged {
				continue
			}
			after := map[string]bool{}
			for _, e := range pc.After.EmergencyNumbers {
				after[e] = true
			}
			for _, e := range pc.Before.EmergencyNumbers {
				if !after[e] {
					continue // removed anyway
				}
				typ := tenant.TypeDirectRouting // numbers outside the inventory
				if inv := b.s.NumberByTelephone(e); inv != nil {
					typ = inv.NumberType
				}
				c := b.countryOf(e)
				if !strings.EqualFold(typ, newType) || (c != "" && newCountry != "" && c != newCountry) {
					b.replaceAll[p] = true
				}
			}
		}
	}
}

// countryOf is the country of a number as the service sees it (the
// inventory's IsoCountryCode, else the libphonenumber region).
func (b *graphBuilder) countryOf(n string) string {
	if inv := b.s.NumberByTelephone(n); inv != nil && inv.IsoCountryCode != "" {
		return strings.ToUpper(inv.IsoCountryCode)
	}
	p, _ := phone.Parse(n)
	if p.Region == "001" || p.Region == "ZZ" {
		return ""
	}
	return p.Region
}

// unassign adds the unassign of a holder's old number, paired with the
// assign of its new one.
func (b *graphBuilder) unassign(number, holder string, as int, fallback string) int {
	reason := fallback
	if to, ok := b.to[number]; ok {
		reason = fmt.Sprintf("%s moves to %s", number, to)
	}
	un := b.g.add(node{
		op:     tenant.Op{Action: tenant.NumberUnassign, Number: number, Holder: holder},
		reason: reason, phase: phaseUnassign, key: number,
	})
	b.leave[number] = un
	b.g.before(un, as)
	b.g.nodes[un].partner = as
	b.g.nodes[as].closes = true
	b.g.nodes[as].opener = un
	return un
}

func (b *graphBuilder) userNumbers() {
	for _, uc := range b.ch.UserNumbers {
		as := b.g.add(node{
			op: tenant.Op{Action: tenant.NumberAssign, Number: uc.After.Number, Holder: uc.UPN,
				NumberType: uc.After.Type, Location: uc.After.Location},
			reason: fmt.Sprintf("%s is the declared number of user %s", uc.After.Number, uc.UPN),
			phase:  phaseAssign, key: uc.After.Number,
		})
		if uc.Before.Number != "" {
			b.unassign(uc.Before.Number, uc.UPN, as, fmt.Sprintf("user %s gets %s instead", uc.UPN, uc.After.Number))
		}
	}
}

func (b *graphBuilder) releases() {
	for _, r := range b.ch.Releases {
		kind := "user"
		if r.ResourceAccount {
			kind = "resource account"
		}
		id := b.g.add(node{
			op:     tenant.Op{Action: tenant.NumberUnassign, Number: r.Number, Holder: r.Holder},
			reason: fmt.Sprintf("%s moves from %s %s to %s", r.Number, kind, r.Holder, r.To),
			phase:  phaseUnassign, key: r.Number,
		})
		b.leave[r.Number] = id
		if r.ResourceAccount {
			b.leavingFirst(lower(r.Holder), id)
		}
	}
}

// joins adds rule 1 (leave before join) and rule 3 (the account's final
// number before the policy uses it).
func (b *graphBuilder) joins() {
	for i := range b.g.nodes {
		op := b.g.nodes[i].op
		if op.Action == tenant.NumberAssign {
			b.g.before(idOf(b.leave, op.Number), i)
		}
	}
	for _, pc := range b.ch.Policies {
		k := lower(pc.Name)
		var joiner int
		switch {
		case pc.Kind == diff.Create:
			joiner = b.create[k]
		case len(pc.AddNumbers) > 0:
			joiner = b.add[k]
		default:
			joiner = -1
		}
		if joiner >= 0 {
			for _, n := range pc.AddNumbers {
				b.g.before(idOf(b.leave, n), joiner)
			}
		}
		if pc.After == nil {
			continue
		}
		fin := idOf(b.fin, lower(pc.After.ResourceAccount))
		b.g.before(fin, idOf(b.create, k))
		if id := idOf(b.update, k); id >= 0 && b.g.nodes[id].op.UpdateResourceAccount {
			b.g.before(fin, id)
		}
		b.g.before(fin, idOf(b.add, k))
	}
}

func (b *graphBuilder) grants() {
	for _, gc := range b.ch.Grants {
		n := node{op: tenant.Op{Action: tenant.GrantUser, User: gc.User, Grant: grantOf(gc.After)}, key: gc.User}
		switch {
		case gc.After != "":
			n.phase, n.reason = phaseGrantUser, fmt.Sprintf("listed by policy %s", gc.After)
		case hasKey(b.del, lower(gc.Before)):
			n.phase, n.reason = phaseRevokeUser, fmt.Sprintf("policy %s is deleted and the user is listed by no policy", gc.Before)
		default:
			n.phase, n.reason = phaseRevokeUser, fmt.Sprintf("listed by no policy (was granted %s)", gc.Before)
		}
		id := b.g.add(n)
		b.g.before(idOf(b.create, lower(gc.After)), id)
		b.afterFinalNumber(gc.After, id)
		b.g.before(id, idOf(b.del, lower(gc.Before)))
		b.leaveBeforeWindow(gc.Before, gc.After, id)
	}
}

// leaveBeforeWindow makes grant, which moves users, a group or the tenant
// default off policy from onto policy to, a soft predecessor of the
// unassign of the number of from's account, if the plan takes it: they
// then leave before the window opens and are not in it (rule 6), as the
// policy itself does when it moves off the account or is deleted
// (leavingFirst). A soft edge, not a dependency: the grant may have to
// wait for the window to close (to's account gets its new number in the
// same plan, a swap), and a dependency would then close a cycle. Nothing
// is gained when to uses the same account.
func (b *graphBuilder) leaveBeforeWindow(from, to string, grant int) {
	if from == "" {
		return
	}
	k, ok := b.curRA[lower(policyName(from))]
	if !ok {
		return
	}
	un, ok := b.unassignOf[k]
	if !ok {
		return
	}
	if to != "" && (b.curRA[lower(policyName(to))] == k || b.finalRA[lower(policyName(to))] == k) {
		return
	}
	b.g.preferBefore(grant, un)
}

// afterFinalNumber orders a grant of policy after the policy's account
// gets its new number, if it gets one: a user moving onto the policy keeps
// a working policy until the account's window is over.
func (b *graphBuilder) afterFinalNumber(policy string, grant int) {
	if policy == "" {
		return
	}
	if fin := idOf(b.fin, b.finalRA[lower(policy)]); fin >= 0 && b.g.nodes[fin].op.Action == tenant.NumberAssign {
		b.g.before(fin, grant)
	}
}

func (b *graphBuilder) tenantDefault() {
	tc := b.ch.TenantDefault
	if tc == nil {
		return
	}
	n := node{op: tenant.Op{Action: tenant.GrantGlobal, Grant: grantOf(tc.After)}, phase: phaseGrantGlobal, key: "global"}
	switch {
	case tc.After != "":
		n.reason = fmt.Sprintf("tenantDefault is %s", tc.After)
	case hasKey(b.del, lower(tc.Before)):
		n.reason = fmt.Sprintf("policy %s is deleted and is the tenant default: the built-in Global instance takes over", tc.Before)
	default:
		n.reason = "tenantDefault is the built-in Global instance"
	}
	id := b.g.add(n)
	b.g.before(idOf(b.create, lower(tc.After)), id)
	// An empty tenant default is the built-in Global instance, which may
	// use an account too.
	b.afterFinalNumber(orGlobal(tc.After), id)
	b.g.before(id, idOf(b.del, lower(tc.Before)))
	b.leaveBeforeWindow(orGlobal(tc.Before), orGlobal(tc.After), id)
}

// orGlobal names the policy of a tenant default: empty is the built-in
// Global instance.
func orGlobal(policy string) string {
	if policy == "" {
		return tenant.GlobalPolicy
	}
	return policy
}

// groups adds the group assignment changes. Ranks are unique at every
// step: a group that takes a rank another group holds waits until that
// group has moved (its own change frees the rank). Waits form chains and
// cycles (each rank has one holder); each cycle is broken by first moving
// its smallest group to a temporary rank above every rank in use.
func (b *graphBuilder) groups() error {
	changes := b.ch.Groups
	if len(changes) == 0 {
		return nil
	}
	holder := map[int]string{}
	maxRank := 0
	for _, ga := range b.s.GroupAssignments {
		holder[ga.Rank] = lower(ga.GroupID)
		maxRank = max(maxRank, ga.Rank)
	}
	index := map[string]int{}
	ids := make([]int, len(changes))
	for i, gc := range changes {
		index[lower(gc.Group)] = i
		n := node{op: tenant.Op{Action: tenant.GrantGroup, Group: gc.Group}, key: gc.Group}
		if gc.After == nil {
			n.phase = phaseGroupRemove
			n.reason = fmt.Sprintf("assigned by no policy (was %s, rank %d)", gc.Before.Policy, gc.Before.Rank)
			if hasKey(b.del, lower(gc.Before.Policy)) {
				n.reason = fmt.Sprintf("policy %s is deleted and the group is assigned by no policy", gc.Before.Policy)
			}
		} else {
			maxRank = max(maxRank, gc.After.Rank)
			n.phase = phaseGroupGrant
			n.op.Grant, n.op.Rank = grantOf(gc.After.Policy), gc.After.Rank
			n.reason = fmt.Sprintf("assigned policy %s with rank %d", gc.After.Policy, gc.After.Rank)
		}
		ids[i] = b.g.add(n)
		if gc.After != nil {
			b.g.before(idOf(b.create, lower(gc.After.Policy)), ids[i])
			b.afterFinalNumber(gc.After.Policy, ids[i])
		}
		if gc.Before != nil && (gc.After == nil || !strings.EqualFold(gc.Before.Policy, gc.After.Policy)) {
			b.g.before(ids[i], idOf(b.del, lower(gc.Before.Policy)))
			to := ""
			if gc.After != nil {
				to = gc.After.Policy
			}
			b.leaveBeforeWindow(gc.Before.Policy, to, ids[i])
		}
	}
	b.groupLimit(ids)
	waitFor := make([]int, len(changes))
	for i, gc := range changes {
		waitFor[i] = -1
		if gc.After == nil {
			continue
		}
		h, ok := holder[gc.After.Rank]
		if !ok || h == lower(gc.Group) {
			continue
		}
		j, ok := index[h]
		if !ok {
			return fmt.Errorf("group %s can't take rank %d: group %s keeps it", gc.Group, gc.After.Rank, h)
		}
		waitFor[i] = j
	}
	// Find the cycles of waitFor; break each at its smallest group.
	state := make([]int, len(changes)) // 0 new, 1 on the current walk, 2 done
	breakAt := map[int]int{}           // change index -> temp node
	temp := maxRank
	for start := range changes {
		var walk []int
		i := start
		for i >= 0 && state[i] == 0 {
			state[i] = 1
			walk = append(walk, i)
			i = waitFor[i]
		}
		if i >= 0 && state[i] == 1 {
			// walk[k:] is a cycle starting at i.
			k := 0
			for walk[k] != i {
				k++
			}
			cycle := walk[k:]
			c := cycle[0]
			for _, m := range cycle {
				if lower(changes[m].Group) < lower(changes[c].Group) {
					c = m
				}
			}
			temp++
			gc := changes[c]
			breakAt[c] = b.g.add(node{
				op: tenant.Op{Action: tenant.GrantGroup, Group: gc.Group, Grant: grantOf(gc.Before.Policy), Rank: temp},
				reason: fmt.Sprintf("temporary rank %d frees rank %d while ranks are reshuffled (ranks are unique at every step)",
					temp, gc.Before.Rank),
				phase: phaseGroupTemp, key: gc.Group, temp: true,
			})
			b.g.before(breakAt[c], ids[c])
		}
		for _, m := range walk {
			state[m] = 2
		}
	}
	for i, j := range waitFor {
		if j < 0 {
			continue
		}
		if t, ok := breakAt[j]; ok {
			b.g.before(t, ids[i])
		} else {
			b.g.before(ids[j], ids[i])
		}
	}
	return nil
}

// groupLimit keeps the number of group assignments within the service's
// limit (tenant.MaxGroupAssignments) whenever a group is added: when the
// new groups would not all fit beside the current ones, each new group past
// the free places waits for a removal of its own (the k-th such new group
// for the k-th removal), so that at every step the groups added past the
// free places are at most the groups removed. A tenant already over the
// limit (an import can hold one) first needs as many removals as it is
// over: every new group also waits for those. Removals wait for nothing in
// the graph (they take no rank and no policy), so these edges close no
// cycle. diff.Compute refuses a desired state over the limit, so there are
// enough removals.
func (b *graphBuilder) groupLimit(ids []int) {
	var adds, removes []int
	for i, gc := range b.ch.Groups {
		switch {
		case gc.Before == nil && gc.After != nil:
			adds = append(adds, ids[i])
		case gc.Before != nil && gc.After == nil:
			removes = append(removes, ids[i])
		}
	}
	cur := len(b.s.GroupAssignments)
	free := max(0, tenant.MaxGroupAssignments-cur)
	over := max(0, cur-tenant.MaxGroupAssignments)
	for k, add := range adds {
		for j := 0; j < over && j < len(removes); j++ {
			b.g.before(removes[j], add)
		}
		if j := over + k - free; k >= free && j < len(removes) {
			b.g.before(removes[j], add)
		}
	}
}
