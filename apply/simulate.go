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

// InconsistentStateError is returned by Build instead of a *VerifyError
// when the plan failed its verification and the state itself breaks rules
// the service always keeps (tenant.Snapshot.Inconsistencies): the planner
// assumes those rules, so the state, not callops, is what to fix.
type InconsistentStateError struct {
	Violations []tenant.Violation
	Verify     *VerifyError
}

func (e *InconsistentStateError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "the state breaks rules the service always keeps, so no plan could be verified against it (%d problem", len(e.Violations))
	if len(e.Violations) != 1 {
		b.WriteString("s")
	}
	b.WriteString("):")
	for _, l := range e.Lines() {
		b.WriteString("\n  " + l)
	}
	b.WriteString("\n  " + e.Failed())
	return b.String()
}

// Lines are the violations as text, one line each ("message [rule]"), with
// what a terminal would act on escaped (tenant.Printable).
func (e *InconsistentStateError) Lines() []string {
	out := make([]string, len(e.Violations))
	for i, v := range e.Violations {
		out[i] = fmt.Sprintf("%s [%s]", tenant.Printable(v.Message), v.Rule)
	}
	return out
}

// Failed says where the plan failed its verification, escaped as Lines.
func (e *InconsistentStateError) Failed() string {
	if e.Verify == nil {
		return "the plan failed its verification"
	}
	return tenant.Printable(fmt.Sprintf("the plan failed its verification at step %d (%s): %s", e.Verify.Step, e.Verify.Rule, e.Verify.Message))
}

func (e *InconsistentStateError) Unwrap() error { return e.Verify }

// Verify simulates steps on a copy of s through tenant.Snapshot.Apply (the
// service's rules) and returns a *VerifyError when a step is refused, when
// a step breaks a service invariant (tenant.Snapshot.CheckInvariants), or
// when the final state differs from d (diff.Compute finds changes). A
// resource account used by policies may be without a located number only
// inside an outage window: from the step that unassigns its number to the
// step that gives it a located number again (or moves its last policy off
// it). Build reports each such window as an outbound-outage Hazard. Verify
// never modifies s.
//
// Invariants are checked after every step on the step's neighborhood (what
// it names, the holders of the numbers it names, the policies that use the
// accounts it names, and what those hold), before and after the step: a
// violation the step adds fails it, so a tenant that already breaks an
// invariant elsewhere is not blamed on the plan, and the cost grows with
// the plan, not with the tenant.
func Verify(d *schema.Desired, s *tenant.Snapshot, steps []Step) error {
	if d == nil {
		return errors.New("verifying plan: nil desired state")
	}
	_, err := simulate(d, s, steps)
	return err
}

// VerifySteps is Verify without a desired state: every step is simulated
// and checked against the service's rules and invariants, but the end state
// is not compared with anything. apply PLANFILE runs it before it carries a
// saved plan out, so a plan file that was edited or corrupted is refused
// before its first step instead of failing half-way.
func VerifySteps(s *tenant.Snapshot, steps []Step) error {
	_, err := simulate(nil, s, steps)
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

// voiceLoss is a user who ends the plan granted a Shared Calling policy
// without Enterprise Voice, which the unassign at step turned off.
type voiceLoss struct {
	user   string // UPN
	policy string
	step   int
}

// simResult is what a simulation found besides errors.
type simResult struct {
	outages []outage
	voice   []voiceLoss
}

type simulation struct {
	full *tenant.Snapshot
	// voiceOff maps a lower UPN to the step whose unassign turned the
	// user's Enterprise Voice off.
	voiceOff map[string]int
	// usedBy maps a lower account ObjectId to the lower names of the
	// policies that use it; policyRA is its inverse. Both follow the steps.
	usedBy   map[string]map[string]bool
	policyRA map[string]string
	open     map[string]*outage // lower account ObjectId -> open window
	outages  []outage
}

func violationKey(v tenant.Violation) string {
	return v.Rule + "\x00" + v.Policy + "\x00" + v.Number + "\x00" + v.Message
}

func isGrant(a tenant.Action) bool {
	return a == tenant.GrantUser || a == tenant.GrantGroup || a == tenant.GrantGlobal
}

func simulate(d *schema.Desired, s *tenant.Snapshot, steps []Step) (*simResult, error) {
	if s == nil {
		return nil, errors.New("verifying plan: nil snapshot")
	}
	sim := &simulation{full: s.Clone(), usedBy: map[string]map[string]bool{}, policyRA: map[string]string{},
		open: map[string]*outage{}, voiceOff: map[string]int{}}
	for _, p := range sim.full.Policies {
		sim.setPolicyRA(lower(policyName(p.Identity)), lower(p.ResourceAccount))
	}
	for i, st := range steps {
		idx := i + 1
		if isGrant(st.Op.Action) {
			// A grant moves users, groups or the tenant default between
			// policies Apply has checked exist; it touches no number,
			// account or location, so it cannot break an invariant.
			// Skipping the neighbourhood check matters: most steps of
			// a large plan are grants.
			if err := sim.full.Apply(st.Op); err != nil {
				return nil, refusal(idx, err)
			}
			sim.closeWindows(idx)
			continue
		}
		nb := sim.neighborhood(st.Op)
		before := map[string]bool{}
		for _, v := range nb.snapshot(sim.full).CheckInvariants() {
			before[violationKey(v)] = true
		}
		voice := false
		if st.Op.Action == tenant.NumberUnassign {
			sim.maybeOpen(st.Op.Holder, idx)
			if u := sim.full.UserByUPN(st.Op.Holder); u != nil {
				voice = u.EnterpriseVoiceEnabled
			}
		}
		if err := sim.full.Apply(st.Op); err != nil {
			return nil, refusal(idx, err)
		}
		if u := sim.full.UserByUPN(st.Op.Holder); voice && u != nil && !u.EnterpriseVoiceEnabled {
			sim.voiceOff[lower(u.UserPrincipalName)] = idx
		}
		if st.Op.Policy != "" {
			k := lower(policyName(st.Op.Policy))
			ra := ""
			if p := sim.full.PolicyByIdentity(st.Op.Policy); p != nil {
				ra = lower(p.ResourceAccount)
			}
			sim.setPolicyRA(k, ra)
		}
		sim.closeWindows(idx)
		for _, v := range nb.snapshot(sim.full).CheckInvariants() {
			if before[violationKey(v)] || sim.inWindow(v) {
				continue
			}
			return nil, &VerifyError{Step: idx, Rule: v.Rule, Message: v.Message}
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
	if d == nil {
		// VerifySteps: no desired state to converge to.
		return &simResult{outages: sim.outages}, nil
	}
	ch, err := diff.Compute(d, sim.full)
	if err != nil {
		return nil, &VerifyError{Step: len(steps), Rule: RuleNotConverged, Message: err.Error()}
	}
	if !ch.Empty() {
		return nil, &VerifyError{Step: len(steps), Rule: RuleNotConverged, Message: describeChanges(ch)}
	}
	sort.Slice(sim.outages, func(i, j int) bool { return sim.outages[i].open < sim.outages[j].open })
	res := &simResult{outages: sim.outages}
	for _, k := range sortedKeys(boolKeys(sim.voiceOff)) {
		if u := sim.full.UserByUPN(k); u != nil && !u.EnterpriseVoiceEnabled && u.SharedCallingPolicy != "" {
			res.voice = append(res.voice, voiceLoss{user: u.UserPrincipalName, policy: u.SharedCallingPolicy, step: sim.voiceOff[k]})
		}
	}
	return res, nil
}

func boolKeys(m map[string]int) map[string]bool {
	out := make(map[string]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// setPolicyRA records that policy k uses account ra ("" for none or a
// deleted policy).
func (sim *simulation) setPolicyRA(k, ra string) {
	if old, ok := sim.policyRA[k]; ok {
		delete(sim.usedBy[old], k)
		if len(sim.usedBy[old]) == 0 {
			delete(sim.usedBy, old)
		}
		delete(sim.policyRA, k)
	}
	if ra == "" {
		return
	}
	sim.policyRA[k] = ra
	if sim.usedBy[ra] == nil {
		sim.usedBy[ra] = map[string]bool{}
	}
	sim.usedBy[ra][k] = true
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
	ra := sim.full.ResourceAccountByUPN(holder)
	if ra == nil {
		return
	}
	id := lower(ra.ObjectID)
	if sim.open[id] != nil || len(sim.usedBy[id]) == 0 {
		return
	}
	o := &outage{account: ra.UserPrincipalName, open: step}
	for _, k := range sortedKeys(sim.usedBy[id]) {
		p := sim.full.PolicyByIdentity(k)
		if p == nil {
			continue
		}
		o.policies = append(o.policies, p.Identity)
		o.users += sim.full.CountUsersOfPolicy(p.Identity)
	}
	sort.Strings(o.policies)
	for _, ga := range sim.full.GroupAssignments {
		if sim.usedBy[id][lower(policyName(ga.PolicyName))] {
			o.groups++
		}
	}
	o.global = sim.usedBy[id][defaultPolicyKey(sim.full.Tenant.GlobalPolicy)]
	sim.open[id] = o
}

// defaultPolicyKey is the lower policy name of the tenant default
// globalPolicy, keyed as usedBy keys policies: an empty globalPolicy is the
// built-in Global instance, whose identity is "Global".
func defaultPolicyKey(globalPolicy string) string {
	if globalPolicy == "" {
		globalPolicy = tenant.GlobalPolicy
	}
	return lower(policyName(globalPolicy))
}

// closeWindows closes the windows of accounts that have a located number
// again, or that no policy uses any more.
func (sim *simulation) closeWindows(step int) {
	for _, id := range sortedOpen(sim.open) {
		o := sim.open[id]
		if sim.locatedNumber(o.account) || len(sim.usedBy[id]) == 0 {
			o.close = step
			sim.outages = append(sim.outages, *o)
			delete(sim.open, id)
		}
	}
}

func sortedOpen(m map[string]*outage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func (sim *simulation) locatedNumber(account string) bool {
	n := sim.full.NumberHeldBy(account)
	if n == nil || strings.Trim(n.LocationID, "0-{}") == "" {
		return false
	}
	return sim.full.LocationByID(n.LocationID) != nil
}

// inWindow reports a missing or unlocated account number of a policy whose
// account is inside an open outage window.
func (sim *simulation) inWindow(v tenant.Violation) bool {
	if (v.Rule != tenant.RuleRANumber && v.Rule != tenant.RuleRALocation) || v.Policy == "" {
		return false
	}
	return sim.open[sim.policyRA[lower(policyName(v.Policy))]] != nil
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
