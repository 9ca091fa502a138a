package tenant

import (
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestRandomOps applies random operations to the fixture: whatever Apply
// accepts keeps every invariant except those it accepts breaking, as the
// service does (acceptedBreaks); CheckInvariantsOf reports every violation
// a step adds and nothing CheckInvariants does not; and the index stays
// consistent.
func TestRandomOps(t *testing.T) {
	pools := newOpPools(fixture())

	for seed := range uint64(300) {
		r := rand.New(rand.NewPCG(seed, 1))
		s := fixture()
		var prev []Violation
		accepted := 0
		for i := 0; i < 400; i++ {
			op := pools.randomOp(r)
			if err := s.Apply(op); err != nil {
				continue
			}
			accepted++
			// Every new violation is one Apply accepts as the service
			// does, and CheckInvariantsOf reports it.
			now := s.CheckInvariants()
			of := s.CheckInvariantsOf(op)
			for _, v := range now {
				if containsViolation(prev, v) {
					continue
				}
				if !acceptedBreaks[v.Rule] {
					t.Fatalf("seed %d step %d: %+v broke invariant %s: %s", seed, i, op, v.Rule, v.Message)
				}
				if !containsViolation(of, v) {
					t.Fatalf("seed %d step %d: %+v: CheckInvariantsOf misses %s: %s", seed, i, op, v.Rule, v.Message)
				}
			}
			for _, v := range of {
				if !containsViolation(now, v) {
					t.Fatalf("seed %d step %d: CheckInvariantsOf reports %+v, CheckInvariants does not", seed, i, v)
				}
			}
			prev = now
			checkIndex(t, s)
		}
		if accepted < 40 {
			t.Errorf("seed %d: only %d of 400 random ops accepted: the test exercises little", seed, accepted)
		}
	}
}

// opPools are the names random operations pick from: the fixture's
// numbers, holders and locations with a few unknown ones, and policies,
// number types and groups that exist or not.
type opPools struct {
	numbers, holders, locations, policies, types, groups []string
}

func newOpPools(base *Snapshot) opPools {
	var p opPools
	for _, n := range base.Numbers {
		p.numbers = append(p.numbers, n.TelephoneNumber)
	}
	p.numbers = append(p.numbers, "+12065550998", "+12065550999", "+19999999999")
	for _, u := range base.Users {
		p.holders = append(p.holders, u.UserPrincipalName)
	}
	for _, r := range base.ResourceAccounts {
		p.holders = append(p.holders, r.UserPrincipalName)
	}
	for _, l := range base.Locations {
		p.locations = append(p.locations, l.LocationID)
	}
	p.policies = []string{"Redmond", "Seattle", "DR", "Empty", "New1", "New2", "Global"}
	p.types = []string{TypeCallingPlan, TypeDirectRouting, TypeOperatorConnect}
	p.groups = []string{"g1", "g2", "g3"}
	return p
}

// randomOp is an operation of a random action on names of p, which the
// service may accept or refuse.
func (p opPools) randomOp(r *rand.Rand) Op {
	pick := func(l []string) string { return l[r.IntN(len(l))] }
	var op Op
	switch Actions[r.IntN(len(Actions))] {
	case NumberAssign:
		op = Op{Action: NumberAssign, Number: pick(p.numbers), Holder: pick(p.holders), NumberType: pick(p.types)}
		if r.IntN(2) == 0 {
			op.Location = pick(p.locations)
		}
	case NumberUnassign:
		op = Op{Action: NumberUnassign, Number: pick(p.numbers), Holder: pick(p.holders)}
	case NumberSetLocation:
		op = Op{Action: NumberSetLocation, Number: pick(p.numbers), Location: pick(p.locations)}
	case PolicyCreate:
		op = Op{Action: PolicyCreate, Policy: pick(p.policies), ResourceAccount: pick(p.holders)}
		for range r.IntN(3) {
			op.Numbers = append(op.Numbers, pick(p.numbers))
		}
	case PolicyUpdate:
		op = Op{Action: PolicyUpdate, Policy: pick(p.policies), ResourceAccount: pick(p.holders), UpdateResourceAccount: true}
	case PolicyAddEmergency:
		op = Op{Action: PolicyAddEmergency, Policy: pick(p.policies), Numbers: []string{pick(p.numbers)}}
	case PolicyRemoveEmergency:
		op = Op{Action: PolicyRemoveEmergency, Policy: pick(p.policies), Numbers: []string{pick(p.numbers)}}
	case PolicyDelete:
		op = Op{Action: PolicyDelete, Policy: pick(p.policies)}
	case GrantUser:
		op = Op{Action: GrantUser, User: pick(p.holders)}
		if r.IntN(3) > 0 {
			op.Grant = ptr(pick(p.policies))
		}
	case GrantGroup:
		op = Op{Action: GrantGroup, Group: pick(p.groups), Rank: r.IntN(4)}
		if r.IntN(3) > 0 {
			op.Grant = ptr(pick(p.policies))
		}
	case GrantGlobal:
		if r.IntN(2) > 0 {
			op.Grant = ptr(pick(p.policies))
		}
		op.Action = GrantGlobal
	}
	return op
}

// acceptedBreaks are the invariants Apply lets a step break, as the service
// does: it checks a resource account's number against the policies that use
// it only when a policy is created or changed, not when the number is
// unassigned, reassigned or relocated.
var acceptedBreaks = map[string]bool{
	RuleRANumber: true, RuleRALocation: true,
	RulePolicyNumberType: true, RulePolicyNumberCntry: true, RuleEmergencyInTenant: true,
}

func containsViolation(list []Violation, v Violation) bool {
	for _, w := range list {
		if cmp.Equal(w, v) {
			return true
		}
	}
	return false
}

// TestRandomScripts: random sequences of operations the service accepts,
// written as one PowerShell script (WritePowerShell) and run by the test
// interpreter from the same start, reach the state that applying them to
// the model reaches; a run that fails just before or after a random cmdlet
// and is run again with its progress file reaches it too. The typical plan's script is
// pinned by TestPowerShellInterpreted; this covers what random plans
// combine (policies created and deleted again, numbers moving back and
// forth, grants of policies made in the same script).
func TestRandomScripts(t *testing.T) {
	pools := newOpPools(fixture())
	scripts := 0
	for seed := range uint64(200) {
		r := rand.New(rand.NewPCG(seed, 2))
		start := fixture()
		model := start.Clone()
		var ops []Op
		for i := 0; i < 200 && len(ops) < 25; i++ {
			op := pools.randomOp(r)
			if model.Apply(op) == nil {
				ops = append(ops, op)
			}
		}
		if len(ops) == 0 {
			continue
		}
		var b strings.Builder
		if err := WritePowerShell(&b, start, ops, PowerShellOptions{}); err != nil {
			t.Fatalf("seed %d: writing the script of %d accepted ops: %v", seed, len(ops), err)
		}
		scripts++
		got := start.Clone()
		full := &PSRun{}
		if err := InterpretPowerShell(b.String(), got, full); err != nil {
			t.Fatalf("seed %d: running the script: %v\n%s", seed, err, b.String())
		}
		if got.Digest() != model.Digest() {
			t.Fatalf("seed %d: the script's end state differs from the model's:\n%s", seed, cmp.Diff(canon(model), canon(got)))
		}
		if len(full.Ops) == 0 {
			continue
		}
		k := 1 + r.IntN(len(full.Ops)) // the k-th cmdlet the script runs
		s := start.Clone()
		first := &PSRun{FailAfter: k}
		if r.IntN(2) == 0 {
			first = &PSRun{FailBefore: k}
		}
		if err := InterpretPowerShell(b.String(), s, first); !errors.Is(err, errInjected) {
			t.Fatalf("seed %d: a run failing at cmdlet %d (%+v): %v", seed, k, first, err)
		}
		if err := InterpretPowerShell(b.String(), s, &PSRun{Done: first.Done}); err != nil {
			t.Fatalf("seed %d: re-run after a failure at step %d: %v", seed, k, err)
		}
		if s.Digest() != model.Digest() {
			t.Fatalf("seed %d: re-run after a failure at step %d differs from the model:\n%s", seed, k, cmp.Diff(canon(model), canon(s)))
		}
	}
	if scripts < 150 {
		t.Errorf("only %d scripts: the random ops exercise little", scripts)
	}
}
