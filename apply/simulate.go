package apply

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/callops/callops/diff"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// Rules of a VerifyError that are not the service's own (tenant.Rule*).
const (
	// RuleNotConverged: after the last step the tenant still differs from
	// the desired state.
	RuleNotConverged = "not-converged"
	// RuleOutageOpen: after the last step a resource account used by
	// policies still has no located number.
	RuleOutageOpen = "outage-open"
)

// VerifyError is returned when a plan fails its simulation: a step the
// service refuses, a step after which a service invariant breaks that held
// before the plan, or a final state that is not the desired state. A plan
// that fails verification is a bug in callops: it must never be shown or
// applied.
type VerifyError struct {
	// Step is the 1-based index of the failing step; for a final state
	// that does not match the desired state it is the number of steps.
	Step int
	// Rule is the tenant rule id of the refusal or violation, or
	// RuleNotConverged or RuleOutageOpen.
	Rule    string
	Message string
}

func (e *VerifyError) Error() string {
	return fmt.Sprintf("plan fails verification at step %d (%s): %s (this is a bug in callops)", e.Step, e.Rule, e.Message)
}

// Verify simulates steps on a copy of s through tenant.Snapshot.Apply (the
// service's rules) and returns a *VerifyError when a step is refused, when
// a step breaks a service invariant (tenant.Snapshot.CheckInvariants) that
// held before the plan, or when the final state differs from d
// (diff.Compute finds changes). A resource account used by policies may be
// without a located number only inside an outage window: from the step
// that unassigns its number to the step that gives it a located number
// again (or moves its last policy off it). Build reports each such window
// as an outbound-outage Hazard. Verify never modifies s.
//
// Invariants that are already broken in s (a corrupt or hand-edited
// tenant) are not blamed on the plan. Invariants are checked on the part
// of the tenant the steps touch (its policies, resource accounts, numbers
// and users, the policies that use those accounts, all group assignments),
// which is everything a step can change, so the cost grows with the plan,
// not with the tenant; after grant steps they are checked at the end of
// each run of grants (Apply refuses a grant of a missing policy and a
// duplicate rank, the only invariants a grant can touch).
func Verify(d *schema.Desired, s *tenant.Snapshot, steps []Step) error {
	_, err := simulate(d, s, steps)
	return err
}

// outage is a window in which a resource account used by policies has no
// located number.
type outage struct {
	account  string // UPN
	open     int    // step index that opened it
	close    int    // step index that closed it
	policies []string
	users    int // users granted those policies directly
	groups   int // group assignments of those policies
	global   bool
}

type simulation struct {
	full, proj *tenant.Snapshot
	base       map[string]bool
	open       map[string]*outage // lower account UPN -> open window
	outages    []outage
}

func violationKey(v tenant.Violation) string {
	return v.Rule + "\x00" + v.Policy + "\x00" + v.Number + "\x00" + v.Message
}

func isGrant(a tenant.Action) bool {
	return a == tenant.GrantUser || a == tenant.GrantGroup || a == tenant.GrantGlobal
}

func simulate(d *schema.Desired, s *tenant.Snapshot, steps []Step) ([]outage, error) {
	if d == nil || s == nil {
		return nil, errors.New("verifying plan: nil desired state or snapshot")
	}
	sim := &simulation{full: s.Clone(), proj: project(s, steps), base: map[string]bool{}, open: map[string]*outage{}}
	for _, v := range sim.proj.CheckInvariants() {
		sim.base[violationKey(v)] = true
	}
	for i, st := range steps {
		idx := i + 1
		if st.Op.Action == tenant.NumberUnassign {
			sim.maybeOpen(st.Op.Holder, idx)
		}
		if err := sim.full.Apply(st.Op); err != nil {
			return nil, refusal(idx, err)
		}
		if st.Op.Action != tenant.GrantUser || sim.proj.UserByUPN(st.Op.User) != nil {
			if err := sim.proj.Apply(st.Op); err != nil {
				return nil, refusal(idx, err)
			}
		}
		sim.closeWindows(idx)
		last := i == len(steps)-1
		if isGrant(st.Op.Action) && !last && isGrant(steps[i+1].Op.Action) {
			continue
		}
		if err := sim.checkInvariants(idx); err != nil {
			return nil, err
		}
	}
	if len(sim.open) > 0 {
		var names []string
		for _, o := range sim.open {
			names = append(names, o.account)
		}
		sort.Strings(names)
		return nil, &VerifyError{Step: len(steps), Rule: RuleOutageOpen,
			Message: fmt.Sprintf("resource account %s is left without a located number while policies use it", strings.Join(names, ", "))}
	}
	ch, err := diff.Compute(d, sim.full)
	if err != nil {
		return nil, &VerifyError{Step: len(steps), Rule: RuleNotConverged, Message: err.Error()}
	}
	if !ch.Empty() {
		return nil, &VerifyError{Step: len(steps), Rule: RuleNotConverged, Message: describeChanges(ch)}
	}
	sort.Slice(sim.outages, func(i, j int) bool { return sim.outages[i].open < sim.outages[j].open })
	return sim.outages, nil
}

func refusal(step int, err error) error {
	var re *tenant.RefusedError
	if errors.As(err, &re) {
		return &VerifyError{Step: step, Rule: re.Rule, Message: re.Error()}
	}
	return &VerifyError{Step: step, Rule: tenant.RuleInvalidOp, Message: err.Error()}
}

// maybeOpen opens a window when a resource account that policies use is
// about to lose its number.
func (sim *simulation) maybeOpen(holder string, step int) {
	ra := sim.proj.ResourceAccountByUPN(holder)
	if ra == nil {
		return
	}
	k := lower(ra.UserPrincipalName)
	if sim.open[k] != nil {
		return
	}
	policies := sim.proj.PoliciesOfResourceAccount(ra.ObjectID)
	if len(policies) == 0 {
		return
	}
	o := &outage{account: ra.UserPrincipalName, open: step, policies: policies}
	inUse := map[string]bool{}
	for _, p := range policies {
		inUse[lower(p)] = true
		o.users += sim.full.CountUsersOfPolicy(p)
	}
	for _, ga := range sim.proj.GroupAssignments {
		if inUse[lower(policyName(ga.PolicyName))] {
			o.groups++
		}
	}
	o.global = inUse[lower(policyName(sim.proj.Tenant.GlobalPolicy))]
	sim.open[k] = o
}

// closeWindows closes the windows of accounts that have a located number
// again, or that no policy uses any more.
func (sim *simulation) closeWindows(step int) {
	if len(sim.open) == 0 {
		return
	}
	keys := make([]string, 0, len(sim.open))
	for k := range sim.open {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		o := sim.open[k]
		if sim.locatedNumber(o.account) || len(sim.proj.PoliciesOfResourceAccount(o.account)) == 0 {
			o.close = step
			sim.outages = append(sim.outages, *o)
			delete(sim.open, k)
		}
	}
}

func (sim *simulation) locatedNumber(account string) bool {
	n := sim.proj.NumberHeldBy(account)
	if n == nil || n.LocationID == "" || strings.Trim(n.LocationID, "0-{}") == "" {
		return false
	}
	return sim.proj.LocationByID(n.LocationID) != nil
}

func (sim *simulation) checkInvariants(step int) error {
	for _, v := range sim.proj.CheckInvariants() {
		if sim.base[violationKey(v)] {
			continue
		}
		if (v.Rule == tenant.RuleRANumber || v.Rule == tenant.RuleRALocation) && v.Policy != "" {
			if p := sim.proj.PolicyByIdentity(v.Policy); p != nil {
				if ra := sim.proj.ResourceAccountByID(p.ResourceAccount); ra != nil && sim.open[lower(ra.UserPrincipalName)] != nil {
					continue
				}
			}
		}
		return &VerifyError{Step: step, Rule: v.Rule, Message: v.Message}
	}
	return nil
}

// describeChanges words the first few changes left after a plan, for a
// VerifyError.
func describeChanges(ch *diff.Changes) string {
	var parts []string
	for _, p := range ch.Policies {
		parts = append(parts, fmt.Sprintf("policy %s (%s)", p.Name, p.Kind))
	}
	for _, a := range ch.ResourceAccounts {
		parts = append(parts, fmt.Sprintf("resource account %s", a.UPN))
	}
	for _, u := range ch.UserNumbers {
		parts = append(parts, fmt.Sprintf("number of user %s", u.UPN))
	}
	for _, r := range ch.Releases {
		parts = append(parts, fmt.Sprintf("%s still held by %s", r.Number, r.Holder))
	}
	for _, g := range ch.Grants {
		parts = append(parts, fmt.Sprintf("grant of user %s", g.User))
	}
	for _, g := range ch.Groups {
		parts = append(parts, fmt.Sprintf("assignment of group %s", g.Group))
	}
	if ch.TenantDefault != nil {
		parts = append(parts, "tenant default")
	}
	more := ""
	if len(parts) > 5 {
		more = fmt.Sprintf(" and %d more", len(parts)-5)
		parts = parts[:5]
	}
	return "the final state still differs from the desired state: " + strings.Join(parts, ", ") + more
}
