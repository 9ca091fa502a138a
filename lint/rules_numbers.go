package lint

import (
	"fmt"
	"strings"

	"github.com/callops/callops/internal/phone"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// numberRules are the rules on numbers and their assignment, on grants, and
// the references that only the tenant's state can resolve (DOMAIN.md
// "Numbers and assignment").
var numberRules = []Rule{
	{
		ID: "number-format", Severity: Error, Source: "ITU-T E.164 and libphonenumber; " + srcSetupExtension,
		Summary: "every number is E.164 (+ and 8 to 15 digits) and valid for its region; only user numbers may carry ;ext=digits",
		check:   checkNumberFormat,
	},
	{
		ID: "number-held-twice", Severity: Error, Source: srcAssignment,
		Summary: "no number has two holders (resource accounts and users; a number ;ext=N is not its base number)",
		check:   checkNumberHeldTwice,
	},
	{
		ID: "declared-twice", Severity: Error, Source: "Teams (policy identities and user principal names are case-insensitive)",
		Summary: "a policy, resource account or user number is declared once: names and UPNs that differ only in case are the same",
		check:   checkDeclaredTwice,
	},
	{
		ID: "number-type-mismatch", Severity: Error, Source: srcAssignment, NeedsState: true,
		Summary: "a declared number type equals the tenant inventory's NumberType",
		check:   checkNumberTypeMismatch,
	},
	{
		ID: "number-on-premises", Severity: Error, Source: srcAssignment, NeedsState: true,
		Summary: "a number with NumberSource OnPremises can't be assigned by callops",
		check:   checkNumberOnPremises,
	},
	{
		ID: "number-capability", Severity: Error, Source: srcAssignment + " (Capability)", NeedsState: true,
		Summary: "a number given to a resource account or user has the capability for it (VoiceApplicationAssignment, UserAssignment)",
		check:   checkNumberCapability,
	},
	{
		ID: "number-in-tenant", Severity: Error, Source: srcScope + "; callops never acquires numbers", NeedsState: true,
		Summary: "a number given to a resource account or user of the tenant is in the tenant's number inventory",
		check:   checkNumberInTenant,
	},
	{
		ID: "number-held-unmanaged", Severity: Error, Source: srcAssignment, NeedsState: true,
		Summary: "a number the desired state gives to a holder is not held by an object callops does not know (unassign it first)",
		check:   checkNumberHeldUnmanaged,
	},
	{
		ID: "user-has-number", Severity: Error, Source: srcSetupExtension,
		Summary: "a user granted a Shared Calling policy has no phone number, except a Direct Routing number with ;ext=",
		check:   checkUserHasNumber,
	},
	{
		ID: "user-voice-enabled", Severity: Warning, Source: "Teams/shared-calling-setup.md (enable users for Enterprise Voice)", NeedsState: true,
		Summary: "a user granted a policy has EnterpriseVoiceEnabled",
		check:   checkUserVoiceEnabled,
	},
	{
		ID: "user-granted-twice", Severity: Error, Source: srcGrant,
		Summary: "a user is listed by one policy at most (a user has one direct grant)",
		check:   checkUserGrantedTwice,
	},
	{
		ID: "grant-unknown-policy", Severity: Error, Source: srcGrant + " -Global",
		Summary: "tenantDefault names a declared policy (or Global)",
		check:   checkGrantUnknownPolicy,
	},
	{
		ID: "group-limit", Severity: Error, Source: srcGrant + " -Group -Rank (Get-CsGroupPolicyAssignment)",
		Summary: "at most 64 group assignments across all policies, one per group, with positive ranks unique across them, and none of Global",
		check:   checkGroupLimit,
	},
	{
		ID: "policy-unused", Severity: Info, Source: "callops (a policy granted to nobody has no effect)",
		Summary: "a policy is granted to some user or group, or is the tenant default",
		check:   checkPolicyUnused,
	},
	{
		ID: "resource-account-unknown", Severity: Error, Source: srcScope, NeedsState: true,
		Summary: "a declared resource account exists in the tenant",
		check:   checkResourceAccountUnknown,
	},
	{
		ID: "location-unknown", Severity: Error, Source: srcScope, NeedsState: true,
		Summary: "a declared location's id is an emergency location (LocationId) of the tenant",
		check:   checkLocationUnknown,
	},
	{
		ID: "user-unknown", Severity: Warning, Source: srcScope, NeedsState: true,
		Summary: "a user granted a policy or given a number exists in the tenant",
		check:   checkUserUnknown,
	},
	{
		ID: RuleTenantDomain, Severity: Error, Source: "DESIGN.md section 2 (tenant: domain); the export's tenant.json (Get-CsTenant)", NeedsState: true,
		Summary: "the desired state's tenant domain is the state's (a state of another tenant is not compared further)",
		check:   checkTenantDomain,
	},
}

// RuleTenantDomain is the id of the rule that compares the desired state's
// tenant domain with the state's (see Run).
const RuleTenantDomain = "tenant-domain"

// MaxGroupAssignments is the service's limit of group policy assignments
// for one policy type.
const MaxGroupAssignments = 64

// numberProblem says what is wrong with a number written in the config, ""
// when nothing is. allowExt says whether ";ext=digits" may follow.
func (c *Context) numberProblem(s string, allowExt bool) string {
	base, ext := phone.Split(s)
	if !allowExt && base != s {
		return fmt.Sprintf("%s has an extension (;ext=%s): only a user's number may carry one", s, ext)
	}
	if _, ok := c.parsed(s); ok {
		return ""
	}
	err := phone.CheckE164(s)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), fmt.Sprintf("%q: ", s))
		if norm, nerr := phone.Normalize(s); nerr == nil {
			return fmt.Sprintf("%q is %s; write %s", s, msg, norm)
		}
		return fmt.Sprintf("%q is %s", s, msg)
	}
	n, _ := c.parsed(s)
	return fmt.Sprintf("%s is not a valid number for its region (country code +%d, %s)", s, n.CountryCode, n.CountryRegion())
}

func checkNumberFormat(c *Context) {
	d := c.desired
	for i := range d.ResourceAccounts {
		ra := &d.ResourceAccounts[i]
		if ra.Number == "" {
			continue
		}
		if msg := c.numberProblem(ra.Number, false); msg != "" {
			c.report(ra.NumberPos, schema.Path("resourceAccounts", ra.UPN, "number"), "resource account %s: %s", ra.UPN, msg)
		}
	}
	for i := range d.Policies {
		p := &d.Policies[i]
		for j, e := range p.EmergencyNumbers {
			// An extension is emergency-number-extension's finding: check the base.
			base, _ := phone.Split(e.Value)
			if msg := c.numberProblem(base, false); msg != "" {
				c.report(e.Pos, schema.Path("policies", p.Name, "emergencyNumbers", j), "emergency number of policy %s: %s", p.Name, msg)
			}
		}
	}
	for i := range d.UserNumbers {
		u := &d.UserNumbers[i]
		if u.Number == "" {
			continue
		}
		if msg := c.numberProblem(u.Number, true); msg != "" {
			c.report(u.NumberPos, schema.Path("userNumbers", u.UPN, "number"), "user %s: %s", u.UPN, msg)
		}
	}
}

// numberHolder is a declared holder of a number: ResourceAccounts[index]
// when account, else UserNumbers[index].
type numberHolder struct {
	account bool
	index   int
}

func (c *Context) describeHolder(h numberHolder) (what string, pos schema.Pos, path string) {
	if h.account {
		ra := &c.desired.ResourceAccounts[h.index]
		return "resource account " + ra.UPN, ra.NumberPos, schema.Path("resourceAccounts", ra.UPN, "number")
	}
	u := &c.desired.UserNumbers[h.index]
	return "user " + u.UPN, u.NumberPos, schema.Path("userNumbers", u.UPN, "number")
}

func checkNumberHeldTwice(c *Context) {
	// Emergency numbers held by a policy and by an account are
	// emergency-number-assigned's, and by two policies
	// emergency-number-reused's: here are accounts and users.
	d := c.desired
	holders := make(map[string][]numberHolder, len(d.ResourceAccounts)+len(d.UserNumbers))
	var order []string
	add := func(num string, h numberHolder) {
		if num == "" {
			return
		}
		if _, ok := holders[num]; !ok {
			order = append(order, num)
		}
		holders[num] = append(holders[num], h)
	}
	for i, ra := range d.ResourceAccounts {
		add(ra.Number, numberHolder{true, i})
	}
	for i, u := range d.UserNumbers {
		add(u.Number, numberHolder{false, i})
	}
	for _, num := range order {
		hs := holders[num]
		if len(hs) < 2 {
			continue
		}
		first, _, _ := c.describeHolder(hs[0])
		for _, h := range hs[1:] {
			what, pos, path := c.describeHolder(h)
			c.report(pos, path, "%s is the number of %s and of %s: a number has one holder", num, first, what)
		}
	}
}

func checkNumberTypeMismatch(c *Context) {
	// mismatch returns the inventory's type when it differs from typ.
	mismatch := func(num, typ string) (string, bool) {
		inv := c.inventory(num)
		if inv == nil || inv.NumberType == "" || typ == "" || strings.EqualFold(inv.NumberType, typ) {
			return "", false
		}
		return inv.NumberType, true
	}
	for _, ra := range c.desired.ResourceAccounts {
		if t, bad := mismatch(ra.Number, ra.Type); bad {
			c.report(ra.TypePos, schema.Path("resourceAccounts", ra.UPN, "type"),
				"%s of resource account %s is a %s number in the tenant, not %s", ra.Number, ra.UPN, t, ra.Type)
		}
	}
	for _, u := range c.desired.UserNumbers {
		if t, bad := mismatch(u.Number, u.Type); bad {
			c.report(u.TypePos, schema.Path("userNumbers", u.UPN, "type"),
				"%s of user %s is a %s number in the tenant, not %s", u.Number, u.UPN, t, u.Type)
		}
	}
}

// checkNumberCapability reports a number callops would assign to a holder
// its inventory Capability does not allow: a resource account needs
// VoiceApplicationAssignment, a user UserAssignment. A number without
// listed capabilities, or already with that holder, is not checked (plan
// checks the same, diff/fit.go checkAssignable).
func checkNumberCapability(c *Context) {
	check := func(num, holderID, capability, kind, upn string, pos schema.Pos, path string) {
		inv := c.inventory(num)
		if inv == nil || len(inv.Capability) == 0 || (holderID != "" && strings.EqualFold(inv.AssignedPstnTargetID, holderID)) {
			return
		}
		for _, cp := range inv.Capability {
			if strings.EqualFold(cp, capability) {
				return
			}
		}
		c.report(pos, path, "%s can't be assigned to %s %s: its capabilities are %s, not %s",
			num, kind, upn, strings.Join(inv.Capability, ", "), capability)
	}
	for _, ra := range c.desired.ResourceAccounts {
		var id string
		if sra := c.stateAccount(ra.UPN); sra != nil {
			id = sra.ObjectID
		}
		check(ra.Number, id, "VoiceApplicationAssignment", "resource account", ra.UPN, ra.NumberPos, schema.Path("resourceAccounts", ra.UPN, "number"))
	}
	for _, u := range c.desired.UserNumbers {
		var id string
		if su := c.stateUser(u.UPN); su != nil {
			id = su.ObjectID
		}
		check(u.Number, id, "UserAssignment", "user", u.UPN, u.NumberPos, schema.Path("userNumbers", u.UPN, "number"))
	}
}

func checkNumberOnPremises(c *Context) {
	// movesOnPremises reports whether num is an on-premises number that
	// callops would have to assign to the object holderID.
	movesOnPremises := func(num, holderID string) bool {
		inv := c.inventory(num)
		if inv == nil || !strings.EqualFold(inv.NumberSource, "OnPremises") {
			return false
		}
		// Already where it belongs: callops won't assign it.
		return holderID == "" || !strings.EqualFold(inv.AssignedPstnTargetID, holderID)
	}
	const msg = "%s comes from on premises (NumberSource OnPremises): callops can't assign it to %s %s; assign it on premises"
	for _, ra := range c.desired.ResourceAccounts {
		var id string
		if sra := c.stateAccount(ra.UPN); sra != nil {
			id = sra.ObjectID
		}
		if movesOnPremises(ra.Number, id) {
			c.report(ra.NumberPos, schema.Path("resourceAccounts", ra.UPN, "number"), msg, ra.Number, "resource account", ra.UPN)
		}
	}
	for _, u := range c.desired.UserNumbers {
		var id string
		if su := c.stateUser(u.UPN); su != nil {
			id = su.ObjectID
		}
		if movesOnPremises(u.Number, id) {
			c.report(u.NumberPos, schema.Path("userNumbers", u.UPN, "number"), msg, u.Number, "user", u.UPN)
		}
	}
}

// forGrantedUsers calls fn once per user listed by some policy, at its first
// listing (user-granted-twice reports the others);
// su is the tenant's user (nil without a state or when the tenant has none)
// and held the inventory's number su holds (nil when none).
func (c *Context) forGrantedUsers(fn func(p *schema.Policy, j int, u schema.Located, su *tenant.User, held *tenant.Number)) {
	for i, g := range c.grants {
		p := &c.desired.Policies[g.policy]
		var su *tenant.User
		var held *tenant.Number
		if c.grantUsers != nil {
			su, held = c.grantUsers[i], c.grantHeld[i]
		}
		fn(p, g.elem, p.Users[g.elem], su, held)
	}
}

// extensionDialing reports whether a user's number is a Direct Routing
// extension number, the one kind a Shared Calling user may hold.
func extensionDialing(number, numType string) bool {
	_, ext := phone.Split(number)
	return ext != "" && strings.EqualFold(numType, schema.DirectRouting)
}

func checkUserHasNumber(c *Context) {
	c.forGrantedUsers(func(p *schema.Policy, j int, u schema.Located, su *tenant.User, held *tenant.Number) {
		if un := c.userNumber(u.Value); un != nil {
			// The config manages this user's number: it is what counts.
			if un.Number != "" && !extensionDialing(un.Number, un.Type) {
				c.report(un.NumberPos, schema.Path("userNumbers", un.UPN, "number"),
					"user %s is granted policy %s but holds number %s: Shared Calling users have no number of their own, except a Direct Routing number with ;ext=",
					un.UPN, p.Name, un.Number)
			}
			return
		}
		if c.state == nil {
			return
		}
		if held != nil && !extensionDialing(held.TelephoneNumber, held.NumberType) {
			c.report(u.Pos, schema.Path("policies", p.Name, "users", j),
				"user %s is granted policy %s but holds number %s in the tenant: Shared Calling users have no number of their own, except a Direct Routing number with ;ext=",
				u.Value, p.Name, held.TelephoneNumber)
		}
	})
}

func checkUserVoiceEnabled(c *Context) {
	c.forGrantedUsers(func(p *schema.Policy, j int, u schema.Located, su *tenant.User, _ *tenant.Number) {
		if su != nil && !su.EnterpriseVoiceEnabled {
			c.report(u.Pos, schema.Path("policies", p.Name, "users", j),
				"user %s is granted policy %s but is not enabled for Enterprise Voice (EnterpriseVoiceEnabled is false)", u.Value, p.Name)
		}
	})
}

func checkUserGrantedTwice(c *Context) {
	for _, r := range c.regrants {
		p := &c.desired.Policies[r.policy]
		first := &c.desired.Policies[r.first.policy]
		u := p.Users[r.elem]
		path := schema.Path("policies", p.Name, "users", r.elem)
		if r.first.policy == r.policy {
			c.report(u.Pos, path, "user %s is listed twice by policy %s (also at [%d])", u.Value, p.Name, r.first.elem)
		} else {
			c.report(u.Pos, path, "user %s is listed by policies %s and %s: a user has one direct grant", u.Value, first.Name, p.Name)
		}
	}
}

func checkGrantUnknownPolicy(c *Context) {
	d := c.desired
	if d.TenantDefault == "" || strings.EqualFold(d.TenantDefault, schema.GlobalPolicy) {
		return
	}
	// Policy names are case-insensitive to the service, and to plan.
	for _, p := range d.Policies {
		if strings.EqualFold(p.Name, d.TenantDefault) {
			return
		}
	}
	c.report(d.TenantDefaultPos, "tenantDefault", "tenantDefault names policy %s, which is not declared in policies", d.TenantDefault)
}

func checkGroupLimit(c *Context) {
	type grant struct {
		policy, group string
	}
	count := 0
	ranks := map[int]grant{}
	groups := map[string]string{}
	kept, keptRanks := c.keptGroups()
	for i := range c.desired.Policies {
		p := &c.desired.Policies[i]
		for _, g := range p.Groups {
			path := schema.Path("policies", p.Name, "groups", g.GroupID)
			if strings.EqualFold(p.Name, schema.GlobalPolicy) {
				c.report(g.Pos, path, "group %s is granted policy Global: the service does not assign Global to a group (groups without an assignment follow the tenant default)", g.GroupID)
			}
			count++
			if count == MaxGroupAssignments+1 {
				c.report(g.Pos, path, "%d group assignments across all policies: the service allows at most %d", c.countGroups(), MaxGroupAssignments)
			} else if kept > 0 && count == max(1, MaxGroupAssignments-kept+1) && c.countGroups() <= MaxGroupAssignments {
				c.report(g.Pos, path, "%d group assignments across all policies, and %d of policy Global in the tenant that callops leaves as they are (Global is not declared): the service allows at most %d",
					c.countGroups(), kept, MaxGroupAssignments)
			}
			if other, ok := keptRanks[g.Rank]; ok {
				c.report(g.Pos, path, "rank %d of group %s (policy %s) is the rank of group %s, which keeps policy Global in the tenant: callops leaves that assignment as it is (declare Global to manage it)",
					g.Rank, g.GroupID, p.Name, other)
			}
			if other, dup := groups[lower(g.GroupID)]; dup {
				c.report(g.Pos, path, "group %s is granted policies %s and %s: a group has one assignment per policy type", g.GroupID, other, p.Name)
			} else {
				groups[lower(g.GroupID)] = p.Name
			}
			if g.Rank <= 0 {
				c.report(g.Pos, path, "group %s of policy %s has rank %d: ranks are positive", g.GroupID, p.Name, g.Rank)
				continue
			}
			if other, dup := ranks[g.Rank]; dup {
				c.report(g.Pos, path, "rank %d of group %s (policy %s) is also the rank of group %s (policy %s): ranks are unique across policies",
					g.Rank, g.GroupID, p.Name, other.group, other.policy)
				continue
			}
			ranks[g.Rank] = grant{p.Name, g.GroupID}
		}
	}
}

// keptGroups counts the tenant's group assignments that callops leaves as
// they are, with their ranks: those of an undeclared Global (the service
// never makes one, but a state can list it) whose group the desired state
// does not assign. None without a state.
func (c *Context) keptGroups() (int, map[int]string) {
	if c.state == nil || len(c.state.GroupAssignments) == 0 {
		return 0, nil
	}
	desired := map[string]bool{}
	for _, p := range c.desired.Policies {
		if strings.EqualFold(p.Name, schema.GlobalPolicy) {
			return 0, nil // declared: callops manages its assignments
		}
		for _, g := range p.Groups {
			desired[lower(g.GroupID)] = true
		}
	}
	n, ranks := 0, map[int]string{}
	for _, ga := range c.state.GroupAssignments {
		if !strings.EqualFold(tenant.PolicyName(ga.PolicyName), schema.GlobalPolicy) || desired[lower(ga.GroupID)] {
			continue
		}
		n++
		ranks[ga.Rank] = ga.GroupID
	}
	return n, ranks
}

func (c *Context) countGroups() int {
	n := 0
	for _, p := range c.desired.Policies {
		n += len(p.Groups)
	}
	return n
}

func checkPolicyUnused(c *Context) {
	d := c.desired
	for i := range d.Policies {
		p := &d.Policies[i]
		// Global applies to every user without another policy.
		if len(p.Users) > 0 || len(p.Groups) > 0 || strings.EqualFold(p.Name, d.TenantDefault) ||
			strings.EqualFold(p.Name, schema.GlobalPolicy) {
			continue
		}
		c.report(p.Pos, schema.Path("policies", p.Name), "policy %s is granted to no user or group and is not the tenant default", p.Name)
	}
}

func checkResourceAccountUnknown(c *Context) {
	for _, ra := range c.desired.ResourceAccounts {
		if c.stateAccount(ra.UPN) == nil {
			c.report(ra.Pos, schema.Path("resourceAccounts", ra.UPN), "resource account %s does not exist in the tenant: create it (callops never creates resource accounts)", ra.UPN)
		}
	}
}

func checkLocationUnknown(c *Context) {
	for _, l := range c.desired.Locations {
		if c.stateLocation(l.ID) == nil {
			c.report(l.IDPos, schema.Path("locations", l.Key, "id"), "location %s (id %q) is not an emergency location of the tenant", l.Key, l.ID)
		}
	}
}

func checkUserUnknown(c *Context) {
	c.forGrantedUsers(func(p *schema.Policy, j int, u schema.Located, su *tenant.User, _ *tenant.Number) {
		if su == nil {
			c.report(u.Pos, schema.Path("policies", p.Name, "users", j), "user %s, granted policy %s, does not exist in the tenant", u.Value, p.Name)
		}
	})
	for _, u := range c.desired.UserNumbers {
		if c.stateUser(u.UPN) == nil {
			c.report(u.Pos, schema.Path("userNumbers", u.UPN), "user %s, given number %s, does not exist in the tenant", u.UPN, u.Number)
		}
	}
}

// checkTenantDomain reports a state of another tenant, which Run found before
// the other rules ran (it decides whether they see the state).
func checkTenantDomain(c *Context) {
	if c.otherDomain == "" {
		return
	}
	d := c.desired
	c.report(d.DomainPos, schema.Path("tenant", "domain"), "%s; the rules that need a state were skipped",
		tenant.OtherTenantMessage(d.Domain, c.otherDomain))
}

// checkDeclaredTwice reports keys of policies, resourceAccounts and
// userNumbers that name what an earlier key names: CUE keeps "Redmond" and
// "redmond" apart, the service does not (plan refuses them too).
func checkDeclaredTwice(c *Context) {
	d := c.desired
	check := func(kind, section string, n int, at func(i int) (string, schema.Pos)) {
		for _, dup := range schema.CaseDuplicates(n, at) {
			key, pos := at(dup.Later)
			firstKey, firstPos := at(dup.First)
			c.report(pos, schema.Path(section, key), "%s %s is declared twice: %s (at %s) is the same %s, names compare without case",
				kind, key, firstKey, firstPos, kind)
		}
	}
	check("policy", "policies", len(d.Policies), func(i int) (string, schema.Pos) { return d.Policies[i].Name, d.Policies[i].Pos })
	check("resource account", "resourceAccounts", len(d.ResourceAccounts), func(i int) (string, schema.Pos) {
		return d.ResourceAccounts[i].UPN, d.ResourceAccounts[i].Pos
	})
	check("user", "userNumbers", len(d.UserNumbers), func(i int) (string, schema.Pos) { return d.UserNumbers[i].UPN, d.UserNumbers[i].Pos })
}

// checkNumberInTenant reports a number given to a resource account or user
// the tenant has that its inventory does not list: callops assigns numbers,
// it never acquires them (plan refuses the same, diff checkInventory). An
// account or user the tenant lacks is resource-account-unknown's and
// user-unknown's.
func checkNumberInTenant(c *Context) {
	missing := func(holder, typ string) string {
		if typ == schema.DirectRouting {
			// The service lists a Direct Routing number once it is
			// assigned; callops assigns only numbers the export lists.
			return fmt.Sprintf("is not in the tenant's number inventory: callops assigns only numbers the export lists; assign this Direct Routing number to %s once with Set-CsPhoneNumberAssignment, then import a fresh export", holder)
		}
		return "is not in the tenant's number inventory: acquire or port it first (callops never acquires numbers)"
	}
	for _, ra := range c.desired.ResourceAccounts {
		if ra.Number != "" && c.stateAccount(ra.UPN) != nil && c.inventory(ra.Number) == nil {
			c.report(ra.NumberPos, schema.Path("resourceAccounts", ra.UPN, "number"),
				"%s, the number of resource account %s, %s", ra.Number, ra.UPN, missing(ra.UPN, ra.Type))
		}
	}
	for _, u := range c.desired.UserNumbers {
		if u.Number != "" && c.stateUser(u.UPN) != nil && c.inventory(u.Number) == nil {
			c.report(u.NumberPos, schema.Path("userNumbers", u.UPN, "number"),
				"%s, the number of user %s, %s", u.Number, u.UPN, missing(u.UPN, u.Type))
		}
	}
}

// checkNumberHeldUnmanaged reports a number the desired state gives to a
// resource account, a user or a policy (as an emergency number) that the
// tenant's inventory says is assigned to an object the state does not have
// (not one of its users, resource accounts or policies): callops can't
// unassign it, so plan refuses it.
func checkNumberHeldUnmanaged(c *Context) {
	// The path is built only for a finding: userNumbers may list every
	// user of a large tenant.
	check := func(num string, pos schema.Pos, path func() string) {
		if num == "" {
			return
		}
		if kind, name := c.state.Holder(num); kind == tenant.HolderUnknown {
			c.report(pos, path(), "%s is assigned in the tenant to %s, an object callops does not manage (not a user, resource account or policy of the state): unassign it first",
				num, tenant.Printable(name))
		}
	}
	for _, ra := range c.desired.ResourceAccounts {
		check(ra.Number, ra.NumberPos, func() string { return schema.Path("resourceAccounts", ra.UPN, "number") })
	}
	for _, u := range c.desired.UserNumbers {
		check(u.Number, u.NumberPos, func() string { return schema.Path("userNumbers", u.UPN, "number") })
	}
	for _, p := range c.desired.Policies {
		for j, e := range p.EmergencyNumbers {
			check(e.Value, e.Pos, func() string { return schema.Path("policies", p.Name, "emergencyNumbers", j) })
		}
	}
}
