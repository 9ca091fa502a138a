package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// TestEncodeRoundTrip: what Encode writes loads back into the same model,
// whatever the names and descriptions hold (quotes, backslashes, CUE's
// interpolation "\(", newlines, keywords and identifiers as keys).
func TestEncodeRoundTrip(t *testing.T) {
	d := &Desired{
		Domain: "contoso.onmicrosoft.com",
		Locations: []Location{
			{Key: "redmond_hq", ID: "9905bca0-6fb0-11ec-84a4-25019013784a", Country: "US"},
			{Key: "if", ID: "c7c5a17f-00d7-47c0-9ddb-3383229d606b", Country: "US"},
			{Key: "has space \"q\"", ID: "c7c5a17f-00d7-47c0-9ddb-3383229d606c", Country: "GB"},
		},
		ResourceAccounts: []ResourceAccount{{UPN: "ra1@contoso.com", Number: "+14255550100", Type: CallingPlan, Location: "if"}},
		Policies: []Policy{
			{Name: "Redmond", ResourceAccount: "ra1@contoso.com", Description: "line \\(x) \"quoted\"\nsecond line\ttab",
				EmergencyNumbers: []Located{{Value: "+14255556677"}, {Value: "+14255556678"}},
				Users:            []Located{{Value: "b@contoso.com"}, {Value: "a@contoso.com"}},
				Groups:           []GroupGrant{{GroupID: "0c6f1b7e-3d2a-4f5b-9e8c-7a6b5c4d3e2f", Rank: 2}}},
			{Name: "_hidden #def $x", ResourceAccount: "ra1@contoso.com"},
			{Name: "string", ResourceAccount: "ra1@contoso.com", Description: "’single’ 'quotes' ‘’"},
		},
		TenantDefault: "Redmond",
		UserNumbers:   []UserNumber{{UPN: "dave@contoso.com", Number: "+14255550177;ext=6789", Type: DirectRouting}},
	}
	d.Sort()
	out, err := Encode(d)
	if err != nil {
		t.Fatal(err)
	}
	got, err := LoadFiles([]File{{Name: "tenant.cue", Data: out}}, Options{})
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	opts := []cmp.Option{cmpopts.IgnoreTypes(Pos{}), cmpopts.IgnoreFields(Desired{}, "Digest", "Files"), cmpopts.IgnoreUnexported(Desired{})}
	if diff := cmp.Diff(d, got, opts...); diff != "" {
		t.Errorf("model after encode and load (-want +got):\n%s\n%s", diff, out)
	}
	files, err := EncodeFiles(d)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	if diff := cmp.Diff([]string{EncodeTenantFile, EncodePoliciesFile, EncodeUserNumbersFile}, names); diff != "" {
		t.Errorf("files (-want +got):\n%s", diff)
	}
	multi, err := LoadFiles(files, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d, multi, opts...); diff != "" {
		t.Errorf("model after EncodeFiles and load (-want +got):\n%s", diff)
	}
	again, err := Encode(got)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(out), string(again)); diff != "" {
		t.Errorf("Encode is not stable (-want +got):\n%s", diff)
	}
	formatted, err := Format("tenant.cue", out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(out), string(formatted)); diff != "" {
		t.Errorf("Encode output is not what callops fmt writes (-want +got):\n%s", diff)
	}
}
