package tenant

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

var update = flag.Bool("update", false, "rewrite golden files of the import and PowerShell tests")

// TestImportFixtures imports the same tenant exported by PowerShell 7
// (strings) and by Windows PowerShell 5.1 (integer enums, BOM, CRLF, single
// objects, {"value": [...]} arrays, camelCase names) and expects the same
// snapshot, equal to the golden state.
func TestImportFixtures(t *testing.T) {
	golden := filepath.Join("testdata", "import", "want.state.json")
	var want []byte
	for _, dir := range []string{"ps7", "ps51"} {
		s, warnings, err := Import(filepath.Join("testdata", "import", dir))
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if s.Lineage == "" || s.Serial != ImportSerial {
			t.Errorf("%s: lineage %q serial %d, want a lineage and serial %d", dir, s.Lineage, s.Serial, ImportSerial)
		}
		if v := s.CheckInvariants(); len(v) > 0 {
			t.Errorf("%s: imported state breaks invariants: %v", dir, v)
		}
		s.Lineage = "00000000-0000-4000-8000-000000000000"
		got, err := s.Encode()
		if err != nil {
			t.Fatal(err)
		}
		if dir == "ps7" && *update {
			if err := os.WriteFile(golden, got, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if want == nil {
			if want, err = os.ReadFile(golden); err != nil {
				t.Fatal(err)
			}
		}
		if d := cmp.Diff(string(want), string(got)); d != "" {
			t.Errorf("%s: state differs from %s (-want +got):\n%s", dir, golden, d)
		}
		var msgs []string
		for _, w := range warnings {
			msgs = append(msgs, w.String())
		}
		wantMsgs := []string{
			"numbers.json: +14255550150 is assigned to e4d3c2b1-a09f-4e8d-8c7b-6a5f4e3d2c1b, which is no user, resource account or policy of the export: kept as held by an unknown object",
		}
		if dir == "ps51" {
			wantMsgs = append([]string{"numbers.json: enums written as integers (Windows PowerShell 5.1): mapped by callops' assumed numbering, check the imported state or export with PowerShell 7"}, wantMsgs...)
		}
		if d := cmp.Diff(wantMsgs, msgs); d != "" {
			t.Errorf("%s: warnings (-want +got):\n%s", dir, d)
		}
	}
}

// minimalExport is a valid export of one resource account and its number;
// cases override single files.
func minimalExport() map[string]string {
	return map[string]string{
		ExportResourceAccounts: `[{"ObjectId":"AAAAAAAA-0000-4000-8000-000000000001","UserPrincipalName":"ra1@contoso.com","DisplayName":"RA"}]`,
		ExportUsers:            `[{"UserPrincipalName":"alice@contoso.com","Identity":"bbbbbbbb-0000-4000-8000-000000000002","EnterpriseVoiceEnabled":true,"TeamsSharedCallingRoutingPolicy":"Tag:Redmond"}]`,
		ExportLocations:        `[{"LocationId":"cccccccc-0000-4000-8000-000000000003","CountryOrRegion":"us","Description":"HQ"}]`,
		ExportPolicies:         `[{"Identity":"Tag:Redmond","ResourceAccount":"aaaaaaaa-0000-4000-8000-000000000001","EmergencyNumbers":["tel:+14255556677"],"Description":"x"}]`,
		ExportNumbers: `[{"TelephoneNumber":"tel:+14255550100","NumberType":"CallingPlan","IsoCountryCode":"US","LocationId":"CCCCCCCC-0000-4000-8000-000000000003","AssignedPstnTargetId":"aaaaaaaa-0000-4000-8000-000000000001","PstnAssignmentStatus":"VoiceApplicationAssigned","Capability":["VoiceApplicationAssignment"],"NumberSource":"Online"},
{"TelephoneNumber":"+14255556677","NumberType":"CallingPlan","IsoCountryCode":"US","LocationId":"","AssignedPstnTargetId":"TeamsSharedCallingRoutingPolicy|Tag:Redmond","PstnAssignmentStatus":"PolicyAssigned","Capability":["UserAssignment"],"NumberSource":"Online"}]`,
		ExportGroupAssignments: `null`,
		ExportTenant:           `{"Domain":"contoso.onmicrosoft.com","GlobalPolicy":"Tag:Redmond"}`,
	}
}

func writeExport(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, text := range files {
		if text == "<missing>" {
			continue
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestImportShapes(t *testing.T) {
	tests := []struct {
		name     string
		files    map[string]string
		check    func(t *testing.T, s *Snapshot)
		warnings []string
	}{
		{
			name:  "minimal",
			files: map[string]string{},
			check: func(t *testing.T, s *Snapshot) {
				want := &Snapshot{Format: Format, Lineage: s.Lineage, Serial: ImportSerial,
					Tenant:           Info{Domain: "contoso.onmicrosoft.com", GlobalPolicy: "Redmond"},
					Policies:         []Policy{{Identity: "Redmond", Description: "x", ResourceAccount: "aaaaaaaa-0000-4000-8000-000000000001", EmergencyNumbers: []string{"+14255556677"}}},
					ResourceAccounts: []ResourceAccount{{ObjectID: "aaaaaaaa-0000-4000-8000-000000000001", UserPrincipalName: "ra1@contoso.com", DisplayName: "RA"}},
					Numbers: []Number{
						{TelephoneNumber: "+14255550100", NumberType: "CallingPlan", IsoCountryCode: "US", LocationID: "cccccccc-0000-4000-8000-000000000003", AssignedPstnTargetID: "aaaaaaaa-0000-4000-8000-000000000001", PstnAssignmentStatus: "VoiceApplicationAssigned", Capability: []string{"VoiceApplicationAssignment"}, NumberSource: "Online"},
						{TelephoneNumber: "+14255556677", NumberType: "CallingPlan", IsoCountryCode: "US", AssignedPstnTargetID: "TeamsSharedCallingRoutingPolicy|Tag:Redmond", PstnAssignmentStatus: "PolicyAssigned", Capability: []string{"UserAssignment"}, NumberSource: "Online"},
					},
					Locations:        []Location{{LocationID: "cccccccc-0000-4000-8000-000000000003", CountryOrRegion: "US", Description: "HQ"}},
					Users:            []User{{ObjectID: "bbbbbbbb-0000-4000-8000-000000000002", UserPrincipalName: "alice@contoso.com", EnterpriseVoiceEnabled: true, SharedCallingPolicy: "Redmond"}},
					GroupAssignments: []GroupAssignment{},
				}
				if d := cmp.Diff(want, s); d != "" {
					t.Errorf("(-want +got):\n%s", d)
				}
			},
		},
		{
			name: "camelCase, single objects, integer enums, zero GUID, Global instance",
			files: map[string]string{
				ExportPolicies: `[{"identity":"Global","resourceAccount":null,"emergencyNumbers":[]},{"identity":"Tag:Redmond","resourceAccount":"ra1@contoso.com","emergencyNumbers":{"value":["+14255556677"],"Count":1}}]`,
				ExportNumbers:  `{"telephoneNumber":"+14255550100","numberType":0,"locationId":"00000000-0000-0000-0000-000000000000","assignedPstnTargetId":"AAAAAAAA-0000-4000-8000-000000000001","pstnAssignmentStatus":3,"capability":1,"numberSource":0}`,
			},
			check: func(t *testing.T, s *Snapshot) {
				n := s.NumberByTelephone("+14255550100")
				got := []string{n.NumberType, n.LocationID, n.AssignedPstnTargetID, n.PstnAssignmentStatus, strings.Join(n.Capability, ","), n.NumberSource,
					s.Policies[0].Identity, s.Policies[0].ResourceAccount}
				want := []string{"CallingPlan", "", "aaaaaaaa-0000-4000-8000-000000000001", "VoiceApplicationAssigned", "VoiceApplicationAssignment", "Online",
					"Redmond", "aaaaaaaa-0000-4000-8000-000000000001"}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("(-want +got):\n%s", d)
				}
				if len(s.Policies) != 1 {
					t.Errorf("got %d policies, want 1 (the empty Global instance is not imported)", len(s.Policies))
				}
			},
			warnings: []string{
				"numbers.json: enums written as integers (Windows PowerShell 5.1): mapped by callops' assumed numbering, check the imported state or export with PowerShell 7",
			},
		},
		{
			name: "what cannot be mapped is reported",
			files: map[string]string{
				ExportUsers:            `[{"UserPrincipalName":"alice@contoso.com","Identity":"bbbbbbbb-0000-4000-8000-000000000002","TeamsSharedCallingRoutingPolicy":"Tag:Nowhere","LineUri":"tel:+14255550111"},{"UserPrincipalName":"","Identity":"x"},{"UserPrincipalName":"carl@contoso.com","Identity":"CN=carl,OU=Users"}]`,
				ExportNumbers:          `[{"TelephoneNumber":"+14255550100","NumberType":"CallingPlan","AssignedPstnTargetId":"dddddddd-0000-4000-8000-000000000009"},{"TelephoneNumber":"+14255550101","NumberType":"CallingPlan","AssignedPstnTargetId":"TeamsSharedCallingRoutingPolicy|Tag:Gone"}]`,
				ExportGroupAssignments: `{"GroupId":"eeeeeeee-0000-4000-8000-000000000005","PolicyType":"TeamsSharedCallingRoutingPolicy","PolicyName":"Gone","Rank":1}`,
				ExportTenant:           "<missing>",
			},
			warnings: []string{
				"users.json: entry 2 has no UserPrincipalName or Identity: skipped",
				"users.json: user carl@contoso.com has Identity \"CN=carl,OU=Users\", not an object id: numbers assigned to the user will not be matched",
				"numbers.json: +14255550100 is assigned to dddddddd-0000-4000-8000-000000000009, which is no user, resource account or policy of the export: kept as held by an unknown object",
				"group-assignments.json: group eeeeeeee-0000-4000-8000-000000000005 is assigned policy Gone, which is not in policies.json: kept as written",
				"tenant.json: missing: tenant default left as the built-in Global instance",
				"tenant.json: no tenant domain: the state records none, so callops can't tell this tenant from another (the export script writes it)",
				"users.json: user alice@contoso.com is granted policy Nowhere, which is not in policies.json: kept as written",
				"numbers.json: +14255550101 is held by policy Gone, which is not in policies.json: recorded as unassigned",
				`users.json: user alice@contoso.com has LineUri "+14255550111", which the number inventory does not assign to them: not imported`,
			},
		},
		{
			// The inventory lags behind policy changes: a number shown as
			// held by a policy that does not list it (or is not in the
			// export) is held by the policy that lists it, else free. A
			// state keeps no dangling policy holder (Snapshot.Validate).
			name: "numbers held by a policy that does not list them",
			files: map[string]string{
				ExportPolicies: `[{"Identity":"Tag:Redmond","ResourceAccount":"aaaaaaaa-0000-4000-8000-000000000001","EmergencyNumbers":["+14255556677"]},
{"Identity":"Tag:Seattle","ResourceAccount":"aaaaaaaa-0000-4000-8000-000000000001","EmergencyNumbers":[]}]`,
				ExportNumbers: `[{"TelephoneNumber":"+14255550100","NumberType":"CallingPlan","AssignedPstnTargetId":"aaaaaaaa-0000-4000-8000-000000000001","PstnAssignmentStatus":"VoiceApplicationAssigned"},
{"TelephoneNumber":"+14255556677","NumberType":"CallingPlan","AssignedPstnTargetId":"TeamsSharedCallingRoutingPolicy|Tag:Seattle","PstnAssignmentStatus":"PolicyAssigned"},
{"TelephoneNumber":"+14255556678","NumberType":"CallingPlan","AssignedPstnTargetId":"TeamsSharedCallingRoutingPolicy|Tag:Seattle","PstnAssignmentStatus":"PolicyAssigned"},
{"TelephoneNumber":"+14255556679","NumberType":"CallingPlan","AssignedPstnTargetId":"TeamsSharedCallingRoutingPolicy|Tag:Gone","PstnAssignmentStatus":"PolicyAssigned"}]`,
			},
			check: func(t *testing.T, s *Snapshot) {
				var got []string
				for _, n := range s.Numbers {
					got = append(got, n.TelephoneNumber+" "+n.AssignedPstnTargetID+" "+n.PstnAssignmentStatus)
				}
				want := []string{
					"+14255550100 aaaaaaaa-0000-4000-8000-000000000001 VoiceApplicationAssigned",
					"+14255556677 TeamsSharedCallingRoutingPolicy|Tag:Redmond PolicyAssigned",
					"+14255556678  Unassigned",
					"+14255556679  Unassigned",
				}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("numbers (-want +got):\n%s", d)
				}
				if err := s.Validate(); err != nil {
					t.Errorf("imported state does not validate: %v", err)
				}
			},
			warnings: []string{
				"numbers.json: +14255556677 is an emergency number of policy Redmond but shows it held by policy Seattle, which does not list it: recorded as held by policy Redmond",
				"numbers.json: +14255556678 is held by policy Seattle, whose emergency numbers do not list it: recorded as unassigned",
				"numbers.json: +14255556679 is held by policy Gone, which is not in policies.json: recorded as unassigned",
			},
		},
		{
			// What the service never allows is warned about by name and
			// kept; values the desired state cannot hold are warned about;
			// braces, "tel:" twice and a UPN as holder are normalized.
			name: "rules the service keeps, and values callops cannot hold",
			files: map[string]string{
				ExportUsers: `[{"UserPrincipalName":"alice@contoso.com","Identity":"bbbbbbbb-0000-4000-8000-000000000002","EnterpriseVoiceEnabled":true,"TeamsSharedCallingRoutingPolicy":"Tag:Redmond"},
{"UserPrincipalName":"bob@contoso.com","Identity":"bbbbbbbb-0000-4000-8000-000000000003","LineUri":"tel:+1\u001b[2J"}]`,
				ExportLocations:        `[{"LocationId":"cccccccc-0000-4000-8000-000000000003","CountryOrRegion":"USA","Description":"HQ"},{"LocationId":"hq-1","CountryOrRegion":"US"}]`,
				ExportResourceAccounts: `[{"ObjectId":"AAAAAAAA-0000-4000-8000-000000000001","UserPrincipalName":"ra1@contoso.com","DisplayName":"RA"},{"ObjectId":"aaaaaaaa-0000-4000-8000-000000000009","UserPrincipalName":"99"}]`,
				ExportPolicies: `[{"Identity":"Tag:Redmond","ResourceAccount":"{AAAAAAAA-0000-4000-8000-000000000001}","EmergencyNumbers":["tel:+14255556677","+14255556677"],"Description":"x"},
{"Identity":"Tag:Seattle","ResourceAccount":"","EmergencyNumbers":[]}]`,
				ExportNumbers: `[{"TelephoneNumber":"+14255550100","NumberType":"CallingPlan","AssignedPstnTargetId":"aaaaaaaa-0000-4000-8000-000000000001","PstnAssignmentStatus":"VoiceApplicationAssigned"},
{"TelephoneNumber":"+14255550101","NumberType":"CallingPlan","AssignedPstnTargetId":"aaaaaaaa-0000-4000-8000-000000000001","PstnAssignmentStatus":"VoiceApplicationAssigned"},
{"TelephoneNumber":"+14255550111","NumberType":"Bogus","AssignedPstnTargetId":"Alice@contoso.com","PstnAssignmentStatus":"UserAssigned"},
{"TelephoneNumber":"+14255550112","NumberType":"Bogus","AssignedPstnTargetId":"bbbbbbbb-0000-4000-8000-000000000002","PstnAssignmentStatus":"UserAssigned"},
{"TelephoneNumber":"+14255556677","NumberType":"CallingPlan","AssignedPstnTargetId":"TeamsSharedCallingRoutingPolicy|Tag:Redmond","PstnAssignmentStatus":"PolicyAssigned"}]`,
				ExportGroupAssignments: `[{"GroupId":"{EEEEEEEE-0000-4000-8000-000000000005}","PolicyName":"Redmond","Rank":1.5},
{"GroupId":"eeeeeeee-0000-4000-8000-000000000006","PolicyName":"Global","Rank":2},
{"GroupId":"eeeeeeee-0000-4000-8000-000000000007","PolicyName":"Redmond","Rank":0},
{"GroupId":"eeeeeeee-0000-4000-8000-000000000008","PolicyName":"Redmond","Rank":10000000000000000000000}]`,
			},
			check: func(t *testing.T, s *Snapshot) {
				if n := s.NumberByTelephone("+14255550111"); n.AssignedPstnTargetID != "bbbbbbbb-0000-4000-8000-000000000002" {
					t.Errorf("number assigned to alice's UPN has holder %q, want her object id", n.AssignedPstnTargetID)
				}
				if p := s.PolicyByIdentity("Redmond"); p.ResourceAccount != "aaaaaaaa-0000-4000-8000-000000000001" || len(p.EmergencyNumbers) != 1 {
					t.Errorf("Redmond = %+v, want its account without braces and one emergency number", p)
				}
				var groups []string
				for _, g := range s.GroupAssignments {
					groups = append(groups, fmt.Sprintf("%s %s %d", g.GroupID, g.PolicyName, g.Rank))
				}
				want := []string{"eeeeeeee-0000-4000-8000-000000000005 Redmond 0", "eeeeeeee-0000-4000-8000-000000000007 Redmond 0", "eeeeeeee-0000-4000-8000-000000000008 Redmond 0"}
				if d := cmp.Diff(want, groups); d != "" {
					t.Errorf("groups (-want +got):\n%s", d)
				}
			},
			warnings: []string{
				`resource-accounts.json: resource account aaaaaaaa-0000-4000-8000-000000000009 has UserPrincipalName "99", not name@domain: kept as written`,
				`locations.json: location cccccccc-0000-4000-8000-000000000003 has CountryOrRegion "USA", not a two-letter ISO 3166 code: kept as written`,
				`locations.json: entry 2 has LocationId "hq-1", not a GUID: kept as written`,
				"policies.json: policy Redmond lists emergency number +14255556677 twice: kept once",
				"policies.json: policy Seattle has no ResourceAccount, which the service requires: kept without one",
				"group-assignments.json: group eeeeeeee-0000-4000-8000-000000000005 has Rank 1.5, not a whole number callops can hold: recorded as rank 0",
				"group-assignments.json: group eeeeeeee-0000-4000-8000-000000000006 is assigned the Global instance, which is no group assignment: skipped",
				"group-assignments.json: group eeeeeeee-0000-4000-8000-000000000007 has Rank 0; ranks start at 1: kept as written",
				"group-assignments.json: group eeeeeeee-0000-4000-8000-000000000008 has Rank 10000000000000000000000, not a whole number callops can hold: recorded as rank 0",
				`numbers.json: numbertype value "Bogus" is not one callops knows (2 entries); kept as written`,
				`users.json: user bob@contoso.com has LineUri "+1\x1b[2J", which the number inventory does not assign to them: not imported`,
				"numbers.json: alice@contoso.com holds 2 numbers: +14255550111, +14255550112 (a private line? callops manages one number per user) [number-held-twice]: kept as exported; a plan that changes this user's numbers may be refused",
				"numbers.json: ra1@contoso.com holds 2 numbers: +14255550100, +14255550101 [number-held-twice]: the service never allows this, so the export was probably taken while the tenant changed; kept as exported (export again, or a plan through it will be refused)",
			},
		},
		{
			name:  "UTF-16 with BOM, as Windows PowerShell's Out-File writes",
			files: map[string]string{ExportLocations: utf16LE(`[{"LocationId":"cccccccc-0000-4000-8000-000000000003","CountryOrRegion":"US","Description":"Zürich"}]`)},
			check: func(t *testing.T, s *Snapshot) {
				if got := s.Locations[0].Description; got != "Zürich" {
					t.Errorf("description %q, want Zürich", got)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := minimalExport()
			for k, v := range tt.files {
				files[k] = v
			}
			s, warnings, err := Import(writeExport(t, files))
			if err != nil {
				t.Fatal(err)
			}
			if tt.check != nil {
				tt.check(t, s)
			}
			var msgs []string
			for _, w := range warnings {
				msgs = append(msgs, w.String())
			}
			if d := cmp.Diff(tt.warnings, msgs); d != "" {
				t.Errorf("warnings (-want +got):\n%s", d)
			}
		})
	}
}

func utf16LE(s string) string {
	b := []byte{0xff, 0xfe}
	for _, r := range s {
		if r > 0xffff {
			panic("test helper: BMP only")
		}
		b = append(b, byte(r), byte(r>>8))
	}
	return string(b)
}

func TestImportErrors(t *testing.T) {
	tests := []struct {
		name  string
		files map[string]string
		want  string
	}{
		{"syntax error names file and line", map[string]string{ExportNumbers: "[\n{\"TelephoneNumber\": \"+1\",\n}\n]"}, "numbers.json:3: invalid JSON"},
		{"missing required file", map[string]string{ExportUsers: "<missing>"}, "users.json: missing from the export directory"},
		{"not objects", map[string]string{ExportPolicies: `["Redmond"]`}, "policies.json: element 0 is a string, not an object"},
		{"truncated", map[string]string{ExportLocations: "[{\"LocationId\":"}, "locations.json:1: unexpected end of JSON"},
		{"duplicate number names the file", map[string]string{ExportNumbers: `[{"TelephoneNumber":"+14255550100"},{"TelephoneNumber":"tel:+14255550100"}]`}, `numbers.json: duplicate number "+14255550100"`},
		{"duplicate location names the file", map[string]string{ExportLocations: `[{"LocationId":"cccccccc-0000-4000-8000-000000000003","CountryOrRegion":"US"},{"LocationId":"{CCCCCCCC-0000-4000-8000-000000000003}","CountryOrRegion":"US"}]`}, `locations.json: duplicate location "cccccccc-0000-4000-8000-000000000003"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := minimalExport()
			for k, v := range tt.files {
				files[k] = v
			}
			_, _, err := Import(writeExport(t, files))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

// FuzzParseExport checks that no input makes the export reader panic and
// that every failure is a *ParseError.
func FuzzParseExport(f *testing.F) {
	for _, dir := range []string{"ps7", "ps51"} {
		entries, _ := os.ReadDir(filepath.Join("testdata", "import", dir))
		for _, e := range entries {
			b, err := os.ReadFile(filepath.Join("testdata", "import", dir, e.Name()))
			if err == nil {
				f.Add(b)
			}
		}
	}
	f.Add([]byte("\xff\xfe[\x00]\x00"))
	f.Add([]byte(`{"value":[{"a":1}],"Count":1}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := parseExport(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v, want *ParseError", err, err)
			}
			return
		}
		for _, o := range objs {
			o.str("identity", "name")
			o.list("emergencynumbers")
			o.boolean("enterprisevoiceenabled")
			o.integer("rank")
		}
	})
}

// TestWarningPrintable: a warning quotes export values as they came; what a
// terminal would act on (escape sequences, BEL, bidirectional overrides,
// bytes that are not UTF-8) is escaped when it is printed.
func TestWarningPrintable(t *testing.T) {
	w := Warning{File: ExportPolicies, Message: "policy Sales\x1b[2J\a\u202egnp.exe has \xff,\u2028ok: Zürich"}
	want := `policies.json: policy Sales\x1b[2J\x07\u+202Egnp.exe has \xff,\u+2028ok: Zürich`
	if got := w.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if got := (Warning{Message: "plain Zürich"}).String(); got != "plain Zürich" {
		t.Errorf("a clean message changed: %q", got)
	}
}

// TestImportRecordsNoGuessedDomain: an export without a tenant domain gives a
// state without one (a UPN suffix would make the right tenant look like
// another to the tenant checks), and says so.
func TestImportRecordsNoGuessedDomain(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join("testdata", "import", "ps7")
	entries, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() == ExportTenant {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s, warnings, err := Import(dir)
	if err != nil {
		t.Fatal(err)
	}
	if s.Tenant.Domain != "" {
		t.Errorf("domain = %q, want none recorded", s.Tenant.Domain)
	}
	if GuessDomain(s) == "" {
		t.Error("the fixture has no UPNs to guess from: the test needs some")
	}
	if !slices.ContainsFunc(warnings, func(w Warning) bool { return strings.Contains(w.Message, "no tenant domain") }) {
		t.Errorf("no warning about the missing domain: %v", warnings)
	}
}
