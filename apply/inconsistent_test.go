package apply

import (
	"errors"
	"math/rand"
	"strings"
	"testing"

	"github.com/callops/callops/diff"
	"github.com/callops/callops/tenant"
)

// TestBuildInconsistentState: a plan that fails its verification against a
// state no real tenant can be in (ra1 holding two numbers) is reported as
// the state's problem, with the violation, not as a bug in callops; the
// verification error stays reachable. A tenant that is merely unusual
// (a user granted a deleted policy) plans as before.
func TestBuildInconsistentState(t *testing.T) {
	s := contoso()
	for i := range s.Numbers {
		if s.Numbers[i].TelephoneNumber == "+14255550300" {
			s.Numbers[i].AssignedPstnTargetID = "ra1-id"
			s.Numbers[i].PstnAssignmentStatus = tenant.StatusVoiceAppAssigned
		}
	}
	s.Reindex()
	d := contosoDesired()
	d.ResourceAccounts[0].Number = "+14255550300"
	_, err := Build(d, s)
	var ie *InconsistentStateError
	if !errors.As(err, &ie) {
		t.Fatalf("Build = %v, want *InconsistentStateError", err)
	}
	if len(ie.Violations) != 1 || ie.Violations[0].Rule != tenant.RuleNumberHeldTwice {
		t.Errorf("violations %+v, want one %s", ie.Violations, tenant.RuleNumberHeldTwice)
	}
	var ve *VerifyError
	if !errors.As(err, &ve) || ve.Step < 1 {
		t.Errorf("the verification error is not wrapped: %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"ra1@contoso.com holds 2 numbers: +14255550100, +14255550300 [number-held-twice]", "(1 problem)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "bug in callops") {
		t.Errorf("message blames callops: %q", msg)
	}

	// Inconsistencies alone do not fail a plan that verifies.
	s = contoso()
	s.Users[1].SharedCallingPolicy = "Deleted"
	s.Reindex()
	if _, err := Build(contosoDesired(), s); err != nil {
		t.Errorf("Build with a grant of a deleted policy: %v", err)
	}
}

// TestInconsistentStateLines: violation messages from the state are escaped
// to one line each.
func TestInconsistentStateLines(t *testing.T) {
	e := &InconsistentStateError{Violations: []tenant.Violation{
		{Rule: tenant.RuleNumberHeldTwice, Message: "a\x1b[31mb\nc holds 2 numbers"},
		{Rule: tenant.RuleEmergencyReused, Message: "x"},
	}}
	got := e.Lines()
	if len(got) != 2 || strings.ContainsAny(got[0], "\x1b\n") || !strings.HasSuffix(got[0], "[number-held-twice]") || got[1] != "x [emergency-number-reused]" {
		t.Errorf("Lines = %q", got)
	}
	if !strings.Contains(e.Error(), "(2 problems):\n  ") {
		t.Errorf("Error = %q", e.Error())
	}
}

// corrupt breaks, at random, one to three rules the service always keeps
// (tenant.Snapshot.Inconsistencies) in s: a holder gets a second number, an
// emergency number is listed twice, by two policies, or by a policy while
// the inventory gives it to someone else or to nobody.
func corrupt(r *rand.Rand, s *tenant.Snapshot) {
	var holders []string
	for _, ra := range s.ResourceAccounts {
		holders = append(holders, ra.ObjectID)
	}
	for _, u := range s.Users {
		holders = append(holders, u.ObjectID)
	}
	for k := 1 + r.Intn(3); k > 0; k-- {
		n := &s.Numbers[r.Intn(len(s.Numbers))]
		p := &s.Policies[r.Intn(len(s.Policies))]
		switch r.Intn(4) {
		case 0: // a second number for a holder (or a first, which is fine)
			if !strings.HasPrefix(n.AssignedPstnTargetID, tenant.PolicyTargetPrefix) {
				n.AssignedPstnTargetID = holders[r.Intn(len(holders))]
				n.PstnAssignmentStatus = tenant.StatusUserAssigned
			}
		case 1: // listed twice by its policy
			if len(p.EmergencyNumbers) > 0 {
				p.EmergencyNumbers = append(p.EmergencyNumbers, p.EmergencyNumbers[r.Intn(len(p.EmergencyNumbers))])
			}
		case 2: // listed by a second policy
			for _, q := range s.Policies {
				if q.Identity != p.Identity && len(q.EmergencyNumbers) > 0 {
					p.EmergencyNumbers = append(p.EmergencyNumbers, q.EmergencyNumbers[0])
					break
				}
			}
		case 3: // listed by a policy, held by someone else or nobody
			if !strings.HasPrefix(n.AssignedPstnTargetID, tenant.PolicyTargetPrefix) {
				p.EmergencyNumbers = append(p.EmergencyNumbers, n.TelephoneNumber)
			}
		}
	}
	s.Reindex()
}

// TestBuildCorruptedStateProperty: from a state that breaks the rules the
// service always keeps, Build plans, says why the desired state can't be
// reached, or names the state's problems; it never reports a plan failing
// verification as a bug in callops, and it names problems only when the
// state has them.
func TestBuildCorruptedStateProperty(t *testing.T) {
	n := 1000
	if testing.Short() {
		n = 100
	}
	inconsistent := 0
	for seed := int64(1); seed <= int64(n); seed++ {
		r := rand.New(rand.NewSource(seed))
		s := genTenant(r)
		if len(s.Policies) == 0 || len(s.Numbers) == 0 {
			continue
		}
		d := genDesired(r, s)
		corrupt(r, s)
		if err := s.Validate(); err != nil {
			t.Fatalf("seed %d: corrupted state does not parse: %v", seed, err)
		}
		_, err := Build(d, s)
		var ie *InconsistentStateError
		var ve *VerifyError
		var re *diff.ResolveError
		switch {
		case err == nil, errors.As(err, &re) && !errors.As(err, &ve):
		case errors.As(err, &ie):
			inconsistent++
			all := map[string]bool{}
			for _, v := range s.Inconsistencies() {
				all[v.Rule+" "+v.Message] = true
			}
			if len(ie.Violations) == 0 || ie.Verify == nil {
				t.Fatalf("seed %d: InconsistentStateError without violations or the failed step: %v", seed, err)
			}
			for _, v := range ie.Violations {
				if !all[v.Rule+" "+v.Message] {
					t.Fatalf("seed %d: reported %s %q, which is not an inconsistency of the state", seed, v.Rule, v.Message)
				}
			}
		default:
			t.Fatalf("seed %d: Build error %T: %v", seed, err, err)
		}
	}
	// The corruption must reach the planner, not only the lint-free paths.
	if inconsistent < n/50 {
		t.Errorf("only %d of %d corrupted states failed verification: the corruption misses the planner", inconsistent, n)
	}
	t.Logf("%d of %d corrupted states reported as inconsistent", inconsistent, n)
}

// TestTouched: a plan's failure is blamed on the state only through
// inconsistencies its steps touch (a number, its holder, a policy), so an
// unrelated one (a private line elsewhere) cannot hide a callops bug.
func TestTouched(t *testing.T) {
	s := contoso()
	for i := range s.Numbers {
		if s.Numbers[i].TelephoneNumber == "+14255550300" { // carol's second number
			s.Numbers[i].AssignedPstnTargetID, s.Numbers[i].PstnAssignmentStatus = "carol-id", tenant.StatusUserAssigned
		}
	}
	s.Policies[0].EmergencyNumbers = append(s.Policies[0].EmergencyNumbers, "+14255556677") // Redmond lists it twice
	s.Reindex()
	vs := s.Inconsistencies()
	if len(vs) != 2 {
		t.Fatalf("fixture inconsistencies: %+v", vs)
	}
	grant := "Old"
	tests := []struct {
		name string
		op   tenant.Op
		want []string // rules touched
	}{
		{"a grant elsewhere", tenant.Op{Action: tenant.GrantUser, User: "alice@contoso.com", Grant: &grant}, nil},
		{"carol's other number", tenant.Op{Action: tenant.NumberUnassign, Number: "+14255550400", Holder: "carol@contoso.com"}, []string{tenant.RuleNumberHeldTwice}},
		{"carol as holder", tenant.Op{Action: tenant.NumberAssign, Number: "+14255550500", Holder: "carol@contoso.com"}, []string{tenant.RuleNumberHeldTwice}},
		{"Redmond by its Tag", tenant.Op{Action: tenant.PolicyUpdate, Policy: "Tag:Redmond", Description: "x", UpdateDescription: true}, []string{tenant.RuleEmergencyDuplicate}},
		{"the listed number", tenant.Op{Action: tenant.PolicyRemoveEmergency, Policy: "Other", Numbers: []string{"+14255556677"}}, []string{tenant.RuleEmergencyDuplicate}},
	}
	for _, tt := range tests {
		var got []string
		for _, v := range touched(s, []Step{{Index: 1, Op: tt.op}}, vs) {
			got = append(got, v.Rule)
		}
		if strings.Join(got, ",") != strings.Join(tt.want, ",") {
			t.Errorf("%s: touched %v, want %v", tt.name, got, tt.want)
		}
	}
}
