package diff

import (
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
// has and the desired state leaves alone is not blamed on it.
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
		if num.Number == "" {
			c.problem(path+".resourceAccount", p.ResourceAccountPos,
				"resource account %s of policy %s will have no number (declare its number)", ra.UserPrincipalName, p.Name)
			continue
		}
		inv := c.s.NumberByTelephone(num.Number)
		if inv == nil {
			continue // reported by accounts()
		}
		switch {
		case strings.EqualFold(inv.NumberType, tenant.TypeCallingPlan), strings.EqualFold(inv.NumberType, tenant.TypeOperatorConnect),
			strings.EqualFold(inv.NumberType, tenant.TypeDirectRouting):
		default:
			c.problem(path+".resourceAccount", p.ResourceAccountPos,
				"resource account %s of policy %s holds %s, a %s number: it needs a Calling Plan, Operator Connect or Direct Routing number",
				ra.UserPrincipalName, p.Name, num.Number, inv.NumberType)
			continue
		}
		if num.Location == "" || c.s.LocationByID(num.Location) == nil {
			c.problem(path+".resourceAccount", p.ResourceAccountPos,
				"number %s of resource account %s (policy %s) will have no emergency location (declare the account's location)",
				num.Number, ra.UserPrincipalName, p.Name)
		}
		raCountry := c.countryOf(num.Number)
		for j, e := range p.EmergencyNumbers {
			epath := schema.Path("policies", p.Name, "emergencyNumbers", j)
			n := e.Value
			if strings.Contains(n, ";") {
				c.problem(epath, e.Pos, "emergency number %s has an extension: emergency numbers are plain E.164", n)
				continue
			}
			if phone.CheckE164(n) != nil {
				c.problem(epath, e.Pos, "emergency number %q is not an E.164 number", n)
				continue
			}
			if einv := c.s.NumberByTelephone(n); einv == nil {
				if !strings.EqualFold(inv.NumberType, tenant.TypeDirectRouting) {
					c.problem(epath, e.Pos, "%s is not in the tenant's number inventory: %s emergency numbers of policy %s must be numbers the tenant has",
						n, inv.NumberType, p.Name)
					continue
				}
			} else if !strings.EqualFold(einv.NumberType, inv.NumberType) {
				c.problem(epath, e.Pos, "%s is a %s number but the resource account number %s of policy %s is %s",
					n, einv.NumberType, num.Number, p.Name, inv.NumberType)
				continue
			}
			if ec := c.countryOf(n); ec != "" && raCountry != "" && ec != raCountry {
				c.problem(epath, e.Pos, "%s is a number of %s but the resource account number %s of policy %s is of %s",
					n, ec, num.Number, p.Name, raCountry)
			}
		}
	}

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
