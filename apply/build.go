package apply

import (
	"errors"
	"fmt"
	"math/rand"
	"strings"

	"github.com/callops/callops/diff"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// Build computes the changes that take the tenant s to the desired state d
// (diff.Compute), orders them into steps that satisfy every constraint of
// DESIGN.md section 5, verifies the result by simulation (Verify) and
// returns the plan. Format, State, Steps (Index 1..n, each with a Reason),
// Hazards and Summary are filled; Source and Tool are the caller's. Steps
// and Hazards are never nil. The same d and s always give the same plan.
//
// Errors: a *diff.ResolveError when d names objects s does not have or asks
// for something no plan can do; an *InconsistentStateError when the plan
// fails its simulation against a state no real tenant can be in; otherwise
// a *VerifyError when the ordered plan fails its simulation, which is a bug
// in callops (such a plan is never returned). Build never modifies d or s.
func Build(d *schema.Desired, s *tenant.Snapshot) (*Plan, error) {
	return build(d, s, nil)
}

// build is Build; noise, when not nil, gives the ordering random
// tie-breaks in place of the phases (tests only).
func build(d *schema.Desired, s *tenant.Snapshot, noise *rand.Rand) (*Plan, error) {
	if d == nil || s == nil {
		return nil, errors.New("building plan: nil desired state or snapshot")
	}
	// The state's digest (a canonical encoding of the whole tenant) is
	// independent of everything below: compute it on the other core.
	digest := make(chan string, 1)
	go func() { digest <- s.Digest() }()
	ch, err := diff.Compute(d, s)
	if err != nil {
		return nil, fmt.Errorf("building plan: %w", err)
	}
	b := newGraphBuilder(s, ch)
	if err := b.build(); err != nil {
		return nil, fmt.Errorf("building plan: %w", err)
	}
	if noise != nil {
		b.g.noise = noise.Perm(len(b.g.nodes))
	}
	order, err := b.g.order()
	if err != nil {
		return nil, fmt.Errorf("building plan: %w", err)
	}
	steps := make([]Step, len(order))
	temp := make([]bool, len(order))
	for i, id := range order {
		steps[i] = Step{Index: i + 1, Op: b.g.nodes[id].op, Reason: b.g.nodes[id].reason}
		temp[i] = b.g.nodes[id].temp
	}
	res, err := simulate(d, s, steps)
	if err != nil {
		var ve *VerifyError
		if errors.As(err, &ve) {
			if vs := touched(s, steps, s.Inconsistencies()); len(vs) > 0 {
				return nil, &InconsistentStateError{Violations: vs, Verify: ve}
			}
		}
		return nil, fmt.Errorf("building plan: %w", err)
	}
	p := &Plan{
		Format:  PlanFormat,
		State:   StateRef{Lineage: s.Lineage, Serial: s.Serial, Digest: <-digest},
		Steps:   steps,
		Hazards: hazards(res),
	}
	p.Summary = summarize(s, ch, steps, temp, res.outages)
	return p, nil
}

// touched returns the violations of vs that concern what steps touch: a
// number a step names, a policy it names, or the holder of a violation's
// numbers as a step's holder or resource account. A plan that fails its
// verification is blamed on the state only through such violations; an
// inconsistency elsewhere in the tenant (a user's private line the plan
// never goes near) does not hide a failure of callops' own.
func touched(s *tenant.Snapshot, steps []Step, vs []tenant.Violation) []tenant.Violation {
	var out []tenant.Violation
	for _, v := range vs {
		numbers := map[string]bool{}
		holders := map[string]bool{}
		if v.Number != "" {
			numbers[v.Number] = true
			if n := s.NumberByTelephone(v.Number); n != nil && n.AssignedPstnTargetID != "" {
				holders[strings.ToLower(n.AssignedPstnTargetID)] = true
				if kind, name := s.Holder(v.Number); kind == tenant.HolderUser || kind == tenant.HolderResourceAccount {
					holders[strings.ToLower(name)] = true
				}
				if v.Rule == tenant.RuleNumberHeldTwice {
					for _, m := range s.Numbers {
						if strings.EqualFold(m.AssignedPstnTargetID, n.AssignedPstnTargetID) {
							numbers[m.TelephoneNumber] = true
						}
					}
				}
			}
		}
		policy := strings.ToLower(policyName(v.Policy))
		for _, st := range steps {
			op := st.Op
			hit := numbers[op.Number] || holders[strings.ToLower(op.Holder)] || holders[strings.ToLower(op.ResourceAccount)] ||
				(policy != "" && strings.ToLower(policyName(op.Policy)) == policy)
			for _, e := range op.Numbers {
				hit = hit || numbers[e]
			}
			if hit {
				out = append(out, v)
				break
			}
		}
	}
	return out
}

// HazardVoiceOff: the number.unassign at Steps[0] turns Enterprise Voice
// off for a user (Remove-CsPhoneNumberAssignment does) who ends the plan
// granted a Shared Calling policy, which needs it; no plan action turns it
// back on.
const HazardVoiceOff HazardKind = "enterprise-voice-off"

// hazards turns outage windows into outbound-outage hazards, then lists
// the users left without Enterprise Voice.
func hazards(res *simResult) []Hazard {
	out := make([]Hazard, 0, len(res.outages)+len(res.voice))
	for _, o := range res.outages {
		msg := fmt.Sprintf("resource account %s has no located number from step %d to step %d: outbound calls fail for %d %s of %s %s",
			o.account, o.open, o.close, o.users, pluralWord(o.users, "user", "users"),
			pluralWord(len(o.policies), "policy", "policies"), strings.Join(o.policies, ", "))
		var also []string
		if o.groups > 0 {
			also = append(also, fmt.Sprintf("members of %d %s assigned %s", o.groups, pluralWord(o.groups, "group", "groups"),
				pluralWord(len(o.policies), "it", "them")))
		}
		if o.global {
			also = append(also, "everyone on the tenant default")
		}
		if len(also) > 0 {
			msg += ", and for " + strings.Join(also, " and ")
		}
		out = append(out, Hazard{Kind: HazardOutboundOutage, Steps: []int{o.open, o.close}, Users: o.users, Message: msg})
	}
	for _, v := range res.voice {
		out = append(out, Hazard{Kind: HazardVoiceOff, Steps: []int{v.step}, Users: 1,
			Message: fmt.Sprintf("user %s loses Enterprise Voice at step %d (Remove-CsPhoneNumberAssignment turns it off) but is granted policy %s, which needs it: turn it back on with Set-CsPhoneNumberAssignment -Identity %s -EnterpriseVoiceEnabled $true",
				v.user, v.step, v.policy, v.user)})
	}
	return out
}

func pluralWord(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// summarize counts what the plan does. AffectedUsers counts each user
// once: users whose direct grant changes, users whose number changes or
// is taken, and users granted directly a policy inside an outage window.
func summarize(s *tenant.Snapshot, ch *diff.Changes, steps []Step, temp []bool, outages []outage) Summary {
	sum := Summary{Steps: len(steps)}
	for _, pc := range ch.Policies {
		switch pc.Kind {
		case diff.Create:
			sum.PoliciesCreated++
		case diff.Update:
			sum.PoliciesUpdated++
		case diff.Delete:
			sum.PoliciesDeleted++
		}
	}
	for i, st := range steps {
		// A move to a temporary rank is neither a grant nor a revoke.
		if !isGrant(st.Op.Action) || temp[i] {
			continue
		}
		if st.Op.Grant == nil {
			sum.Revokes++
		} else {
			sum.Grants++
		}
	}
	affected := map[string]bool{}
	for _, g := range ch.Grants {
		affected[lower(g.User)] = true
	}
	for _, u := range ch.UserNumbers {
		affected[lower(u.UPN)] = true
	}
	for _, r := range ch.Releases {
		if !r.ResourceAccount {
			affected[lower(r.Holder)] = true
		}
	}
	for _, o := range outages {
		for _, p := range o.policies {
			for _, u := range s.UsersOfPolicy(p) {
				affected[lower(u)] = true
			}
		}
	}
	sum.AffectedUsers = len(affected)
	return sum
}
