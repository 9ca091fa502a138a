package tenant

import (
	"fmt"
	"testing"
)

// bigTenant is a tenant of the size DESIGN.md section 7 names: policies
// policies, each with its own resource account, number and two emergency
// numbers, and users users granted round-robin, half with a number.
func bigTenant(policies, users int) *Snapshot {
	s := &Snapshot{Format: Format, Lineage: "bench", Serial: 1,
		Locations: []Location{{LocationID: locUS, CountryOrRegion: "US"}}}
	tel := func(i int) string { return fmt.Sprintf("+1425%07d", i) }
	n := 0
	for p := 0; p < policies; p++ {
		ra := fmt.Sprintf("ra%d-id", p)
		s.ResourceAccounts = append(s.ResourceAccounts, ResourceAccount{ObjectID: ra, UserPrincipalName: fmt.Sprintf("ra%d@contoso.com", p)})
		s.Numbers = append(s.Numbers, Number{TelephoneNumber: tel(n), NumberType: TypeCallingPlan, IsoCountryCode: "US",
			LocationID: locUS, AssignedPstnTargetID: ra, PstnAssignmentStatus: StatusVoiceAppAssigned, NumberSource: "Online"})
		n++
		name := fmt.Sprintf("P%d", p)
		pol := Policy{Identity: name, ResourceAccount: ra}
		for e := 0; e < 2; e++ {
			s.Numbers = append(s.Numbers, Number{TelephoneNumber: tel(n), NumberType: TypeCallingPlan, IsoCountryCode: "US",
				AssignedPstnTargetID: PolicyTargetPrefix + name, PstnAssignmentStatus: StatusPolicyAssigned, NumberSource: "Online"})
			pol.EmergencyNumbers = append(pol.EmergencyNumbers, tel(n))
			n++
		}
		s.Policies = append(s.Policies, pol)
	}
	for u := 0; u < users; u++ {
		id := fmt.Sprintf("u%d-id", u)
		s.Users = append(s.Users, User{ObjectID: id, UserPrincipalName: fmt.Sprintf("u%d@contoso.com", u),
			SharedCallingPolicy: fmt.Sprintf("P%d", u%policies)})
		num := Number{TelephoneNumber: tel(n), NumberType: TypeCallingPlan, IsoCountryCode: "US", NumberSource: "Online",
			PstnAssignmentStatus: StatusUnassigned}
		if u%2 == 0 {
			num.AssignedPstnTargetID, num.PstnAssignmentStatus = id, StatusUserAssigned
			s.Users[u].EnterpriseVoiceEnabled = true
		}
		s.Numbers = append(s.Numbers, num)
		n++
	}
	return s
}

func BenchmarkIndexBuild(b *testing.B) {
	s := bigTenant(2000, 50000)
	b.ResetTimer()
	for b.Loop() {
		buildIndex(s)
	}
}

func BenchmarkApplyGrantUser(b *testing.B) {
	s := bigTenant(2000, 50000)
	s.ix()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		p := fmt.Sprintf("P%d", i%2000)
		if err := s.Apply(Op{Action: GrantUser, User: fmt.Sprintf("u%d@contoso.com", i%50000), Grant: &p}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkApplyMoveEmergencyNumber(b *testing.B) {
	s := bigTenant(2000, 50000)
	s.ix()
	b.ResetTimer()
	i := 0
	for b.Loop() {
		p := fmt.Sprintf("P%d", i%2000)
		e := s.PolicyByIdentity(p).EmergencyNumbers[0]
		if err := s.Apply(Op{Action: PolicyRemoveEmergency, Policy: p, Numbers: []string{e}}); err != nil {
			b.Fatal(err)
		}
		if err := s.Apply(Op{Action: PolicyAddEmergency, Policy: p, Numbers: []string{e}}); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

func BenchmarkCheckInvariants(b *testing.B) {
	s := bigTenant(2000, 50000)
	s.ix()
	b.ResetTimer()
	for b.Loop() {
		if v := s.CheckInvariants(); len(v) != 0 {
			b.Fatal(v[0])
		}
	}
}

func TestBigTenantIsClean(t *testing.T) {
	s := bigTenant(20, 100)
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if v := s.CheckInvariants(); len(v) != 0 {
		t.Errorf("generated tenant violates invariants: %+v", v[0])
	}
}

// BenchmarkFilePlan applies a 3,000-step plan to a 50,000-user state file
// through the file backend (journal, throttled checkpoints, final write).
func BenchmarkFilePlan(b *testing.B) {
	start := bigTenant(2000, 50000)
	ops := make([]Op, 3000)
	for i := range ops {
		p := fmt.Sprintf("P%d", (i+1)%2000)
		ops[i] = Op{Action: GrantUser, User: fmt.Sprintf("u%d@contoso.com", i), Grant: &p}
	}
	data, _ := start.Encode()
	b.ReportMetric(float64(len(data))/(1<<20), "MiB-state")
	for b.Loop() {
		b.StopTimer()
		path := b.TempDir() + "/state.json"
		if err := WriteState(path, start); err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		fb, err := OpenFile(path, FileOptions{})
		if err != nil {
			b.Fatal(err)
		}
		if err := fb.Begin("bench", ops); err != nil {
			b.Fatal(err)
		}
		for _, op := range ops {
			if err := fb.Apply(op); err != nil {
				b.Fatal(err)
			}
		}
		if err := fb.Close(); err != nil {
			b.Fatal(err)
		}
	}
}
