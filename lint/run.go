package lint

import (
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// Run checks a desired state with every rule and returns all findings, sorted
// by file, line, column and rule. state may be nil: rules that need it
// (Rule.NeedsState) are then skipped. Run does not modify d or state.
// state is taken to be valid (tenant.Parse and Snapshot.Validate check it):
// in a state where two users share an ObjectId, the user-has-number rule
// knows the number held under that id for one of them only.
func Run(d *schema.Desired, state *tenant.Snapshot) []Finding {
	if d == nil {
		return nil
	}
	other := ""
	if state != nil && tenant.OtherDomain(d.Domain, state.Tenant.Domain) {
		// The state is of another tenant: its users, accounts and numbers
		// say nothing about this desired state. Say so once (rule
		// tenant-domain) and lint as without a state, instead of calling
		// every name unknown.
		other, state = state.Tenant.Domain, nil
	}
	c := newContext(d, state)
	c.otherDomain = other
	for i := range allRules {
		r := &allRules[i]
		skip := r.check == nil || (r.NeedsState && state == nil)
		if r.ID == RuleTenantDomain {
			skip = other == ""
		}
		if skip {
			continue
		}
		c.rule = r
		r.check(c)
	}
	Sort(c.findings)
	return c.findings
}
