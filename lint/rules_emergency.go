package lint

import (
	"github.com/callops/callops/internal/phone"
	"github.com/callops/callops/schema"
)

// emergencyRules are the emergency calling rules of Shared Calling
// (DOMAIN.md "Emergency rules"). That an emergency number must leave its
// policy before it is deleted or reassigned is a plan-ordering rule, not a
// lint rule.
var emergencyRules = []Rule{
	{
		ID: "emergency-number-reused", Severity: Error, Source: srcSetupEmergency,
		Summary: "an emergency number is in one policy only",
		check:   checkEmergencyNumberReused,
	},
	{
		ID: "emergency-number-assigned", Severity: Error, Source: srcSetupEmergency,
		Summary: "an emergency number is not the number of a user or resource account",
		check:   checkEmergencyNumberAssigned,
	},
	{
		ID: "emergency-number-in-tenant", Severity: Error, Source: srcSetupEmergency, NeedsState: true,
		Summary: "Calling Plan and Operator Connect emergency numbers are numbers the tenant has",
		check:   checkEmergencyNumberInTenant,
	},
	{
		ID: "emergency-number-duplicate", Severity: Error, Source: srcSetupEmergency,
		Summary: "a policy lists each emergency number once",
		check:   checkEmergencyNumberDuplicate,
	},
	{
		ID: "emergency-number-extension", Severity: Error, Source: srcSetupEmergency,
		Summary: "emergency numbers are plain E.164 numbers, without ;ext=",
		check:   checkEmergencyNumberExtension,
	},
}

// emergencyOccurrence is one emergency number of one policy.
type emergencyOccurrence struct {
	policy int // index in Desired.Policies
	elem   int // index in the policy's EmergencyNumbers
}

// forFirstEmergencyNumbers calls fn for each emergency number of each policy,
// skipping repeats within a policy (emergency-number-duplicate reports them).
func (c *Context) forFirstEmergencyNumbers(fn func(i int, p *schema.Policy, j int, e schema.Located)) {
	seen := map[string]bool{}
	for i := range c.desired.Policies {
		p := &c.desired.Policies[i]
		clear(seen)
		for j, e := range p.EmergencyNumbers {
			if seen[e.Value] {
				continue
			}
			seen[e.Value] = true
			fn(i, p, j, e)
		}
	}
}

func checkEmergencyNumberReused(c *Context) {
	occ := map[string][]emergencyOccurrence{}
	var order []string
	c.forFirstEmergencyNumbers(func(i int, _ *schema.Policy, j int, e schema.Located) {
		if _, ok := occ[e.Value]; !ok {
			order = append(order, e.Value)
		}
		occ[e.Value] = append(occ[e.Value], emergencyOccurrence{policy: i, elem: j})
	})
	for _, num := range order {
		os := occ[num]
		if len(os) < 2 {
			continue
		}
		names := make([]string, len(os))
		for k, o := range os {
			names[k] = c.desired.Policies[o.policy].Name
		}
		for _, o := range os[1:] {
			p := &c.desired.Policies[o.policy]
			c.report(p.EmergencyNumbers[o.elem].Pos, schema.Path("policies", p.Name, "emergencyNumbers", o.elem),
				"%s is an emergency number of policies %s", num, policyNames(names))
		}
	}
}

func checkEmergencyNumberAssigned(c *Context) {
	holder := make(map[string]string, len(c.desired.ResourceAccounts)+len(c.desired.UserNumbers))
	for _, u := range c.desired.UserNumbers {
		if u.Number != "" {
			holder[u.Number] = "user " + u.UPN
		}
	}
	for _, ra := range c.desired.ResourceAccounts {
		if ra.Number != "" {
			holder[ra.Number] = "resource account " + ra.UPN
		}
	}
	c.forFirstEmergencyNumbers(func(_ int, p *schema.Policy, j int, e schema.Located) {
		if h, ok := holder[e.Value]; ok {
			c.report(e.Pos, schema.Path("policies", p.Name, "emergencyNumbers", j),
				"%s is an emergency number of policy %s and the number of %s: an emergency number can't be assigned", e.Value, p.Name, h)
		}
	})
}

func checkEmergencyNumberInTenant(c *Context) {
	for i := range c.desired.Policies {
		p := &c.desired.Policies[i]
		l := c.line(p.ResourceAccount)
		// Direct Routing numbers live in the customer's SBC, not in the
		// tenant's inventory; with an unknown type, don't guess.
		if l.numType != schema.CallingPlan && l.numType != schema.OperatorConnect {
			continue
		}
		seen := map[string]bool{}
		for j, e := range p.EmergencyNumbers {
			if seen[e.Value] {
				continue
			}
			seen[e.Value] = true
			if _, ext := phone.Split(e.Value); ext != "" || phone.CheckE164(e.Value) != nil {
				continue // emergency-number-extension, number-format
			}
			if c.inventory(e.Value) == nil {
				c.report(e.Pos, schema.Path("policies", p.Name, "emergencyNumbers", j),
					"emergency number %s of policy %s is not a number of the tenant: %s emergency numbers must be in the tenant's inventory",
					e.Value, p.Name, l.numType)
			}
		}
	}
}

func checkEmergencyNumberDuplicate(c *Context) {
	first := map[string]int{}
	for i := range c.desired.Policies {
		p := &c.desired.Policies[i]
		clear(first)
		for j, e := range p.EmergencyNumbers {
			if k, dup := first[e.Value]; dup {
				c.report(e.Pos, schema.Path("policies", p.Name, "emergencyNumbers", j),
					"%s is listed twice in the emergency numbers of policy %s (also at [%d])", e.Value, p.Name, k)
				continue
			}
			first[e.Value] = j
		}
	}
}

func checkEmergencyNumberExtension(c *Context) {
	for i := range c.desired.Policies {
		p := &c.desired.Policies[i]
		for j, e := range p.EmergencyNumbers {
			if base, ext := phone.Split(e.Value); ext != "" || base != e.Value {
				c.report(e.Pos, schema.Path("policies", p.Name, "emergencyNumbers", j),
					"emergency number %s of policy %s has an extension: emergency numbers are plain E.164 (use %s)", e.Value, p.Name, base)
			}
		}
	}
}
