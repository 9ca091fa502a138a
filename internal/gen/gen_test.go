package gen

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/internal/phone"
	"github.com/callops/callops/lint"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

func mustGenerate(t *testing.T, o Options) *Tenant {
	t.Helper()
	g, err := Generate(o)
	if err != nil {
		t.Fatalf("Generate(%+v): %v", o, err)
	}
	return g
}

func TestGenerateRejectsBadOptions(t *testing.T) {
	for _, o := range []Options{
		{Policies: 0, UsersPerPolicy: 1},
		{Policies: MaxPolicies + 1},
		{Policies: 1, UsersPerPolicy: -1},
		{Policies: 1, Drift: -0.1},
		{Policies: 1, Drift: 1.5},
		{Policies: MaxPolicies, UsersPerPolicy: MaxUsersPerPolicy},
	} {
		if _, err := Generate(o); err == nil {
			t.Errorf("Generate(%+v) succeeded, want an error", o)
		}
	}
}

func TestGenerateIsDeterministic(t *testing.T) {
	o := Options{Policies: 30, UsersPerPolicy: 4, Seed: 7, Drift: 0.2}
	a, b := mustGenerate(t, o), mustGenerate(t, o)
	if d := cmp.Diff(a.CUEFiles(), b.CUEFiles()); d != "" {
		t.Errorf("CUE files differ for the same seed (-first +second):\n%s", d)
	}
	sa, _ := a.StateJSON()
	sb, _ := b.StateJSON()
	if !bytes.Equal(sa, sb) {
		t.Error("state JSON differs for the same seed")
	}
	ea, _ := a.ExportFiles()
	eb, _ := b.ExportFiles()
	if d := cmp.Diff(ea, eb); d != "" {
		t.Errorf("export differs for the same seed:\n%s", d)
	}
	o.Seed = 8
	c := mustGenerate(t, o)
	sc, _ := c.StateJSON()
	if bytes.Equal(sa, sc) {
		t.Error("state JSON is the same for seeds 7 and 8")
	}
}

func TestStateIsConsistent(t *testing.T) {
	for _, o := range []Options{
		{Policies: 1, UsersPerPolicy: 0},
		{Policies: 7, UsersPerPolicy: 3, Seed: 2, Drift: 1},
		{Policies: 120, UsersPerPolicy: 5, Seed: 1, Drift: 0.05},
	} {
		g := mustGenerate(t, o)
		data, err := g.StateJSON()
		if err != nil {
			t.Fatal(err)
		}
		s, err := tenant.Parse(data)
		if err != nil {
			t.Fatalf("%+v: state does not parse: %v", o, err)
		}
		if v := s.CheckInvariants(); len(v) != 0 {
			t.Errorf("%+v: state breaks %d invariants, first: %+v", o, len(v), v[0])
		}
		// Every number valid for the country the inventory gives it.
		for _, n := range s.Numbers {
			pn, err := phone.Parse(n.TelephoneNumber)
			if err != nil || pn.Region != n.IsoCountryCode {
				t.Errorf("%s: region %q, error %v; inventory says %s", n.TelephoneNumber, pn.Region, err, n.IsoCountryCode)
			}
		}
		if len(g.Policies) != o.Policies {
			t.Errorf("%+v: %d desired policies", o, len(g.Policies))
		}
	}
}

// TestDriftMatchesStats counts the differences between the desired and the
// current state and compares them with what Generate reports.
func TestDriftMatchesStats(t *testing.T) {
	tests := []struct {
		o    Options
		want DriftStats
	}{
		{Options{Policies: 100, UsersPerPolicy: 10, Seed: 3}, DriftStats{}},
		{Options{Policies: 100, UsersPerPolicy: 10, Seed: 3, Drift: 0.05}, DriftStats{MovedUsers: 50, ChangedEmergency: 5, CreatedPolicies: 1, DeletedPolicies: 1}},
		{Options{Policies: 200, UsersPerPolicy: 25, Seed: 3, Drift: 0.1}, DriftStats{MovedUsers: 500, ChangedEmergency: 20, CreatedPolicies: 4, DeletedPolicies: 4}},
	}
	for _, tt := range tests {
		g := mustGenerate(t, tt.o)
		if d := cmp.Diff(tt.want, g.Drift); d != "" {
			t.Errorf("%+v: stats (-want +got):\n%s", tt.o, d)
		}
		var got DriftStats
		statePolicies := map[string]tenant.Policy{}
		for _, p := range g.State.Policies {
			statePolicies[p.Identity] = p
		}
		desired := map[string]bool{}
		grants := map[string]string{}
		for _, p := range g.Policies {
			desired[p.Name] = true
			sp, ok := statePolicies[p.Name]
			if !ok {
				got.CreatedPolicies++
			} else if !cmp.Equal(sp.EmergencyNumbers, p.EmergencyNumbers) {
				got.ChangedEmergency++
			}
			for _, u := range p.Users {
				grants[u] = p.Name
			}
		}
		for _, p := range g.State.Policies {
			if !desired[p.Identity] {
				got.DeletedPolicies++
			}
		}
		for _, u := range g.State.Users {
			if u.SharedCallingPolicy != "" && grants[u.UserPrincipalName] != u.SharedCallingPolicy &&
				desired[u.SharedCallingPolicy] {
				got.MovedUsers++
			}
		}
		if d := cmp.Diff(tt.want, got); d != "" {
			t.Errorf("%+v: counted drift (-want +got):\n%s", tt.o, d)
		}
		if n := g.Users(); n != tt.o.Policies*tt.o.UsersPerPolicy {
			t.Errorf("%+v: %d users granted in the desired state, want %d", tt.o, n, tt.o.Policies*tt.o.UsersPerPolicy)
		}
	}
}

// TestDesiredLoadsAndIsFormatted loads the CUE files with the schema and
// checks that `callops fmt` would not change them.
func TestDesiredLoadsAndIsFormatted(t *testing.T) {
	g := mustGenerate(t, Options{Policies: 150, UsersPerPolicy: 3, Seed: 5, Drift: 0.1})
	files := g.CUEFiles()
	if len(files) != 5 { // tenant, locations, accounts, 2 policy chunks
		t.Errorf("%d files, want 5", len(files))
	}
	for _, f := range files {
		out, err := schema.Format(f.Name, f.Data)
		if err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if d := cmp.Diff(string(f.Data), string(out)); d != "" {
			t.Errorf("%s is not in cue fmt form (-generated +formatted):\n%s", f.Name, d)
		}
	}
	d, err := schema.LoadFiles(files, schema.Options{})
	if err != nil {
		t.Fatalf("load: %v", err)
	}
	if len(d.Policies) != 150 || len(d.ResourceAccounts) != 150 || len(d.Locations) != len(sites) {
		t.Errorf("loaded %d policies, %d accounts, %d locations", len(d.Policies), len(d.ResourceAccounts), len(d.Locations))
	}
	users := 0
	for _, p := range d.Policies {
		users += len(p.Users)
	}
	if users != g.Users() {
		t.Errorf("loaded %d grants, generated %d", users, g.Users())
	}
}

// labelRE matches a quoted struct label at the start of a line.
var labelRE = regexp.MustCompile(`(?m)^\s*"([^"]+)":`)

// TestNoPerUserFields checks the work the generated files ask of CUE: users
// are list elements, never struct fields, and the only structs keyed by UPN
// (resource accounts, user numbers) grow with policies, not users.
func TestNoPerUserFields(t *testing.T) {
	o := Options{Policies: 300, UsersPerPolicy: 20, Seed: 1, Drift: 0.05}
	g := mustGenerate(t, o)
	granted := map[string]bool{}
	for _, p := range g.Policies {
		for _, u := range p.Users {
			granted[u] = true
		}
	}
	upnLabels := 0
	for _, f := range g.CUEFiles() {
		for _, m := range labelRE.FindAllStringSubmatch(string(f.Data), -1) {
			if granted[m[1]] {
				t.Fatalf("%s: granted user %s is a struct field", f.Name, m[1])
			}
			if strings.Contains(m[1], "@") {
				upnLabels++
			}
		}
	}
	if max := o.Policies + 20; upnLabels > max {
		t.Errorf("%d UPN labels for %d policies and %d users, want at most %d", upnLabels, o.Policies, g.Users(), max)
	}
}

// TestDesiredLintsClean runs every lint rule on the desired state against
// its current state: a generated tenant has no errors and no warnings (info
// findings, such as policy-unused, are allowed).
func TestDesiredLintsClean(t *testing.T) {
	for _, o := range []Options{
		{Policies: 60, UsersPerPolicy: 4, Seed: 1, Drift: 0.05},
		{Policies: 14, UsersPerPolicy: 2, Seed: 9, Drift: 1},
	} {
		g := mustGenerate(t, o)
		d, err := schema.LoadFiles(g.CUEFiles(), schema.Options{})
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		for _, state := range []*tenant.Snapshot{g.State, nil} {
			for _, f := range lint.Run(d, state) {
				if f.Severity >= lint.Warning {
					t.Errorf("%+v (with state: %v): %s", o, state != nil, f)
				}
			}
		}
	}
}
