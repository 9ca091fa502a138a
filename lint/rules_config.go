package lint

import (
	"strings"

	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// configRules are the configuration rules of Shared Calling
// (DOMAIN.md "Configuration rules"). Explicitly allowed and never flagged:
// the same resource account in several policies, a policy without emergency
// numbers, emergency numbers without a location.
var configRules = []Rule{
	{
		ID: "policy-resource-account", Severity: Error, Source: srcSetupConfig,
		Summary: "a policy names a resource account that is declared (or exists in the tenant)",
		check:   checkPolicyResourceAccount,
	},
	{
		ID: "resource-account-number", Severity: Error, Source: srcSetupConfig,
		Summary: "a resource account used by a policy has a CallingPlan, OperatorConnect or DirectRouting number (without one, outbound calls fail)",
		check:   checkResourceAccountNumber,
	},
	{
		ID: "resource-account-location", Severity: Error, Source: srcSetupConfig,
		Summary: "the number of a resource account used by a policy has an emergency location (a known LocationId)",
		check:   checkResourceAccountLocation,
	},
	{
		ID: "policy-number-type", Severity: Error, Source: srcSetupConfig,
		Summary: "all numbers of a policy (the resource account's and the emergency numbers, typed by the tenant's inventory) have the same number type",
		check:   checkPolicyNumberType,
	},
	{
		ID: "policy-number-country", Severity: Error, Source: srcSetupConfig,
		Summary: "all numbers of a policy have the same country (libphonenumber region; with a state, the inventory's IsoCountryCode)",
		check:   checkPolicyNumberCountry,
	},
	{
		ID: "undeclared-global", Severity: Error, Source: srcSetupConfig + "; docs/decisions.md (an undeclared Global is left as it is)", NeedsState: true,
		Summary: "when Global is not declared, the resource account the tenant's Global uses still fits it after the desired state changes or gives away its number (type, emergency location, emergency numbers' type and country)",
		check:   checkUndeclaredGlobal,
	},
	{
		ID: "location-country", Severity: Warning, Source: srcSetupConfig,
		Summary: "a resource account's emergency location is in the country of its number",
		check:   checkLocationCountry,
	},
	{
		ID: "calling-plan-country", Severity: Error, Source: srcPlan,
		Summary: "Calling Plan service numbers can't be a Shared Calling resource account's number in RO, CZ, HU, SG, NZ, AU and JP",
		check:   checkCallingPlanCountry,
	},
	{
		ID: "toll-free-emergency-numbers", Severity: Error, Source: srcSetupEmergency,
		Summary: "a policy whose resource account has a toll-free number has emergency numbers",
		check:   checkTollFreeEmergencyNumbers,
	},
}

func checkPolicyResourceAccount(c *Context) {
	for i := range c.desired.Policies {
		p := &c.desired.Policies[i]
		if p.ResourceAccount == "" {
			c.report(p.Pos, schema.Path("policies", p.Name), "policy %s names no resource account", p.Name)
			continue
		}
		if c.line(p.ResourceAccount).exists {
			continue
		}
		where := "is not declared in resourceAccounts"
		if c.state != nil {
			where = "is neither declared in resourceAccounts nor a resource account of the tenant"
		}
		c.report(p.ResourceAccountPos, schema.Path("policies", p.Name, "resourceAccount"),
			"resource account %s of policy %s %s", p.ResourceAccount, p.Name, where)
	}
}

func isNumberType(t string) bool {
	return t == schema.CallingPlan || t == schema.OperatorConnect || t == schema.DirectRouting
}

func checkResourceAccountNumber(c *Context) {
	c.forUsedAccounts(func(l accountLine, p *schema.Policy) {
		switch {
		case l.lostTo != "":
			pos, path := accountRef(l, p, "", schema.Pos{})
			c.report(pos, path, "resource account %s, used by policy %s, loses its number to %s: outbound calls of the policy's users fail; declare another number for it, or move the policy to another account",
				l.upn, p.Name, l.lostTo)
		case l.number == "":
			pos, path := accountRef(l, p, "", schema.Pos{})
			c.report(pos, path, "resource account %s, used by policy %s, has no number: outbound calls of the policy's users fail", l.upn, p.Name)
		case l.numType == "":
			pos, path := accountRef(l, p, "", schema.Pos{})
			c.report(pos, path, "the number %s of resource account %s, used by policy %s, has no number type", l.number, l.upn, p.Name)
		case !isNumberType(l.numType):
			var typePos schema.Pos
			if l.declared != nil {
				typePos = l.declared.TypePos
			}
			pos, path := accountRef(l, p, "type", typePos)
			c.report(pos, path, "the number %s of resource account %s, used by policy %s, is of type %q: want CallingPlan, OperatorConnect or DirectRouting", l.number, l.upn, p.Name, l.numType)
		}
	})
}

func checkResourceAccountLocation(c *Context) {
	// A location key that names no declared location is wrong for any
	// account, used or not: the plan could not resolve it.
	for i := range c.desired.ResourceAccounts {
		ra := &c.desired.ResourceAccounts[i]
		if ra.Location == "" {
			continue
		}
		if _, ok := c.locations[ra.Location]; !ok {
			c.report(ra.LocationPos, schema.Path("resourceAccounts", ra.UPN, "location"),
				"location %q of resource account %s is not declared in locations", ra.Location, ra.UPN)
		}
	}
	c.forUsedAccounts(func(l accountLine, p *schema.Policy) {
		if l.number == "" || l.locationID != "" {
			return
		}
		if l.declared != nil && l.declared.Location != "" {
			return // an undeclared key, reported above
		}
		pos, path := accountRef(l, p, "", schema.Pos{})
		c.report(pos, path, "the number %s of resource account %s, used by policy %s, has no emergency location", l.number, l.upn, p.Name)
	})
}

func checkPolicyNumberType(c *Context) {
	if c.state == nil {
		// Only the inventory knows the type of an emergency number.
		return
	}
	for i := range c.desired.Policies {
		p := &c.desired.Policies[i]
		l := c.line(p.ResourceAccount)
		refType, ref := l.numType, "resource account "+l.upn+"'s number "+l.number
		for j, e := range p.EmergencyNumbers {
			inv := c.inventory(e.Value)
			if inv == nil || inv.NumberType == "" {
				continue
			}
			if refType == "" {
				refType, ref = inv.NumberType, "emergency number "+e.Value
				continue
			}
			if !strings.EqualFold(inv.NumberType, refType) {
				c.report(e.Pos, schema.Path("policies", p.Name, "emergencyNumbers", j),
					"emergency number %s of policy %s is a %s number, but %s is %s: all numbers of a policy have the same type",
					e.Value, p.Name, inv.NumberType, ref, refType)
			}
		}
	}
}

func checkPolicyNumberCountry(c *Context) {
	for i := range c.desired.Policies {
		p := &c.desired.Policies[i]
		l := c.line(p.ResourceAccount)
		var refCountry, ref string
		if l.number != "" {
			refCountry, ref = c.country(l.number), "resource account "+l.upn+"'s number "+l.number
		}
		for j, e := range p.EmergencyNumbers {
			ec := c.country(e.Value)
			if ec == "" {
				continue
			}
			if refCountry == "" {
				refCountry, ref = ec, "emergency number "+e.Value
				continue
			}
			if ec != refCountry {
				c.report(e.Pos, schema.Path("policies", p.Name, "emergencyNumbers", j),
					"emergency number %s of policy %s is in %s, but %s is in %s: all numbers of a policy have the same country",
					e.Value, p.Name, ec, ref, refCountry)
			}
		}
	}
}

func checkLocationCountry(c *Context) {
	for i := range c.desired.ResourceAccounts {
		ra := &c.desired.ResourceAccounts[i]
		loc, ok := c.locations[ra.Location]
		if !ok || ra.Number == "" {
			continue
		}
		lc := strings.ToUpper(loc.Country)
		if lc == "" && c.state != nil {
			if sl := c.stateLocation(loc.ID); sl != nil {
				lc = strings.ToUpper(sl.CountryOrRegion)
			}
		}
		nc := c.country(ra.Number)
		if lc == "" || nc == "" || lc == nc {
			continue
		}
		c.report(ra.LocationPos, schema.Path("resourceAccounts", ra.UPN, "location"),
			"location %s of resource account %s is in %s, but its number %s is in %s", ra.Location, ra.UPN, lc, ra.Number, nc)
	}
}

// callingPlanBlocked lists the countries where a Calling Plan service number
// can't be a Shared Calling resource account's number.
var callingPlanBlocked = map[string]bool{"RO": true, "CZ": true, "HU": true, "SG": true, "NZ": true, "AU": true, "JP": true}

func checkCallingPlanCountry(c *Context) {
	c.forUsedAccounts(func(l accountLine, p *schema.Policy) {
		if l.number == "" || l.numType != schema.CallingPlan {
			return
		}
		cc := c.country(l.number)
		if !callingPlanBlocked[cc] {
			return
		}
		var numPos schema.Pos
		if l.declared != nil {
			numPos = l.declared.NumberPos
		}
		pos, path := accountRef(l, p, "number", numPos)
		c.report(pos, path, "resource account %s, used by policy %s, has Calling Plan number %s in %s: Shared Calling can't use Calling Plan service numbers in %s",
			l.upn, p.Name, l.number, cc, cc)
	})
}

func checkTollFreeEmergencyNumbers(c *Context) {
	for i := range c.desired.Policies {
		p := &c.desired.Policies[i]
		if len(p.EmergencyNumbers) > 0 || p.ResourceAccount == "" {
			continue
		}
		l := c.line(p.ResourceAccount)
		if l.number == "" {
			continue
		}
		n, ok := c.parsed(l.number)
		if !ok || !n.TollFree {
			continue
		}
		c.report(p.ResourceAccountPos, schema.Path("policies", p.Name, "resourceAccount"),
			"policy %s has no emergency numbers, but its resource account %s has toll-free number %s, which can't be an emergency callback number",
			p.Name, l.upn, l.number)
	}
}

// undeclaredGlobalNote ends every undeclared-global finding: why a policy the
// desired state does not mention is checked, and the two ways out.
const undeclaredGlobalNote = "; policy Global is not declared, so callops leaves it as it is: declare it (with the account it should use), or leave the account's number alone"

// checkUndeclaredGlobal checks the tenant's Global policy when the desired
// state does not declare it. callops leaves an undeclared Global as it is
// (docs/decisions.md), so when the desired state changes the number of the
// resource account Global uses, or gives that number to another holder, the
// account must still fit Global afterwards: plan refuses the desired state
// otherwise (diff/fit.go, fitUndeclaredGlobal, which this mirrors). A
// location-only change, or a problem Global has already, is not reported.
// Findings point where the desired state changes the number. What the
// account's own policies' rules report (resource-account-number,
// resource-account-location for an account a declared policy uses too) is
// not reported twice.
func checkUndeclaredGlobal(c *Context) {
	for _, p := range c.desired.Policies {
		if strings.EqualFold(p.Name, tenant.GlobalPolicy) {
			return // declared (in any case, as plan reads it): checked as any policy
		}
	}
	g := c.state.PolicyByIdentity(tenant.GlobalPolicy)
	if g == nil || g.ResourceAccount == "" {
		return
	}
	sra := c.state.ResourceAccountByID(g.ResourceAccount)
	if sra == nil {
		return
	}
	upn := sra.UserPrincipalName
	cur := c.heldBy(sra.ObjectID)
	var at holderAt
	if decl, ok := c.accounts[lower(upn)]; ok {
		if cur != nil && cur.TelephoneNumber == decl.Number {
			return
		}
		at = holderAt{pos: decl.NumberPos, path: schema.Path("resourceAccounts", decl.UPN, "number")}
	} else {
		if cur == nil {
			return
		}
		if at = c.givenTo(cur.TelephoneNumber); at.what == "" {
			return
		}
	}
	l := c.line(upn)
	report := func(format string, args ...any) {
		c.report(at.pos, at.path, format+undeclaredGlobalNote, args...)
	}
	if len(c.accountPolicies[lower(upn)]) == 0 {
		switch {
		case l.lostTo != "":
			report("resource account %s, used by policy Global, loses its number to %s: outbound calls of Global's users fail", upn, l.lostTo)
			return
		case !isNumberType(l.numType):
			report("the number %s of resource account %s, used by policy Global, is of type %q: want CallingPlan, OperatorConnect or DirectRouting", l.number, upn, l.numType)
			return
		case l.locationID == "":
			report("the number %s of resource account %s, used by policy Global, will have no emergency location", l.number, upn)
		}
	}
	if l.number == "" || !isNumberType(l.numType) {
		return // reported by the rules of the declared policies using the account
	}
	country := c.country(l.number)
	for _, e := range g.EmergencyNumbers {
		if c.takenBy(e) != "" {
			continue // the desired state gives it to another holder
		}
		inv := c.inventory(e)
		switch {
		case inv == nil:
			if l.numType != schema.DirectRouting {
				report("emergency number %s of policy Global is not in the tenant's number inventory, but the %s number %s of its resource account %s needs it there", e, l.numType, l.number, upn)
			}
			continue
		case !strings.EqualFold(inv.NumberType, l.numType):
			report("emergency number %s of policy Global is a %s number, but resource account %s's number %s is %s: all numbers of a policy have the same type",
				e, inv.NumberType, upn, l.number, l.numType)
			continue
		}
		if ec := c.country(e); ec != "" && country != "" && ec != country {
			report("emergency number %s of policy Global is in %s, but resource account %s's number %s is in %s: all numbers of a policy have the same country",
				e, ec, upn, l.number, country)
		}
	}
}
