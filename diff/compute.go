package diff

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// Compute returns what must change for the tenant s to match the desired
// state d, within callops' scope of management (DESIGN.md section 2):
//
//   - Policies are authoritative: a policy in s and not in d is deleted,
//     except the built-in Global instance, which is never deleted and is
//     managed only when d declares it (an undeclared Global only gives up
//     emergency numbers that d gives to another holder).
//   - Grants are authoritative for managed policies: a user or group
//     assigned a managed policy in s and listed by no policy of d loses it.
//   - Resource accounts and userNumbers users are managed only where
//     declared (their number, and an account's location when it names
//     one; an account without a location keeps the location its number
//     has in the inventory).
//   - A number d gives to a holder is taken from whoever holds it now,
//     declared or not (see Release).
//   - The tenant default: an absent tenantDefault leaves the tenant default
//     alone, unless it names a policy that is being deleted, in which case
//     it is cleared (reset to the built-in Global instance), because the
//     policy cannot be deleted while it is the default. tenantDefault:
//     "Global" means the built-in instance.
//
// Names are compared as the service compares them: UPNs, object ids,
// policy identities (with or without "Tag:"), LocationIds and group ids
// case-insensitively, numbers exactly.
//
// Compute returns a *ResolveError listing every reference that does not
// resolve against s (a resource account, user or location the tenant does
// not have, a number not in its inventory or of another type, a number
// held by an object callops cannot address), every conflict no plan can
// carry out (a number given to two holders, a user or group granted twice,
// duplicate group ranks) and every final configuration the service would
// refuse in any order (see checkFit). It never modifies d or s.
func Compute(d *schema.Desired, s *tenant.Snapshot) (*Changes, error) {
	if d == nil || s == nil {
		return nil, errors.New("computing changes: nil desired state or snapshot")
	}
	if p, ok := otherTenant(d, s); ok {
		return nil, &ResolveError{Problems: []Problem{p}}
	}
	c := &computer{d: d, s: s, out: &Changes{}}
	c.index()
	c.checkLocations()
	c.collectHolders()
	c.accounts()
	c.userNumbers()
	c.policies()
	c.grants()
	c.groups()
	c.tenantDefault()
	if len(c.problems) == 0 {
		c.checkFit()
	}
	if len(c.problems) > 0 {
		sortProblems(c.problems)
		return nil, &ResolveError{Problems: c.problems}
	}
	c.sortOutput()
	return c.out, nil
}

// otherTenant reports a desired state written for another tenant than the
// state's: both name a tenant domain and the names differ (ignoring case and
// a final dot). Nothing else is compared then: every user and account of
// one tenant is unknown to the other, and a plan between them would replace
// one tenant's configuration with another's. An empty domain on either side
// (an import that found none) is not compared.
func otherTenant(d *schema.Desired, s *tenant.Snapshot) (Problem, bool) {
	if !tenant.OtherDomain(d.Domain, s.Tenant.Domain) {
		return Problem{}, false
	}
	return Problem{
		Path: schema.Path("tenant", "domain"), Pos: d.DomainPos,
		Message: tenant.OtherTenantMessage(d.Domain, s.Tenant.Domain),
	}, true
}

// holderRef names a desired holder of a number.
type holderRef struct {
	kind tenant.HolderKind
	key  string // lower UPN or lower policy identity
	name string // as written
	path []any  // elements of the CUE path, joined only for a problem
	pos  schema.Pos
}

func (h holderRef) String() string {
	switch h.kind {
	case tenant.HolderPolicy:
		return "policy " + h.name
	case tenant.HolderResourceAccount:
		return "resource account " + h.name
	case tenant.HolderUser:
		return "user " + h.name
	}
	return h.name
}

type computer struct {
	d   *schema.Desired
	s   *tenant.Snapshot
	out *Changes

	problems []Problem

	policies_      map[string]*schema.Policy // lower identity -> declared policy
	accounts_      map[string]bool           // lower UPN of declared resource accounts
	users_         map[string]bool           // lower UPN of declared userNumbers
	globalDeclared bool

	// desired maps a number to the holder d gives it to.
	desired map[string]holderRef
	// takeFromPolicy maps a lower policy identity to the numbers d gives
	// to another holder (used for an undeclared Global).
	takeFromPolicy map[string]map[string]bool
}

func (c *computer) problem(path string, pos schema.Pos, format string, args ...any) {
	c.problems = append(c.problems, Problem{Path: path, Pos: pos, Message: fmt.Sprintf(format, args...)})
}

func lower(s string) string { return strings.ToLower(s) }

// policyKey is the comparison key of a policy identity.
func policyKey(id string) string { return lower(tenant.PolicyName(id)) }

func isGlobal(name string) bool {
	return strings.EqualFold(tenant.PolicyName(name), schema.GlobalPolicy)
}

// noLocation reports whether a LocationId means "no location" (empty or
// the all-zero GUID, as real exports write it).
func noLocation(id string) bool {
	return strings.Trim(id, "0-{}") == ""
}

func normLocation(id string) string {
	if noLocation(id) {
		return ""
	}
	return id
}

func (c *computer) index() {
	d := c.d
	// Keys that differ only in case name one object to the service: the
	// one written later is a problem (as lint's declared-twice reports it)
	// and is left out of the lookups.
	later := map[int]bool{}
	for _, dup := range schema.CaseDuplicates(len(d.Policies), func(i int) (string, schema.Pos) { return d.Policies[i].Name, d.Policies[i].Pos }) {
		p := &d.Policies[dup.Later]
		c.problem(schema.Path("policies", p.Name), p.Pos, "policy %s is declared twice (names are case-insensitive)", p.Name)
		later[dup.Later] = true
	}
	c.policies_ = make(map[string]*schema.Policy, len(d.Policies))
	for i := range d.Policies {
		p := &d.Policies[i]
		if later[i] {
			continue
		}
		k := policyKey(p.Name)
		if _, dup := c.policies_[k]; dup { // "Tag:X" and "X", which the schema's keys can't be
			c.problem(schema.Path("policies", p.Name), p.Pos, "policy %s is declared twice (names are case-insensitive)", p.Name)
			continue
		}
		c.policies_[k] = p
		if isGlobal(p.Name) {
			c.globalDeclared = true
		}
	}
	c.accounts_ = make(map[string]bool, len(d.ResourceAccounts))
	for _, ra := range d.ResourceAccounts {
		c.accounts_[lower(ra.UPN)] = true
	}
	for _, dup := range schema.CaseDuplicates(len(d.ResourceAccounts), func(i int) (string, schema.Pos) {
		return d.ResourceAccounts[i].UPN, d.ResourceAccounts[i].Pos
	}) {
		ra := &d.ResourceAccounts[dup.Later]
		c.problem(schema.Path("resourceAccounts", ra.UPN), ra.Pos, "resource account %s is declared twice (UPNs are case-insensitive)", ra.UPN)
	}
	c.users_ = make(map[string]bool, len(d.UserNumbers))
	for _, u := range d.UserNumbers {
		c.users_[lower(u.UPN)] = true
	}
	for _, dup := range schema.CaseDuplicates(len(d.UserNumbers), func(i int) (string, schema.Pos) {
		return d.UserNumbers[i].UPN, d.UserNumbers[i].Pos
	}) {
		u := &d.UserNumbers[dup.Later]
		c.problem(schema.Path("userNumbers", u.UPN), u.Pos, "user %s is declared twice (UPNs are case-insensitive)", u.UPN)
	}
}

// managed reports whether a policy of the state (or a grant naming it) is
// within callops' authority: every policy but an undeclared Global.
func (c *computer) managed(name string) bool {
	return !isGlobal(name) || c.globalDeclared
}

// declaredPolicy returns the declared policy named name, or nil.
func (c *computer) declaredPolicy(name string) *schema.Policy {
	return c.policies_[policyKey(name)]
}

func (c *computer) checkLocations() {
	for _, l := range c.d.Locations {
		if c.s.LocationByID(l.ID) == nil {
			c.problem(schema.Path("locations", l.Key, "id"), l.IDPos,
				"location %s: LocationId %s is not in the tenant (callops never creates LIS locations)", l.Key, l.ID)
		}
	}
}

// collectHolders records the holder d gives each number, reports numbers
// given twice, and finds the numbers that leave undeclared holders.
func (c *computer) collectHolders() {
	c.desired = map[string]holderRef{}
	c.takeFromPolicy = map[string]map[string]bool{}
	add := func(n string, h holderRef) {
		if prev, ok := c.desired[n]; ok {
			if prev.kind == h.kind && prev.key == h.key {
				c.problem(schema.Path(h.path...), h.pos, "%s lists %s twice", h, n)
			} else {
				c.problem(schema.Path(h.path...), h.pos, "%s is given to %s and to %s (a number has one holder)", n, prev, h)
			}
			return
		}
		c.desired[n] = h
	}
	for _, ra := range c.d.ResourceAccounts {
		add(ra.Number, holderRef{tenant.HolderResourceAccount, lower(ra.UPN), ra.UPN,
			[]any{"resourceAccounts", ra.UPN, "number"}, ra.NumberPos})
	}
	for _, u := range c.d.UserNumbers {
		add(u.Number, holderRef{tenant.HolderUser, lower(u.UPN), u.UPN,
			[]any{"userNumbers", u.UPN, "number"}, u.NumberPos})
	}
	for _, p := range c.d.Policies {
		for i, e := range p.EmergencyNumbers {
			add(e.Value, holderRef{tenant.HolderPolicy, policyKey(p.Name), p.Name,
				[]any{"policies", p.Name, "emergencyNumbers", i}, e.Pos})
		}
	}
	numbers := make([]string, 0, len(c.desired))
	for n := range c.desired {
		numbers = append(numbers, n)
	}
	sort.Strings(numbers)
	for _, n := range numbers {
		h := c.desired[n]
		kind, name := c.s.Holder(n)
		switch kind {
		case tenant.HolderNone:
		case tenant.HolderUnknown:
			c.problem(schema.Path(h.path...), h.pos, "%s is held by %s, an object callops does not manage; unassign it first", n, name)
		case tenant.HolderPolicy:
			if policyKey(name) != h.key || h.kind != tenant.HolderPolicy {
				k := policyKey(name)
				if c.takeFromPolicy[k] == nil {
					c.takeFromPolicy[k] = map[string]bool{}
				}
				c.takeFromPolicy[k][n] = true
			}
		case tenant.HolderUser, tenant.HolderResourceAccount:
			if h.kind == kind && h.key == lower(name) {
				continue
			}
			isRA := kind == tenant.HolderResourceAccount
			if (isRA && c.accounts_[lower(name)]) || (!isRA && c.users_[lower(name)]) {
				continue // the declared holder's own change releases it
			}
			c.out.Releases = append(c.out.Releases, Release{Number: n, Holder: name, ResourceAccount: isRA, To: h.String()})
		}
	}
}

func (c *computer) current(objectID string) NumberAssignment {
	n := c.s.NumberHeldBy(objectID)
	if n == nil {
		return NumberAssignment{}
	}
	return NumberAssignment{Number: n.TelephoneNumber, Type: n.NumberType, Location: normLocation(n.LocationID)}
}

// checkInventory reports a number d assigns to a user or account that the
// inventory does not have, or has with another type.
func (c *computer) checkInventory(number, typ, path string, pos, typePos schema.Pos) {
	inv := c.s.NumberByTelephone(number)
	if inv == nil {
		c.problem(path, pos, "%s is not in the tenant's number inventory", number)
		return
	}
	if !strings.EqualFold(inv.NumberType, typ) {
		c.problem(path, typePos, "%s is a %s number in the tenant, not %s", number, inv.NumberType, typ)
	}
}

func (c *computer) accounts() {
	for _, ra := range c.d.ResourceAccounts {
		path := schema.Path("resourceAccounts", ra.UPN)
		acc := c.s.ResourceAccountByUPN(ra.UPN)
		if acc == nil {
			c.problem(path, ra.Pos, "resource account %s is not in the tenant (callops never creates resource accounts)", ra.UPN)
			continue
		}
		c.checkInventory(ra.Number, ra.Type, path+".number", ra.NumberPos, ra.TypePos)
		before := c.current(acc.ObjectID)
		after := NumberAssignment{Number: ra.Number, Type: ra.Type}
		if ra.Location != "" {
			loc, ok := c.d.Location(ra.Location)
			if !ok {
				c.problem(path+".location", ra.LocationPos, "location %s is not declared", ra.Location)
				continue
			}
			after.Location = loc.ID
		} else if before.Number == after.Number {
			after.Location = before.Location // location unmanaged: keep it
		} else if inv := c.s.NumberByTelephone(ra.Number); inv != nil && c.s.LocationByID(normLocation(inv.LocationID)) != nil {
			// Location unmanaged: the number keeps the location the
			// inventory gives it (the service keeps it on assignment).
			// A LocationId the state's locations lack is not passed on:
			// the service would refuse it, and the number is then one
			// without a known location, as lint sees it.
			after.Location = normLocation(inv.LocationID)
		}
		if before.Number == after.Number && strings.EqualFold(before.Location, after.Location) {
			continue
		}
		if before.Number == after.Number && after.Location == "" {
			continue
		}
		c.out.ResourceAccounts = append(c.out.ResourceAccounts, AccountChange{UPN: acc.UserPrincipalName, Before: before, After: after})
	}
}

func (c *computer) userNumbers() {
	for _, un := range c.d.UserNumbers {
		path := schema.Path("userNumbers", un.UPN)
		u := c.s.UserByUPN(un.UPN)
		if u == nil {
			c.problem(path, un.Pos, "user %s is not in the tenant", un.UPN)
			continue
		}
		c.checkInventory(un.Number, un.Type, path+".number", un.NumberPos, un.TypePos)
		before := c.current(u.ObjectID)
		if before.Number == un.Number {
			continue
		}
		c.out.UserNumbers = append(c.out.UserNumbers, UserNumberChange{
			UPN: u.UserPrincipalName, Before: before,
			After: NumberAssignment{Number: un.Number, Type: un.Type},
		})
	}
}

// accountUPN names a policy's resource account (an ObjectId in the state)
// by its UPN, or returns the raw id when the state does not list it.
func (c *computer) accountUPN(objectID string) string {
	if objectID == "" {
		return ""
	}
	if ra := c.s.ResourceAccountByID(objectID); ra != nil {
		return ra.UserPrincipalName
	}
	return objectID
}

func (c *computer) fieldsOf(p *tenant.Policy) *PolicyFields {
	return &PolicyFields{
		ResourceAccount:  c.accountUPN(p.ResourceAccount),
		Description:      p.Description,
		EmergencyNumbers: append([]string{}, p.EmergencyNumbers...),
	}
}

func (c *computer) policies() {
	for i := range c.d.Policies {
		p := &c.d.Policies[i]
		path := schema.Path("policies", p.Name)
		ra := c.s.ResourceAccountByUPN(p.ResourceAccount)
		if ra == nil {
			c.problem(path+".resourceAccount", p.ResourceAccountPos,
				"resource account %s is not in the tenant (callops never creates resource accounts)", p.ResourceAccount)
			continue
		}
		after := &PolicyFields{ResourceAccount: ra.UserPrincipalName, Description: p.Description}
		for _, e := range p.EmergencyNumbers {
			after.EmergencyNumbers = append(after.EmergencyNumbers, e.Value)
		}
		if after.EmergencyNumbers == nil {
			after.EmergencyNumbers = []string{}
		}
		sp := c.s.PolicyByIdentity(p.Name)
		if sp == nil && !isGlobal(p.Name) {
			c.out.Policies = append(c.out.Policies, PolicyChange{
				Name: p.Name, Kind: Create, After: after,
				AddNumbers: append([]string(nil), after.EmergencyNumbers...),
			})
			continue
		}
		before := &PolicyFields{EmergencyNumbers: []string{}}
		if sp != nil {
			before = c.fieldsOf(sp)
		}
		pc := PolicyChange{Name: p.Name, Kind: Update, Before: before, After: after}
		pc.ResourceAccountChanged = !strings.EqualFold(before.ResourceAccount, after.ResourceAccount)
		pc.DescriptionChanged = before.Description != after.Description
		pc.RemoveNumbers, pc.AddNumbers = EmergencyEdit(before.EmergencyNumbers, after.EmergencyNumbers)
		if pc.ResourceAccountChanged || pc.DescriptionChanged || len(pc.RemoveNumbers) > 0 || len(pc.AddNumbers) > 0 {
			c.out.Policies = append(c.out.Policies, pc)
		}
	}
	for i := range c.s.Policies {
		sp := &c.s.Policies[i]
		if c.declaredPolicy(sp.Identity) != nil {
			continue
		}
		before := c.fieldsOf(sp)
		if isGlobal(sp.Identity) {
			// Undeclared Global: unmanaged, but it gives up numbers that
			// d gives to another holder.
			take := c.takeFromPolicy[policyKey(sp.Identity)]
			if len(take) == 0 {
				continue
			}
			after := &PolicyFields{ResourceAccount: before.ResourceAccount, Description: before.Description, EmergencyNumbers: []string{}}
			for _, e := range before.EmergencyNumbers {
				if !take[e] {
					after.EmergencyNumbers = append(after.EmergencyNumbers, e)
				}
			}
			rm, add := EmergencyEdit(before.EmergencyNumbers, after.EmergencyNumbers)
			c.out.Policies = append(c.out.Policies, PolicyChange{Name: tenant.PolicyName(sp.Identity), Kind: Update,
				Before: before, After: after, RemoveNumbers: rm, AddNumbers: add})
			continue
		}
		c.out.Policies = append(c.out.Policies, PolicyChange{
			Name: tenant.PolicyName(sp.Identity), Kind: Delete, Before: before,
			RemoveNumbers: append([]string(nil), before.EmergencyNumbers...),
		})
	}
}

// EmergencyEdit returns how an emergency number list before becomes after
// with the service's two edits, "remove" and "add" (which appends): the
// numbers to remove, in before's order, and the numbers to add, in after's
// order. The longest common prefix of before's kept numbers and after is
// left alone; everything behind it is removed and added back in order.
func EmergencyEdit(before, after []string) (remove, add []string) {
	want := make(map[string]bool, len(after))
	for _, n := range after {
		want[n] = true
	}
	kept := make([]string, 0, len(before))
	for _, n := range before {
		if want[n] {
			kept = append(kept, n)
		}
	}
	prefix := 0
	for prefix < len(kept) && prefix < len(after) && kept[prefix] == after[prefix] {
		prefix++
	}
	keep := make(map[string]bool, prefix)
	for _, n := range kept[:prefix] {
		keep[n] = true
	}
	for _, n := range before {
		if !keep[n] {
			remove = append(remove, n)
		}
	}
	if prefix < len(after) {
		add = append([]string(nil), after[prefix:]...)
	}
	return remove, add
}

// deleted reports whether the state policy named name is deleted.
func (c *computer) deleted(name string) bool {
	return name != "" && c.declaredPolicy(name) == nil && c.managed(name) && c.s.PolicyByIdentity(name) != nil
}

func (c *computer) grants() {
	// Each desired user is looked up once in the tenant's index (by UPN;
	// a grant's user always has an '@', so never names an ObjectId), and
	// the tenant's users are then walked by position. At 125,000 grants,
	// a map of the desired users probed by every tenant user cost more
	// than the rest of Compute (cache misses), twice per plan.
	type grant struct {
		user   schema.Located
		policy string
		index  int // in the policy's users
		found  bool
	}
	type repeat struct {
		grant
		first int // index in grants of the user's first grant
	}
	n := 0
	for _, p := range c.d.Policies {
		n += len(p.Users)
	}
	find := c.s.UserLookup()
	wanted := make([]int32, len(c.s.Users)) // 1 + index in grants; 0: not granted
	var missing map[string]int              // users not in the tenant: lower UPN -> index in grants
	grants := make([]grant, 0, n)
	var repeats []repeat
	for _, p := range c.d.Policies {
		for i, u := range p.Users {
			g := grant{user: u, policy: p.Name, index: i}
			if ui, ok := find(u.Value); ok {
				if first := wanted[ui]; first != 0 {
					repeats = append(repeats, repeat{g, int(first - 1)})
					continue
				}
				wanted[ui] = int32(len(grants) + 1)
				g.found = true
			} else {
				k := lower(u.Value)
				if first, ok := missing[k]; ok {
					repeats = append(repeats, repeat{g, first})
					continue
				}
				if missing == nil {
					missing = map[string]int{}
				}
				missing[k] = len(grants)
			}
			grants = append(grants, g)
		}
	}
	for ui, u := range c.s.Users {
		cur := tenant.PolicyName(u.SharedCallingPolicy)
		gi := int(wanted[ui]) - 1
		switch {
		case gi >= 0 && !strings.EqualFold(cur, grants[gi].policy) && !(cur == "" && isGlobal(grants[gi].policy)):
			c.out.Grants = append(c.out.Grants, GrantChange{User: u.UserPrincipalName, Before: cur, After: grants[gi].policy})
		case gi < 0 && cur != "" && c.managed(cur):
			c.out.Grants = append(c.out.Grants, GrantChange{User: u.UserPrincipalName, Before: cur})
		}
	}
	// The path is built only for a problem: 50,000 grants must not cost
	// 50,000 paths.
	notInTenant := func(g grant) {
		c.problem(schema.Path("policies", g.policy, "users", g.index), g.user.Pos, "user %s is not in the tenant", g.user.Value)
	}
	for _, g := range grants {
		if !g.found {
			notInTenant(g)
		}
	}
	for _, r := range repeats {
		if first := grants[r.first]; first.found {
			c.problem(schema.Path("policies", r.policy, "users", r.index), r.user.Pos,
				"user %s is granted policies %s and %s (a user is listed by one policy at most)", r.user.Value, first.policy, r.policy)
		} else {
			notInTenant(r.grant)
		}
	}
}

func (c *computer) groups() {
	type assign struct {
		group  string
		policy string
		rank   int
		path   string
		pos    schema.Pos
	}
	want := map[string]assign{}
	ranks := map[int]string{}
	var order []string
	for _, p := range c.d.Policies {
		for _, g := range p.Groups {
			path := schema.Path("policies", p.Name, "groups", g.GroupID)
			k := lower(g.GroupID)
			if prev, ok := want[k]; ok {
				c.problem(path, g.Pos, "group %s is assigned policies %s and %s", g.GroupID, prev.policy, p.Name)
				continue
			}
			if isGlobal(p.Name) {
				c.problem(path, g.Pos, "policy Global can't be assigned to a group")
				continue
			}
			if g.Rank < 1 {
				c.problem(path, g.Pos, "rank %d of group %s is not positive", g.Rank, g.GroupID)
				continue
			}
			if prev, ok := ranks[g.Rank]; ok {
				c.problem(path, g.Pos, "rank %d is used by groups %s and %s (ranks are unique across policies)", g.Rank, prev, g.GroupID)
				continue
			}
			ranks[g.Rank] = g.GroupID
			want[k] = assign{group: g.GroupID, policy: p.Name, rank: g.Rank, path: path, pos: g.Pos}
			order = append(order, k)
		}
	}
	// Assignments callops leaves as they are (of an undeclared Global,
	// which the service never makes but a state can list) keep their
	// place among the 64 and their rank.
	kept := 0
	for _, ga := range c.s.GroupAssignments {
		if _, ok := want[lower(ga.GroupID)]; ok || c.managed(tenant.PolicyName(ga.PolicyName)) {
			continue
		}
		kept++
		if g, clash := ranks[ga.Rank]; clash {
			w := want[lower(g)]
			c.problem(w.path, w.pos, "rank %d of group %s is the rank of group %s, which keeps policy %s: callops leaves that assignment as it is (declare %s to manage it)",
				ga.Rank, g, ga.GroupID, tenant.PolicyName(ga.PolicyName), tenant.GlobalPolicy)
		}
	}
	// The limit is reported at the first group beyond it.
	switch {
	case len(want) > tenant.MaxGroupAssignments:
		w := want[order[tenant.MaxGroupAssignments]]
		c.problem(w.path, w.pos, "%d group assignments; the service allows %d", len(want), tenant.MaxGroupAssignments)
	case len(want) > 0 && len(want)+kept > tenant.MaxGroupAssignments:
		w := want[order[max(0, tenant.MaxGroupAssignments-kept)]]
		c.problem(w.path, w.pos, "%d group assignments, and %d of policy %s that callops leaves as they are (declare %s to manage them); the service allows %d",
			len(want), kept, tenant.GlobalPolicy, tenant.GlobalPolicy, tenant.MaxGroupAssignments)
	}
	seen := map[string]bool{}
	for _, ga := range c.s.GroupAssignments {
		k := lower(ga.GroupID)
		seen[k] = true
		before := &GroupAssignment{Policy: tenant.PolicyName(ga.PolicyName), Rank: ga.Rank}
		w, ok := want[k]
		switch {
		case ok && (!strings.EqualFold(before.Policy, w.policy) || before.Rank != w.rank):
			c.out.Groups = append(c.out.Groups, GroupChange{Group: ga.GroupID, Before: before, After: &GroupAssignment{Policy: w.policy, Rank: w.rank}})
		case !ok && c.managed(before.Policy):
			c.out.Groups = append(c.out.Groups, GroupChange{Group: ga.GroupID, Before: before})
		}
	}
	for _, k := range order {
		if seen[k] {
			continue
		}
		w := want[k]
		c.out.Groups = append(c.out.Groups, GroupChange{Group: w.group, After: &GroupAssignment{Policy: w.policy, Rank: w.rank}})
	}
}

func (c *computer) tenantDefault() {
	cur := tenant.PolicyName(c.s.Tenant.GlobalPolicy)
	if isGlobal(cur) {
		cur = ""
	}
	var want string
	switch td := c.d.TenantDefault; {
	case td == "":
		if !c.deleted(cur) {
			return
		}
	case isGlobal(td):
	default:
		p := c.declaredPolicy(td)
		if p == nil {
			c.problem("tenantDefault", c.d.TenantDefaultPos, "tenantDefault names policy %s, which is not declared", td)
			return
		}
		want = p.Name
	}
	if !strings.EqualFold(cur, want) {
		c.out.TenantDefault = &DefaultChange{Before: cur, After: want}
	}
}

func (c *computer) sortOutput() {
	o := c.out
	sort.Slice(o.Policies, func(i, j int) bool { return o.Policies[i].Name < o.Policies[j].Name })
	sort.Slice(o.ResourceAccounts, func(i, j int) bool { return o.ResourceAccounts[i].UPN < o.ResourceAccounts[j].UPN })
	sort.Slice(o.UserNumbers, func(i, j int) bool { return o.UserNumbers[i].UPN < o.UserNumbers[j].UPN })
	sort.Slice(o.Releases, func(i, j int) bool { return o.Releases[i].Number < o.Releases[j].Number })
	sort.Slice(o.Grants, func(i, j int) bool { return o.Grants[i].User < o.Grants[j].User })
	sort.Slice(o.Groups, func(i, j int) bool { return o.Groups[i].Group < o.Groups[j].Group })
}
