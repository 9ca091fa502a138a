package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

const contoso = `package tenant

tenant: domain: "contoso.onmicrosoft.com"

locations: redmond: {id: "407c17ae-8c41-431e-894a-38787c682f68", country: "US"}

resourceAccounts: "ra1@contoso.com": {
	number:   "+14255550100"
	type:     "CallingPlan"
	location: "redmond"
}

policies: Redmond: {
	resourceAccount:  "ra1@contoso.com"
	emergencyNumbers: ["+14255556677", "+14255556678"]
	description:      "Shared line for Redmond"
	users: ["alice@contoso.com", "bob@contoso.com"]
	groups: {"0c6f1b7e-1111-2222-3333-444455556666": 1}
}

tenantDefault: "Redmond"

userNumbers: "carol@contoso.com": {number: "+14255556679", type: "CallingPlan"}
`

func files(kv ...string) []File {
	var fs []File
	for i := 0; i+1 < len(kv); i += 2 {
		fs = append(fs, File{Name: kv[i], Data: []byte(kv[i+1])})
	}
	return fs
}

func TestLoadModel(t *testing.T) {
	d, err := LoadFiles(files("tenant.cue", contoso), Options{})
	if err != nil {
		t.Fatal(err)
	}
	d.index = nil
	want := &Desired{
		Domain:    "contoso.onmicrosoft.com",
		DomainPos: Pos{"tenant.cue", 3, 17},
		Locations: []Location{{Key: "redmond", ID: "407c17ae-8c41-431e-894a-38787c682f68", Country: "US",
			Pos: Pos{"tenant.cue", 5, 12}, IDPos: Pos{"tenant.cue", 5, 26}, CountryPos: Pos{"tenant.cue", 5, 75}}},
		ResourceAccounts: []ResourceAccount{{UPN: "ra1@contoso.com", Number: "+14255550100", Type: CallingPlan, Location: "redmond",
			Pos: Pos{"tenant.cue", 7, 19}, NumberPos: Pos{"tenant.cue", 8, 12}, TypePos: Pos{"tenant.cue", 9, 12}, LocationPos: Pos{"tenant.cue", 10, 12}}},
		Policies: []Policy{{
			Name: "Redmond", Pos: Pos{"tenant.cue", 13, 11},
			ResourceAccount: "ra1@contoso.com", ResourceAccountPos: Pos{"tenant.cue", 14, 20},
			Description: "Shared line for Redmond", DescriptionPos: Pos{"tenant.cue", 16, 20},
			EmergencyNumbers: []Located{{"+14255556677", Pos{"tenant.cue", 15, 21}}, {"+14255556678", Pos{"tenant.cue", 15, 37}}},
			Users:            []Located{{"alice@contoso.com", Pos{"tenant.cue", 17, 10}}, {"bob@contoso.com", Pos{"tenant.cue", 17, 31}}},
			Groups:           []GroupGrant{{GroupID: "0c6f1b7e-1111-2222-3333-444455556666", Rank: 1, Pos: Pos{"tenant.cue", 18, 51}}},
		}},
		TenantDefault: "Redmond", TenantDefaultPos: Pos{"tenant.cue", 21, 16},
		UserNumbers: []UserNumber{{UPN: "carol@contoso.com", Number: "+14255556679", Type: CallingPlan,
			Pos: Pos{"tenant.cue", 23, 14}, NumberPos: Pos{"tenant.cue", 23, 44}, TypePos: Pos{"tenant.cue", 23, 66}}},
		Digest: d.Digest,
		Files:  []string{"tenant.cue"},
	}
	if diff := cmp.Diff(want, d, cmp.AllowUnexported(Desired{})); diff != "" {
		t.Errorf("model mismatch (-want +got):\n%s", diff)
	}
	if !strings.HasPrefix(d.Digest, "sha256:") || len(d.Digest) != len("sha256:")+64 {
		t.Errorf("digest %q", d.Digest)
	}
	if p, ok := d.Policy("Redmond"); !ok || p.ResourceAccount != "ra1@contoso.com" {
		t.Errorf("Policy lookup: %v %v", p, ok)
	}
	if _, ok := d.Policy("Seattle"); ok {
		t.Error("Policy(Seattle) found")
	}
}

func TestLoadSplitAcrossFilesAndDigest(t *testing.T) {
	a := files(
		"a.cue", "package tenant\ntenant: domain: \"x.com\"\n#Site: {resourceAccount: string}\n",
		"b.cue", "package tenant\npolicies: P: #Site & {resourceAccount: \"ra@x.com\"}\n",
	)
	d, err := LoadFiles(a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Policies) != 1 || d.Policies[0].ResourceAccountPos.File != "b.cue" {
		t.Fatalf("policies %+v", d.Policies)
	}
	// Order of the input does not change the digest; content does.
	rev := []File{a[1], a[0]}
	d2, err := LoadFiles(rev, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Digest != d2.Digest {
		t.Error("digest depends on file order")
	}
	a[1].Data = append(a[1].Data, '\n')
	d3, err := LoadFiles(a, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d3.Digest == d.Digest {
		t.Error("digest did not change with content")
	}
}

func TestLoadStdlibImport(t *testing.T) {
	d, err := LoadFiles(files("a.cue", "package tenant\nimport \"strings\"\ntenant: domain: strings.ToLower(\"X.COM\")\n"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Domain != "x.com" {
		t.Errorf("domain %q", d.Domain)
	}
}

// TestLoadProblems: bad input gives a *LoadError whose problems name the file
// and line, never a panic.
func TestLoadProblems(t *testing.T) {
	tests := []struct {
		name  string
		files []File
		pos   Pos // of the first problem; zero: only File is checked
		file  string
		msg   string
	}{
		{"syntax error", files("a.cue", "package tenant\ntenant: domain: \"x\"\npolicies: {\n"), Pos{}, "a.cue", "expected"},
		{"unknown field", files("a.cue", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", emergencyCallbackNumbers: [\"+14255550100\"]}\n"), Pos{}, "a.cue", "field emergencyCallbackNumbers is not allowed (did you mean emergencyNumbers?)"},
		{"bad number type", files("a.cue", "package tenant\ntenant: domain: \"x\"\nuserNumbers: \"u@x\": {number: \"+14255550100\", type: \"Calling\"}\n"), Pos{"a.cue", 3, 52}, "a.cue", `"Calling" is not one of "CallingPlan", "DirectRouting", "OperatorConnect"`},
		{"missing required", files("a.cue", "package tenant\ntenant: domain: \"x\"\npolicies: P: {description: \"d\"}\n"), Pos{"a.cue", 3, 11}, "a.cue", "required field resourceAccount is missing"},
		{"number pattern", files("a.cue", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", emergencyNumbers: [\"425-555-0100\"]}\n"), Pos{"a.cue", 3, 58}, "a.cue", "out of bound"},
		{"two packages", files("a.cue", "package tenant\ntenant: domain: \"x\"\n", "b.cue", "package other\n"), Pos{"b.cue", 1, 9}, "b.cue", "one CUE package"},
		{"binary file", files("a.cue", "package tenant\x00\x01"), Pos{"a.cue", 1, 1}, "a.cue", "binary"},
		{"not utf-8", files("a.cue", "package tenant\ntenant: domain: \"\xff\"\n"), Pos{"a.cue", 2, 18}, "a.cue", "UTF-8"},
		{"reference cycle", files("a.cue", "package tenant\ntenant: domain: x\nx: tenant.domain\n"), Pos{}, "", ""},
		{"structural cycle", files("a.cue", "package tenant\ntenant: domain: \"x\"\n#a: {b: #a}\nz: #a\n"), Pos{}, "", ""},
		{"foreign import", files("a.cue", "package tenant\nimport \"example.com/evil\"\ntenant: domain: \"x\"\n"), Pos{"a.cue", 2, 8}, "a.cue", "standard library"},
		{"extern attribute", files("a.cue", "@extern(embed)\npackage tenant\ntenant: domain: \"x\"\n"), Pos{"a.cue", 1, 1}, "a.cue", "@extern"},
		{"incomplete value", files("a.cue", "package tenant\ntenant: domain: string\n"), Pos{}, "", "incomplete"},
		{"user not a upn", files("a.cue", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", users: [\"a@x\", \"bob\"]}\n"), Pos{"a.cue", 3, 54}, "a.cue", `"bob" is not a user principal name`},
		{"user with an escape", files("a.cue", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", users: [\"eve\\u001b[2J@x\"]}\n"), Pos{"a.cue", 3, 47}, "a.cue", `"eve\x1b[2J@x" is not a user principal name`},
		{"policy name with a colon", files("a.cue", "package tenant\ntenant: domain: \"x\"\npolicies: \"Sales:West\": {resourceAccount: \"r@x\"}\n"), Pos{"a.cue", 3, 11}, "a.cue", `policy name "Sales:West" is not allowed: a name cannot contain ':' (the service writes "Tag:" before it) or control characters`},
		{"location key with an escape", files("a.cue", "package tenant\ntenant: domain: \"x\"\nlocations: \"hq\\u001b\": {id: \"407c17ae-8c41-431e-894a-38787c682f68\", country: \"US\"}\n"), Pos{"a.cue", 3, 12}, "a.cue", `location key "hq\x1b" is not allowed: a key cannot contain control characters`},
		{"group rank beyond 64 bits", files("a.cue", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", groups: \"2f79db8a-fbea-48ef-889c-4f38affeaf3d\": 99999999999999999999999}\n"), Pos{"a.cue", 3, 87}, "a.cue", "group rank 99999999999999999999999 is too large: ranks order the groups of a policy type, 1 first, and fit in 64 bits"},
		{"tag prefix in policy name", files("a.cue", "package tenant\ntenant: domain: \"x\"\npolicies: \"Tag:P\": {resourceAccount: \"r@x\"}\n"), Pos{}, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := LoadFiles(tt.files, Options{})
			var le *LoadError
			if !errors.As(err, &le) {
				t.Fatalf("err = %v (%T), want *LoadError", err, err)
			}
			if len(le.Problems) == 0 {
				t.Fatal("no problems")
			}
			p := le.Problems[0]
			if tt.pos.IsValid() && p.Pos != tt.pos {
				t.Errorf("pos = %v, want %v (%s)", p.Pos, tt.pos, p.Message)
			}
			if tt.file != "" && p.Pos.File != tt.file {
				t.Errorf("file = %q, want %q (%s)", p.Pos.File, tt.file, p.Message)
			}
			if !strings.Contains(p.Message, tt.msg) && !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("message %q does not contain %q", p.Message, tt.msg)
			}
			if strings.Contains(p.Message, "#Tenant") || strings.HasPrefix(p.Path, "#Tenant") {
				t.Errorf("problem leaks the schema's name: %+v", p)
			}
		})
	}
}

func TestLoadUnknownFieldPath(t *testing.T) {
	_, err := LoadFiles(files("a.cue", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", emergencyCallbackNumbers: [\"+14255550100\"]}\n"), Options{})
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatal(err)
	}
	if got := le.Problems[0].Path; !strings.HasPrefix(got, "policies.P.emergencyCallbackNumbers") {
		t.Errorf("path %q", got)
	}
	if le.Problems[0].Pos.Line != 3 {
		t.Errorf("line %d, want 3", le.Problems[0].Pos.Line)
	}
}

func TestLoadAllProblemsAtOnce(t *testing.T) {
	_, err := LoadFiles(files("a.cue", "package tenant\ntenant: domain: \"x\"\nuserNumbers: {\n\t\"a@x\": {number: \"1\", type: \"CallingPlan\"}\n\t\"b@x\": {number: \"2\", type: \"CallingPlan\"}\n}\n"), Options{})
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatal(err)
	}
	if len(le.Problems) != 2 || le.Problems[0].Pos.Line != 4 || le.Problems[1].Pos.Line != 5 {
		t.Errorf("problems %+v, want one on line 4 and one on line 5", le.Problems)
	}
}

func TestReadDir(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ReadDir(dir, Options{}); err == nil || !strings.Contains(err.Error(), "no .cue files") {
		t.Errorf("empty dir: %v", err)
	}
	write("a.cue", "package tenant\ntenant: domain: \"x\"\n")
	write(".hidden.cue", "garbage")
	write("_skip.cue", "garbage")
	write("notes.txt", "garbage")
	fs, err := ReadDir(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].Name != "a.cue" {
		t.Errorf("files %+v", fs)
	}
	write("big.cue", strings.Repeat("// x\n", 100))
	_, err = ReadDir(dir, Options{MaxFileSize: 100})
	var le *LoadError
	if !errors.As(err, &le) || le.Problems[0].Pos.File != "big.cue" || !strings.Contains(le.Problems[0].Message, "larger than") {
		t.Errorf("oversized: %v", err)
	}
	if _, err := ReadDir(dir, Options{MaxTotalSize: 300}); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("total size: %v", err)
	}
	os.Remove(filepath.Join(dir, "big.cue"))
	outside := filepath.Join(t.TempDir(), "secret.cue")
	os.WriteFile(outside, []byte("package tenant\n"), 0o644)
	if err := os.Symlink(outside, filepath.Join(dir, "link.cue")); err != nil {
		t.Skip(err)
	}
	_, err = ReadDir(dir, Options{})
	if !errors.As(err, &le) || !strings.Contains(le.Problems[0].Message, "symbolic link") {
		t.Errorf("symlink: %v", err)
	}
}

func TestLoadLimits(t *testing.T) {
	if _, err := LoadFiles(files("a.cue", strings.Repeat("x", 50)), Options{MaxFileSize: 10}); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("file limit: %v", err)
	}
	if _, err := LoadFiles(files("a.cue", "1234", "b.cue", "1234"), Options{MaxTotalSize: 6}); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("total limit: %v", err)
	}
	if _, err := LoadFiles(nil, Options{}); err == nil {
		t.Error("no files: no error")
	}
}

func TestUnknownFieldMessage(t *testing.T) {
	tests := []struct {
		elems []string
		want  string
	}{
		{[]string{"policies", "P", "emergencyCallbackNumbers", "0"}, "field emergencyCallbackNumbers is not allowed (did you mean emergencyNumbers?)"},
		{[]string{"resourceAccounts", `"ra@x"`, "numbr"}, "field numbr is not allowed (did you mean number?)"},
		{[]string{"policy"}, "field policy is not allowed (did you mean policies?)"},
		{[]string{"policies", "P", "zzz"}, "field zzz is not allowed (allowed: resourceAccount, emergencyNumbers, description, users, groups)"},
		{[]string{"x", "y", "z", "w"}, "field w is not allowed"},
	}
	for _, tt := range tests {
		if got := unknownFieldMessage(tt.elems); got != tt.want {
			t.Errorf("unknownFieldMessage(%v) = %q, want %q", tt.elems, got, tt.want)
		}
	}
}

func TestIsUPN(t *testing.T) {
	for s, want := range map[string]bool{"a@x.com": true, "a.b@x": true, "bob": false, "@x": false, "a@": false, "a@b@c": false, "a b@x": false, "": false} {
		if got := IsUPN(s); got != want {
			t.Errorf("IsUPN(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestPath(t *testing.T) {
	tests := []struct {
		elems []any
		want  string
	}{
		{[]any{"policies", "Seattle", "emergencyNumbers", 0}, "policies.Seattle.emergencyNumbers[0]"},
		{[]any{"resourceAccounts", "ra1@contoso.com", "number"}, `resourceAccounts."ra1@contoso.com".number`},
		{[]any{"tenantDefault"}, "tenantDefault"},
	}
	for _, tt := range tests {
		if got := Path(tt.elems...); got != tt.want {
			t.Errorf("Path(%v) = %q, want %q", tt.elems, got, tt.want)
		}
	}
}

// TestStdlibPositionsHidden: an error inside a standard-library package is
// not reported at a made-up position in the user's directory.
func TestStdlibPositionsHidden(t *testing.T) {
	_, err := LoadFiles(files("a.cue", "package tenant\nimport \"strings\"\ntenant: domain: strings.Join(1, 2)\n"), Options{})
	var le *LoadError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v", err)
	}
	for _, p := range le.Problems {
		if p.Pos.IsValid() && p.Pos.File != "a.cue" {
			t.Errorf("problem at %v, outside the user's files: %s", p.Pos, p.Message)
		}
	}
}

// TestLongConflictShortened: a conflict with a huge value (CUE quotes both
// sides) gives a message of bounded length that says what it left out.
func TestLongConflictShortened(t *testing.T) {
	big := strings.Repeat("x", 200_000)
	_, err := LoadFiles(files("a.cue", "package tenant\ntenant: domain: \"a\"\ntenant: domain: \""+big+"\"\n"), Options{})
	var le *LoadError
	if !errors.As(err, &le) || len(le.Problems) == 0 {
		t.Fatalf("err = %v, want a conflict", err)
	}
	for _, p := range le.Problems {
		if len(p.Message) > maxMessage+40 {
			t.Errorf("message of %d bytes: %.80s...", len(p.Message), p.Message)
		}
		if strings.Contains(p.Message, "xxxxx") && !strings.Contains(p.Message, "more bytes)") {
			t.Errorf("a shortened message does not say so: %.200s", p.Message)
		}
	}
	if got := shorten(strings.Repeat("é", 600)); !strings.HasSuffix(got, "... (200 more bytes)") || !utf8.ValidString(got) {
		t.Errorf("shorten cut a rune or miscounted: ...%s", got[len(got)-40:])
	}
}
