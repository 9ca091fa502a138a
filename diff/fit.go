package diff

import (
	"fmt"
	"strings"

	"github.com/callops/callops/internal/phone"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// checkFit reports desired states that resolve but that no plan can reach,
// because the service refuses the final configuration whatever the order
// (DOMAIN.md; the same rules tenant.Snapshot.Apply enforces):
//
//   - a policy's resource account needs a number of type CallingPlan,
//     OperatorConnect or DirectRouting with an emergency location
//     (resource-account-number, resource-account-location);
//   - its emergency numbers are plain E.164, of the account number's type
//     and country, and in the inventory unless Direct Routing
//     (policy-number-type, policy-number-country,
//     emergency-number-in-tenant, emergency-number-extension);
//   - a number callops assigns is an online number whose capabilities allow
//     the holder (number-on-premises, number-capability).
//
// Only what the plan changes is checked: a policy that is created or
// updated, or whose account's number changes. A problem the tenant already
// has and the desired state leaves alone is not blamed on it. An undeclared
// Global, which callops leaves as it is, is checked when the desired state
// changes or gives away its account's number (fitUndeclaredGlobal).
func (c *computer) checkFit() {
	o := c.out
	accountChanges := map[string]*AccountChange{}
	for i := range o.ResourceAccounts {
		accountChanges[lower(o.ResourceAccounts[i].UPN)] = &o.ResourceAccounts[i]
	}
	released := map[string]bool{} // lower UPN of accounts losing their number
	for _, r := range o.Releases {
		if r.ResourceAccount {
			released[lower(r.Holder)] = true
		}
	}
	changed := map[string]*PolicyChange{}
	for i := range o.Policies {
		changed[policyKey(o.Policies[i].Name)] = &o.Policies[i]
	}

	for i := range c.d.Policies {
		p := &c.d.Policies[i]
		path := schema.Path("policies", p.Name)
		ra := c.s.ResourceAccountByUPN(p.ResourceAccount)
		if ra == nil {
			continue // reported by policies()
		}
		k := lower(ra.UserPrincipalName)
		if changed[policyKey(p.Name)] == nil && accountChanges[k] == nil && !released[k] {
			continue
		}
		var num NumberAssignment
		switch {
		case accountChanges[k] != nil:
			num = accountChanges[k].After
		case released[k]:
		default:
			num = c.current(ra.ObjectID)
		}
		c.fitAccount(fitPolicy{
			name: p.Name, account: ra.UserPrincipalName, number: num, emergency: p.EmergencyNumbers,
			at: func(j int) (string, schema.Pos) {
				if j < 0 {
					return path + ".resourceAccount", p.ResourceAccountPos
				}
				return schema.Path("policies", p.Name, "emergencyNumbers", j), p.EmergencyNumbers[j].Pos
			},
		})
	}
	c.fitUndeclaredGlobal(accountChanges, released)

	for _, ra := range c.d.ResourceAccounts {
		if ac := accountChanges[lower(ra.UPN)]; ac != nil && ac.NumberChanged() {
			c.checkAssignable(ra.Number, "resource account "+ra.UPN, "VoiceApplicationAssignment",
				schema.Path("resourceAccounts", ra.UPN, "number"), ra.NumberPos)
		}
	}
	userChanges := map[string]bool{}
	for _, uc := range o.UserNumbers {
		userChanges[lower(uc.UPN)] = true
	}
	for _, un := range c.d.UserNumbers {
		if userChanges[lower(un.UPN)] {
			c.checkAssignable(un.Number, "user "+un.UPN, "UserAssignment", schema.Path("userNumbers", un.UPN, "number"), un.NumberPos)
		}
	}
}

// fitPolicy is a policy as it will be after the plan, for fitAccount: its
// resource account's number and its emergency numbers, and where to report
// a problem (at(-1) for the account, at(j) for emergency number j).
type fitPolicy struct {
	name      string
	account   string // UPN
	number    NumberAssignment
	emergency []schema.Located
	at        func(j int) (string, schema.Pos)
	// note, when not empty, is added to each problem (why the policy is
	// checked although the desired state does not declare it).
	note string
}

// fitAccount reports what the service refuses in p's final configuration:
// an account without a number of a usable type with an emergency location,
// emergency numbers with extensions, not E.164, of another type or country
// than the account's number, or missing from the inventory.
func (c *computer) fitAccount(p fitPolicy) {
	report := func(j int, format string, args ...any) {
		path, pos := p.at(j)
		c.problem(path, pos, "%s", fmt.Sprintf(format, args...)+p.note)
	}
	num := p.number
	if num.Number == "" {
		report(-1, "resource account %s of policy %s will have no number (declare its number)", p.account, p.name)
		return
	}
	inv := c.s.NumberByTelephone(num.Number)
	if inv == nil {
		return // reported by accounts()
	}
	switch {
	case strings.EqualFold(inv.NumberType, tenant.TypeCallingPlan), strings.EqualFold(inv.NumberType, tenant.TypeOperatorConnect),
		strings.EqualFold(inv.NumberType, tenant.TypeDirectRouting):
	default:
		report(-1, "resource account %s of policy %s holds %s, a %s number: it needs a Calling Plan, Operator Connect or Direct Routing number",
			p.account, p.name, num.Number, inv.NumberType)
		return
	}
	if num.Location == "" || c.s.LocationByID(num.Location) == nil {
		report(-1, "number %s of resource account %s (policy %s) will have no emergency location (declare the account's location)",
			num.Number, p.account, p.name)
	}
	raCountry := c.countryOf(num.Number)
	for j, e := range p.emergency {
		n := e.Value
		if strings.Contains(n, ";") {
			report(j, "emergency number %s has an extension: emergency numbers are plain E.164", n)
			continue
		}
		if phone.CheckE164(n) != nil {
			report(j, "emergency number %q is not an E.164 number", n)
			continue
		}
		if einv := c.s.NumberByTelephone(n); einv == nil {
			if !strings.EqualFold(inv.NumberType, tenant.TypeDirectRouting) {
				report(j, "%s is not in the tenant's number inventory: %s emergency numbers of policy %s must be numbers the tenant has",
					n, inv.NumberType, p.name)
				continue
			}
		} else if !strings.EqualFold(einv.NumberType, inv.NumberType) {
			report(j, "%s is a %s number but the resource account number %s of policy %s is %s",
				n, einv.NumberType, num.Number, p.name, inv.NumberType)
			continue
		}
		if ec := c.countryOf(n); ec != "" && raCountry != "" && ec != raCountry {
			report(j, "%s is a number of %s but the resource account number %s of policy %s is of %s",
				n, ec, num.Number, p.name, raCountry)
		}
	}
}

// fitUndeclaredGlobal checks the Global policy when the desired state does
// not declare it but the tenant's Global uses a resource account whose
// number the desired state changes or gives away. callops leaves an
// undeclared Global as it is (docs/decisions.md), so its account must still
// fit it afterwards; the problems are reported where the desired state
// changes the account's number.
func (c *computer) fitUndeclaredGlobal(accountChanges map[string]*AccountChange, released map[string]bool) {
	if c.globalDeclared {
		return // declared (in any case): checked as any policy
	}
	g := c.s.PolicyByIdentity(tenant.GlobalPolicy)
	if g == nil || g.ResourceAccount == "" {
		return
	}
	ra := c.s.ResourceAccountByID(g.ResourceAccount)
	if ra == nil {
		return
	}
	k := lower(ra.UserPrincipalName)
	var num NumberAssignment
	var path string
	var pos schema.Pos
	switch {
	case accountChanges[k] != nil && accountChanges[k].NumberChanged():
		// A location-only change leaves Global's fit as it is: a
		// problem the tenant has already is not blamed on the desired
		// state.
		num = accountChanges[k].After
		path = schema.Path("resourceAccounts", ra.UserPrincipalName, "number")
		if decl, ok := c.d.ResourceAccount(ra.UserPrincipalName); ok {
			pos = decl.NumberPos
		}
	case released[k]:
		// The number goes to a holder the desired state declares.
		h := c.desired[c.current(ra.ObjectID).Number]
		path, pos = schema.Path(h.path...), h.pos
	default:
		return
	}
	var emergency []schema.Located
	for _, e := range g.EmergencyNumbers {
		if c.takeFromPolicy[policyKey(g.Identity)][e] {
			continue // the desired state gives it to another holder
		}
		emergency = append(emergency, schema.Located{Value: e})
	}
	c.fitAccount(fitPolicy{
		name: tenant.GlobalPolicy, account: ra.UserPrincipalName, number: num, emergency: emergency,
		at:   func(int) (string, schema.Pos) { return path, pos },
		note: "; policy Global is not declared, so callops leaves it as it is: declare it (with the account it should use), or leave the account's number alone",
	})
}

// checkAssignable reports a number callops can't assign to the holder.
func (c *computer) checkAssignable(number, holder, capability, path string, pos schema.Pos) {
	inv := c.s.NumberByTelephone(number)
	if inv == nil {
		return
	}
	if strings.EqualFold(inv.NumberSource, "OnPremises") {
		c.problem(path, pos, "%s is an on-premises number (NumberSource OnPremises): callops can't assign it", number)
		return
	}
	if len(inv.Capability) > 0 {
		for _, cp := range inv.Capability {
			if strings.EqualFold(cp, capability) {
				return
			}
		}
		c.problem(path, pos, "%s can't be assigned to %s: its capabilities are %s, not %s",
			number, holder, strings.Join(inv.Capability, ", "), capability)
	}
}

// countryOf is the ISO 3166-1 alpha-2 country of a number as the service
// sees it: the inventory's IsoCountryCode, else the libphonenumber region;
// "" when unknown.
func (c *computer) countryOf(n string) string {
	if inv := c.s.NumberByTelephone(n); inv != nil && inv.IsoCountryCode != "" {
		return strings.ToUpper(inv.IsoCountryCode)
	}
	p, _ := phone.Parse(n)
	if p.Region == "001" || p.Region == "ZZ" {
		return ""
	}
	return p.Region
}
