package lint

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/schema"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// sampleFindings covers what formatters must handle: several files, all
// severities, a finding without a position, characters that need escaping
// (%, :, comma, newline) and a file name with a space.
func sampleFindings() []Finding {
	fs := []Finding{
		{Rule: "emergency-number-reused", Severity: Error,
			Message: "+14255556677 is an emergency number of policies Redmond and Seattle",
			Pos:     schema.Pos{File: "policies.cue", Line: 12, Col: 22}, Path: "policies.Seattle.emergencyNumbers[0]"},
		{Rule: "location-country", Severity: Warning,
			Message: "location vancouver of resource account ra1@contoso.com is in CA, but its number +14255550100 is in US",
			Pos:     schema.Pos{File: "accounts.cue", Line: 4, Col: 13}, Path: `resourceAccounts."ra1@contoso.com".location`},
		{Rule: "number-format", Severity: Error,
			Message: "resource account ra2@contoso.com: \"+1 425-555-0100\" is not an E.164 number (100% wrong: a, b)\nsecond line",
			Pos:     schema.Pos{File: "accounts.cue", Line: 9, Col: 13}, Path: `resourceAccounts."ra2@contoso.com".number`},
		{Rule: "policy-unused", Severity: Info,
			Message: "policy Lab is granted to no user or group and is not the tenant default",
			Pos:     schema.Pos{File: "sub dir/lab.cue", Line: 2, Col: 1}, Path: "policies.Lab"},
		{Rule: RuleSchema, Severity: Error, Message: "tenant.domain: incomplete value string"},
	}
	Sort(fs)
	return fs
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./lint -update to create it)", err)
	}
	if d := cmp.Diff(string(want), string(got)); d != "" {
		t.Errorf("%s differs from golden file (-want +got):\n%s", path, d)
	}
}

var goldenOpts = Options{PathPrefix: "examples/contoso", ToolVersion: "0.1.0"}

func TestWriteJSONGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, sampleFindings(), goldenOpts); err != nil {
		t.Fatal(err)
	}
	golden(t, "findings.json", b.Bytes())
	var back JSONReport
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if back.Format != "callops-lint/v1" || back.Errors != 3 || back.Warnings != 1 || len(back.Findings) != 5 {
		t.Errorf("report = %+v", back)
	}
}

func TestWriteJSONEmpty(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	var got map[string]any
	if err := json.Unmarshal(b.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{"format": "callops-lint/v1", "findings": []any{}, "errors": float64(0), "warnings": float64(0)}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("empty report (-want +got):\n%s", d)
	}
}

func TestWriteGitHubGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteGitHub(&b, sampleFindings(), goldenOpts); err != nil {
		t.Fatal(err)
	}
	golden(t, "findings.github", b.Bytes())
}

func TestGitHubEscaping(t *testing.T) {
	// The same cases as @actions/core's command tests.
	if got, want := escapeData("a%b\r\nc:d,e"), "a%25b%0D%0Ac:d,e"; got != want {
		t.Errorf("escapeData = %q, want %q", got, want)
	}
	if got, want := escapeProperty("a%b\r\nc:d,e"), "a%25b%0D%0Ac%3Ad%2Ce"; got != want {
		t.Errorf("escapeProperty = %q, want %q", got, want)
	}
}

func TestWriteSARIFGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteSARIF(&b, sampleFindings(), goldenOpts); err != nil {
		t.Fatal(err)
	}
	golden(t, "findings.sarif", b.Bytes())

	// What GitHub code scanning needs, checked on the decoded document.
	var log struct {
		Schema  string `json:"$schema"`
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Locations []struct {
					PhysicalLocation *struct {
						ArtifactLocation struct {
							URI       string `json:"uri"`
							URIBaseID string `json:"uriBaseId"`
						} `json:"artifactLocation"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || log.Schema == "" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "callops" {
		t.Fatalf("bad SARIF header: %+v", log)
	}
	run := log.Runs[0]
	var uris []string
	for _, r := range run.Results {
		if rules := run.Tool.Driver.Rules; r.RuleIndex >= len(rules) || rules[r.RuleIndex].ID != r.RuleID {
			t.Errorf("result %s has ruleIndex %d that does not name its rule", r.RuleID, r.RuleIndex)
		}
		for _, l := range r.Locations {
			if l.PhysicalLocation != nil {
				uris = append(uris, l.PhysicalLocation.ArtifactLocation.URI)
				if l.PhysicalLocation.ArtifactLocation.URIBaseID != "%SRCROOT%" {
					t.Errorf("uriBaseId = %q", l.PhysicalLocation.ArtifactLocation.URIBaseID)
				}
			}
		}
	}
	want := []string{"examples/contoso", "examples/contoso/accounts.cue", "examples/contoso/accounts.cue", "examples/contoso/policies.cue", "examples/contoso/sub%20dir/lab.cue"}
	if d := cmp.Diff(want, uris); d != "" {
		t.Errorf("artifact URIs (-want +got):\n%s", d)
	}
	for _, r := range run.Results {
		if len(r.Locations) == 0 || r.Locations[0].PhysicalLocation == nil {
			t.Errorf("result %s has no physical location (code scanning refuses it)", r.RuleID)
		}
	}

	// With a default file, position-less findings point at it.
	b.Reset()
	opts := goldenOpts
	opts.DefaultFile = "tenant.cue"
	if err := WriteSARIF(&b, sampleFindings()[:1], opts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"uri": "examples/contoso/tenant.cue"`) {
		t.Errorf("default file not used:\n%s", b.String())
	}
}

func TestWriteTextGolden(t *testing.T) {
	var b bytes.Buffer
	if err := WriteText(&b, sampleFindings(), Options{PathPrefix: "examples/contoso"}); err != nil {
		t.Fatal(err)
	}
	golden(t, "findings.txt", b.Bytes())
	if strings.Contains(b.String(), "\x1b[") {
		t.Error("text output without Color contains ANSI escapes")
	}
	var c bytes.Buffer
	if err := WriteText(&c, sampleFindings(), Options{Color: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(c.String(), ansiRed+"error:"+ansiReset) {
		t.Errorf("colored output does not color errors:\n%q", c.String())
	}
}

func TestSummary(t *testing.T) {
	tests := []struct {
		findings []Finding
		want     string
	}{
		{nil, "no problems"},
		{sampleFindings(), "3 errors, 1 warning, 1 info in 3 files"},
		{[]Finding{{Severity: Warning, Pos: schema.Pos{File: "a.cue", Line: 1}}}, "0 errors, 1 warning, 0 infos in 1 file"},
		{[]Finding{{Severity: Error}}, "1 error, 0 warnings, 0 infos"},
	}
	for _, tt := range tests {
		if got := Summary(Summarize(tt.findings)); got != tt.want {
			t.Errorf("Summary = %q, want %q", got, tt.want)
		}
	}
	var b bytes.Buffer
	if err := WriteText(&b, nil, Options{}); err != nil {
		t.Fatal(err)
	}
	if b.String() != "no problems\n" {
		t.Errorf("WriteText(nil) = %q", b.String())
	}
}

func TestFailed(t *testing.T) {
	tests := []struct {
		sev            []Severity
		normal, strict bool
	}{
		{nil, false, false},
		{[]Severity{Info}, false, false},
		{[]Severity{Warning, Info}, false, true},
		{[]Severity{Error}, true, true},
	}
	for _, tt := range tests {
		var fs []Finding
		for _, s := range tt.sev {
			fs = append(fs, Finding{Severity: s})
		}
		r := Summarize(fs)
		if r.Failed(false) != tt.normal || r.Failed(true) != tt.strict {
			t.Errorf("%v: Failed(false)=%v Failed(true)=%v, want %v %v", tt.sev, r.Failed(false), r.Failed(true), tt.normal, tt.strict)
		}
	}
}

func TestSchemaFindings(t *testing.T) {
	got := SchemaFindings([]schema.Problem{
		{Pos: schema.Pos{File: "b.cue", Line: 2, Col: 1}, Path: "policies.X.users", Message: "conflicting values"},
		{Pos: schema.Pos{File: "a.cue", Line: 5, Col: 9}, Path: "tenant.domain", Message: "incomplete value"},
	})
	want := []Finding{
		{Rule: "schema", Severity: Error, Message: "incomplete value", Pos: schema.Pos{File: "a.cue", Line: 5, Col: 9}, Path: "tenant.domain"},
		{Rule: "schema", Severity: Error, Message: "conflicting values", Pos: schema.Pos{File: "b.cue", Line: 2, Col: 1}, Path: "policies.X.users"},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("SchemaFindings (-want +got):\n%s", d)
	}
}

func TestSeverityText(t *testing.T) {
	for _, s := range []Severity{Info, Warning, Error} {
		b, _ := s.MarshalText()
		var back Severity
		if err := back.UnmarshalText(b); err != nil || back != s {
			t.Errorf("round trip of %v: %v, %v", s, back, err)
		}
	}
	var s Severity
	if err := s.UnmarshalText([]byte("fatal")); err == nil {
		t.Error("UnmarshalText(fatal) succeeded")
	}
}

// TestRelativeURI: SARIF locations are relative references: escaped, and a
// colon in the first segment (a directory "c:x") does not make a scheme.
func TestRelativeURI(t *testing.T) {
	for in, want := range map[string]string{
		"":                  "",
		"policies.cue":      "policies.cue",
		"sites/a b.cue":     "sites/a%20b.cue",
		"c:x/seed.cue":      "./c:x/seed.cue",
		"dir/c:x.cue":       "dir/c:x.cue",
		"Zürich/tenant.cue": "Z%C3%BCrich/tenant.cue",
		"50%/tenant.cue":    "50%25/tenant.cue",
	} {
		if got := relativeURI(in); got != want {
			t.Errorf("relativeURI(%q) = %q, want %q", in, got, want)
		}
		if u, err := url.Parse(relativeURI(in)); err != nil || u.Scheme != "" {
			t.Errorf("relativeURI(%q) parses as %v (scheme %q)", in, err, u.Scheme)
		}
	}
}
