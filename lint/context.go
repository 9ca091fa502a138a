package lint

import (
	"fmt"
	"strings"

	"github.com/callops/callops/internal/phone"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// Context is what a rule sees: the desired state, the current state (nil
// without one), the parsed numbers and lookups built once per run, so that
// every rule is linear in the size of the configuration.
type Context struct {
	desired *schema.Desired
	state   *tenant.Snapshot

	numbers map[string]phone.Info // every number written in the config, parsed once

	// Lookups keyed by lower-cased UPN, location key as written.
	accounts  map[string]*schema.ResourceAccount
	locations map[string]*schema.Location
	userNums  map[string]*schema.UserNumber
	// accountPolicies lists, per lower RA UPN, the indexes of the policies
	// that use it, in policy order.
	accountPolicies map[string][]int
	// usedAccounts is the lower UPNs of accountPolicies in order of first use.
	usedAccounts []string

	// grants is the first listing of each user granted a policy directly,
	// regrants every later listing of the same user (lower UPN).
	grants   []grantRef
	regrants []regrant
	// grantUsers[i] is the tenant's user of grants[i], nil when the tenant
	// has none or there is no state: resolved once for the user rules;
	// grantHeld[i] is the inventory's number that user holds, or nil.
	grantUsers []*tenant.User
	grantHeld  []*tenant.Number

	// Lookups into the state, built once (nil without a state): users by
	// UPN through the state's own index (stUser; a second map of 125,000
	// users cost more than the rules that use it), accounts by lower UPN,
	// numbers as written, held numbers by the lower ObjectId of their
	// holder, locations by lower LocationId.
	stUser     func(upn string) (int, bool)
	stAccounts map[string]*tenant.ResourceAccount
	stNumbers  map[string]*tenant.Number
	stHeld     map[string]*tenant.Number
	// stUserHeld is stHeld by position in state.Users: 1 + the index in
	// state.Numbers of the number the user holds, 0 for none. 125,000
	// granted users are matched to their numbers by position, not by
	// lower-casing each one's ObjectId into a map.
	stUserHeld  []int32
	stLocations map[string]*tenant.Location
	// given maps the numbers the desired state assigns to their holder
	// (takenBy, givenTo), built on first use.
	given map[string]holderAt

	// otherDomain is the tenant domain of a state of another tenant, which
	// Run then leaves out (rule tenant-domain); "" otherwise.
	otherDomain string

	rule     *Rule
	findings []Finding
}

// grantRef is one listing of a user by a policy: Desired.Policies[policy].Users[elem].
type grantRef struct {
	policy, elem int
}

// regrant is a listing of a user already listed at first.
type regrant struct {
	grantRef
	first grantRef
}

func newContext(d *schema.Desired, state *tenant.Snapshot) *Context {
	c := &Context{
		desired:         d,
		state:           state,
		accounts:        make(map[string]*schema.ResourceAccount, len(d.ResourceAccounts)),
		locations:       make(map[string]*schema.Location, len(d.Locations)),
		userNums:        make(map[string]*schema.UserNumber, len(d.UserNumbers)),
		accountPolicies: map[string][]int{},
	}
	var nums []string
	for i := range d.Locations {
		c.locations[d.Locations[i].Key] = &d.Locations[i]
	}
	for i := range d.ResourceAccounts {
		ra := &d.ResourceAccounts[i]
		if _, dup := c.accounts[lower(ra.UPN)]; !dup {
			c.accounts[lower(ra.UPN)] = ra
		}
		nums = append(nums, ra.Number)
	}
	for i := range d.UserNumbers {
		u := &d.UserNumbers[i]
		if _, dup := c.userNums[lower(u.UPN)]; !dup {
			c.userNums[lower(u.UPN)] = u
		}
		nums = append(nums, u.Number)
	}
	for i := range d.Policies {
		p := &d.Policies[i]
		for _, e := range p.EmergencyNumbers {
			nums = append(nums, e.Value)
			if base, ext := phone.Split(e.Value); ext != "" {
				nums = append(nums, base)
			}
		}
		if p.ResourceAccount == "" {
			continue
		}
		k := lower(p.ResourceAccount)
		if _, seen := c.accountPolicies[k]; !seen {
			c.usedAccounts = append(c.usedAccounts, k)
		}
		c.accountPolicies[k] = append(c.accountPolicies[k], i)
	}
	c.numbers = phone.ParseAll(nums)
	if state != nil {
		c.indexState()
	}
	c.indexGrants()
	return c
}

func (c *Context) indexGrants() {
	n := 0
	for _, p := range c.desired.Policies {
		n += len(p.Users)
	}
	c.grants = make([]grantRef, 0, n)
	// A user the tenant has is looked up once in its index, and its first
	// listing is found by the user's position in the state (a slice); only
	// users the tenant does not have (or lint without a state) need a map
	// of lower UPNs. At 125,000 grants a second map probed by every grant
	// cost as much as the lookup itself.
	var firstAt []int32 // by state user index: 1 + index in c.grants; 0: not listed yet
	var first map[string]grantRef
	if c.stUser != nil {
		c.grantUsers = make([]*tenant.User, 0, n)
		c.grantHeld = make([]*tenant.Number, 0, n)
		firstAt = make([]int32, len(c.state.Users))
	} else {
		first = make(map[string]grantRef, n)
	}
	for i, p := range c.desired.Policies {
		for j, u := range p.Users {
			g := grantRef{i, j}
			if c.stUser != nil {
				if ui, ok := c.stUser(u.Value); ok {
					if f := firstAt[ui]; f != 0 {
						c.regrants = append(c.regrants, regrant{g, c.grants[f-1]})
						continue
					}
					firstAt[ui] = int32(len(c.grants) + 1)
					c.grants = append(c.grants, g)
					c.grantUsers = append(c.grantUsers, &c.state.Users[ui])
					var held *tenant.Number
					if h := c.stUserHeld[ui]; h != 0 {
						held = &c.state.Numbers[h-1]
					}
					c.grantHeld = append(c.grantHeld, held)
					continue
				}
			}
			k := lower(u.Value)
			if f, dup := first[k]; dup {
				c.regrants = append(c.regrants, regrant{g, f})
				continue
			}
			if first == nil {
				first = map[string]grantRef{}
			}
			first[k] = g
			c.grants = append(c.grants, g)
			if c.stUser != nil {
				c.grantUsers = append(c.grantUsers, nil)
				c.grantHeld = append(c.grantHeld, nil)
			}
		}
	}
}

func (c *Context) indexState() {
	s := c.state
	c.stUser = s.UserLookup()
	c.stAccounts = make(map[string]*tenant.ResourceAccount, len(s.ResourceAccounts))
	for i := range s.ResourceAccounts {
		c.stAccounts[lower(s.ResourceAccounts[i].UserPrincipalName)] = &s.ResourceAccounts[i]
	}
	c.stNumbers = make(map[string]*tenant.Number, len(s.Numbers))
	c.stHeld = make(map[string]*tenant.Number, len(s.Numbers))
	c.stUserHeld = make([]int32, len(s.Users))
	userByID := s.UserIDLookup()
	for i := range s.Numbers {
		n := &s.Numbers[i]
		c.stNumbers[n.TelephoneNumber] = n
		if t := n.AssignedPstnTargetID; t != "" && !hasPrefixFold(t, tenant.PolicyTargetPrefix) {
			t = lower(t)
			if _, dup := c.stHeld[t]; !dup {
				c.stHeld[t] = n
				if ui, ok := userByID(t); ok {
					c.stUserHeld[ui] = int32(i + 1)
				}
			}
		}
	}
	c.stLocations = make(map[string]*tenant.Location, len(s.Locations))
	for i := range s.Locations {
		c.stLocations[lower(s.Locations[i].LocationID)] = &s.Locations[i]
	}
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// stateUser returns the tenant's user with that UPN, or nil.
func (c *Context) stateUser(upn string) *tenant.User {
	if c.stUser == nil {
		return nil
	}
	if i, ok := c.stUser(upn); ok {
		return &c.state.Users[i]
	}
	return nil
}

// userNumber returns the userNumbers entry of a user, or nil (without
// lower-casing the UPN when the config has none: every granted user is
// asked).
func (c *Context) userNumber(upn string) *schema.UserNumber {
	if len(c.userNums) == 0 {
		return nil
	}
	return c.userNums[lower(upn)]
}

// stateAccount returns the tenant's resource account with that UPN, or nil.
func (c *Context) stateAccount(upn string) *tenant.ResourceAccount {
	return c.stAccounts[lower(upn)]
}

// stateLocation returns the tenant's location with that LocationId, or nil.
func (c *Context) stateLocation(id string) *tenant.Location { return c.stLocations[lower(id)] }

// heldBy returns the inventory entry of the number held by the object with
// that ObjectId, or nil.
func (c *Context) heldBy(objectID string) *tenant.Number {
	if objectID == "" {
		return nil
	}
	return c.stHeld[lower(objectID)]
}

func lower(s string) string { return strings.ToLower(s) }

// report adds a finding of the running rule.
func (c *Context) report(pos schema.Pos, path, format string, args ...any) {
	c.findings = append(c.findings, Finding{
		Rule:     c.rule.ID,
		Severity: c.rule.Severity,
		Message:  fmt.Sprintf(format, args...),
		Pos:      pos,
		Path:     path,
	})
}

// parsed returns a number written in the config, parsed, and whether it is
// a valid number. Numbers not seen by newContext are parsed on demand.
func (c *Context) parsed(s string) (phone.Number, bool) {
	in, ok := c.numbers[s]
	if !ok {
		n, err := phone.Parse(s)
		return n, err == nil
	}
	return in.Number, in.Err == nil
}

// inventory returns the tenant's inventory entry of a number, or nil (always
// nil without a state).
func (c *Context) inventory(number string) *tenant.Number {
	if c.state == nil || number == "" {
		return nil
	}
	return c.stNumbers[number]
}

// country is the country of a number: the inventory's IsoCountryCode when the
// tenant has the number, else the libphonenumber region. "" when unknown.
func (c *Context) country(number string) string {
	if n := c.inventory(number); n != nil && n.IsoCountryCode != "" {
		return strings.ToUpper(n.IsoCountryCode)
	}
	base, _ := phone.Split(number)
	if n, ok := c.parsed(base); ok && len(n.Region) == 2 {
		return n.Region
	}
	return ""
}

// accountLine is what callops knows of a resource account's line: from its
// declaration, else (with a state) from the tenant.
type accountLine struct {
	upn      string
	declared *schema.ResourceAccount // nil for an account known only from the state
	exists   bool                    // declared or in the state
	number   string
	numType  string
	// locationID is the LocationId of the number's emergency location, ""
	// when none; locationKey is its key in the config when declared.
	locationID  string
	locationKey string
	// lostTo, for an account known only from the state, names the holder
	// the desired state gives the account's number to ("resource account
	// x", "user y", "policy Z"): after the plan the account has none.
	lostTo string
}

// line resolves a resource account named by a policy.
func (c *Context) line(upn string) accountLine {
	l := accountLine{upn: upn}
	if ra, ok := c.accounts[lower(upn)]; ok {
		l.declared, l.exists = ra, true
		l.number, l.numType, l.locationKey = ra.Number, ra.Type, ra.Location
		inv := c.inventory(ra.Number)
		if l.numType == "" && inv != nil {
			l.numType = inv.NumberType
		}
		if loc, ok := c.locations[ra.Location]; ok {
			l.locationID = loc.ID
		} else if ra.Location == "" && inv != nil && c.knownLocation(inv.LocationID) && c.holds(ra.UPN, inv) {
			// Location not managed by the config: the number keeps the
			// tenant's location if the account holds it already; a
			// number it gets is assigned without one (docs/decisions.md).
			l.locationID = inv.LocationID
		}
		return l
	}
	if c.state == nil {
		return l
	}
	sra := c.stateAccount(upn)
	if sra == nil {
		return l
	}
	l.exists = true
	if n := c.heldBy(sra.ObjectID); n != nil {
		if to := c.takenBy(n.TelephoneNumber); to != "" {
			l.lostTo = to
			return l
		}
		l.number, l.numType = n.TelephoneNumber, n.NumberType
		if c.knownLocation(n.LocationID) {
			l.locationID = n.LocationID
		}
	}
	return l
}

// holderAt is a holder the desired state gives a number to, described
// ("resource account x", "user y", "policy Z (as an emergency number)"),
// and where the desired state says so.
type holderAt struct {
	what string
	pos  schema.Pos
	path string
}

// takenBy names the holder the desired state gives number to ("resource
// account x", "user y", "policy Z"), or "" when it gives it to nobody.
func (c *Context) takenBy(number string) string { return c.givenTo(number).what }

// givenTo is the holder the desired state gives number to, zero when it
// gives it to nobody. The lookup is built on first use.
func (c *Context) givenTo(number string) holderAt {
	if c.given == nil {
		c.given = map[string]holderAt{}
		d := c.desired
		for _, ra := range d.ResourceAccounts {
			if ra.Number != "" {
				c.given[ra.Number] = holderAt{"resource account " + ra.UPN, ra.NumberPos, schema.Path("resourceAccounts", ra.UPN, "number")}
			}
		}
		for _, u := range d.UserNumbers {
			if u.Number != "" {
				c.given[u.Number] = holderAt{"user " + u.UPN, u.NumberPos, schema.Path("userNumbers", u.UPN, "number")}
			}
		}
		for _, p := range d.Policies {
			for j, e := range p.EmergencyNumbers {
				c.given[e.Value] = holderAt{"policy " + p.Name + " (as an emergency number)", e.Pos,
					schema.Path("policies", p.Name, "emergencyNumbers", j)}
			}
		}
	}
	return c.given[number]
}

// holds reports whether the tenant's resource account upn holds the number n.
func (c *Context) holds(upn string, n *tenant.Number) bool {
	sra := c.stateAccount(upn)
	return sra != nil && n.AssignedPstnTargetID != "" && strings.EqualFold(n.AssignedPstnTargetID, sra.ObjectID)
}

// knownLocation reports whether id names an emergency location of the tenant
// (an empty or all-zero GUID means "no location").
func (c *Context) knownLocation(id string) bool {
	if id == "" || strings.Trim(id, "0-") == "" {
		return false
	}
	if c.state == nil {
		return true
	}
	return c.stateLocation(id) != nil
}

// accountRef is where a finding about a resource account's line points: the
// declaration's field when the account is declared, else the policy's
// resourceAccount value.
func accountRef(l accountLine, p *schema.Policy, field string, fieldPos schema.Pos) (schema.Pos, string) {
	if l.declared != nil {
		if !fieldPos.IsValid() {
			fieldPos = l.declared.Pos
		}
		if field == "" {
			return fieldPos, schema.Path("resourceAccounts", l.declared.UPN)
		}
		return fieldPos, schema.Path("resourceAccounts", l.declared.UPN, field)
	}
	return p.ResourceAccountPos, schema.Path("policies", p.Name, "resourceAccount")
}

// forUsedAccounts calls fn once per resource account used by a policy: once
// with the first policy for a declared account (findings point at the
// declaration), and once per policy for an account known only from the state
// (findings point at each policy's reference).
func (c *Context) forUsedAccounts(fn func(l accountLine, p *schema.Policy)) {
	for _, k := range c.usedAccounts {
		idx := c.accountPolicies[k]
		first := &c.desired.Policies[idx[0]]
		l := c.line(first.ResourceAccount)
		if !l.exists {
			continue // policy-resource-account reports it
		}
		if l.declared != nil {
			fn(l, first)
			continue
		}
		for _, i := range idx {
			fn(l, &c.desired.Policies[i])
		}
	}
}

// policyNames renders policy names for a message: "A", "A and B", "A, B and C".
func policyNames(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}
