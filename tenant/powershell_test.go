package tenant

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

const (
	groupRedmond = "0c6f1b7e-3d2a-4f5b-9e8c-7a6b5c4d3e2f"
	groupNew     = "11111111-2222-4333-8444-555555555555"
	locRedmond   = "9905bca0-6fb0-11ec-84a4-25019013784a"
	locOmaha     = "c7c5a17f-00d7-47c0-9ddb-3383229d606b"
)

func importFixture(t testing.TB) *Snapshot {
	t.Helper()
	s, _, err := Import(filepath.Join("testdata", "import", "ps7"))
	if err != nil {
		t.Fatal(err)
	}
	s.Lineage = "00000000-0000-4000-8000-000000000000"
	return s
}

// typicalOps is a plan touching every action, valid in this order on the
// import fixture.
func typicalOps() []Op {
	return []Op{
		{Action: PolicyRemoveEmergency, Policy: "Redmond", Numbers: []string{"+14255556678"}},
		{Action: NumberAssign, Number: "+14255556678", Holder: "eve@contoso.com", NumberType: "CallingPlan"},
		{Action: NumberUnassign, Number: "+14255556679", Holder: "carol@contoso.com"},
		{Action: PolicyAddEmergency, Policy: "Redmond", Numbers: []string{"+14255556679"}},
		{Action: NumberSetLocation, Number: "+14255556679", Location: locOmaha},
		{Action: PolicyCreate, Policy: "Seattle", ResourceAccount: "ra1@contoso.com", Description: "Seattle’s “new” line; it's $(here)", Numbers: []string{"+14255550199"}},
		{Action: PolicyUpdate, Policy: "Omaha", Description: "Omaha ‘front’ desk", UpdateDescription: true},
		{Action: GrantUser, User: "bob@contoso.com", Grant: ptr("Seattle")},
		{Action: GrantUser, User: "alice@contoso.com"},
		{Action: GrantGroup, Group: groupRedmond, Grant: ptr("Seattle"), Rank: 2},
		{Action: GrantGroup, Group: groupNew, Grant: ptr("Omaha"), Rank: 3},
		{Action: GrantGlobal, Grant: ptr("Seattle")},
		{Action: GrantUser, User: "dave@contoso.com"},
		{Action: GrantGroup, Group: groupNew},
		{Action: PolicyDelete, Policy: "Omaha"},
		{Action: NumberUnassign, Number: "+14025551234", Holder: "ra2@contoso.com"},
		{Action: NumberAssign, Number: "+14025551234", Holder: "ra2@contoso.com", NumberType: "CallingPlan", Location: locRedmond},
		{Action: PolicyUpdate, Policy: "Seattle", ResourceAccount: "ra2@contoso.com", UpdateResourceAccount: true},
		{Action: GrantGlobal},
	}
}

var psOpts = PowerShellOptions{Tool: "callops 0.1.0", Source: "examples/contoso at 0123abc", State: "lineage 00000000-0000-4000-8000-000000000000 serial 1"}

func TestPowerShellQuote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Seattle", "'Seattle'"},
		{"", "''"},
		{"it's", "'it''s'"},
		{"‘a’ ‚b‛", "'‘‘a’’ ‚‚b‛‛'"},
		{"$(Remove-Item x) `n \"q\"", "'$(Remove-Item x) `n \"q\"'"},
		{"line1\nline2", "'line1\nline2'"},
		{"'", "''''"},
	}
	for _, tt := range tests {
		if got := PowerShellQuote(tt.in); got != tt.want {
			t.Errorf("PowerShellQuote(%q) = %q, want %q", tt.in, got, tt.want)
		}
		toks, err := tokenizePowerShell(tt.want)
		if err != nil || len(toks) != 1 || toks[0].Kind != tokString || toks[0].Text != tt.in {
			t.Errorf("%q does not read back as one literal of %q: %v %v", tt.want, tt.in, toks, err)
		}
	}
}

// TestWritePowerShellGolden pins the script of a typical plan.
func TestWritePowerShellGolden(t *testing.T) {
	s := importFixture(t)
	var b bytes.Buffer
	if err := WritePowerShell(&b, s, typicalOps(), psOpts); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "powershell", "typical.ps1")
	if *update {
		os.MkdirAll(filepath.Dir(golden), 0o755)
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(string(want), b.String()); d != "" {
		t.Errorf("script differs from %s (-want +got):\n%s", golden, d)
	}
	if !bytes.HasPrefix(b.Bytes(), []byte("\ufeff#Requires -Version 5.1\n#Requires -Modules @{ModuleName='MicrosoftTeams'; ModuleVersion='5.5.0'}\n")) {
		t.Error("script does not start with a BOM and the #Requires lines")
	}
	for _, must := range []string{"$ErrorActionPreference = 'Stop'", "$null = Get-CsTenant"} {
		if !strings.Contains(b.String(), must) {
			t.Errorf("script lacks %q", must)
		}
	}
}

// TestPowerShellOtherTenant: the script's first statement checks that the
// session is connected to the tenant the plan was made for, with the state's
// domain as a quoted literal; run in a session of another tenant it stops
// before its first step, and in the same tenant written in another case it
// runs.
func TestPowerShellOtherTenant(t *testing.T) {
	start := importFixture(t)
	start.Tenant.Domain = "contoso.onmicrosoft.com"
	var b bytes.Buffer
	if err := WritePowerShell(&b, start, typicalOps(), psOpts); err != nil {
		t.Fatal(err)
	}
	script := b.String()
	steps := script[strings.Index(script, powerShellStepsMarker):]
	if first := strings.SplitN(steps, "\n", 3)[1]; first != "Assert-CallopsTenant -Domain 'contoso.onmicrosoft.com'" {
		t.Errorf("first statement after the steps marker = %q", first)
	}
	for _, must := range []string{"function Assert-CallopsTenant", "$t.VerifiedDomains", "| Where-Object { $_ })", "-ieq $want",
		"throw ('callops: this script was planned for tenant {0}"} {
		if !strings.Contains(script, must) {
			t.Errorf("script lacks %q", must)
		}
	}

	other := start.Clone()
	other.Tenant.Domain = "fabrikam.onmicrosoft.com"
	run := &PSRun{}
	err := InterpretPowerShell(script, other, run)
	if err == nil || !strings.Contains(err.Error(), "planned for tenant contoso.onmicrosoft.com") {
		t.Errorf("run in another tenant: err = %v, want the tenant check's error", err)
	}
	if len(run.Ops) != 0 || run.Done != 0 {
		t.Errorf("run in another tenant carried out %d operations, %d steps", len(run.Ops), run.Done)
	}

	same := start.Clone()
	same.Tenant.Domain = "CONTOSO.onmicrosoft.com."
	run = &PSRun{}
	if err := InterpretPowerShell(script, same, run); err != nil {
		t.Fatalf("run in the same tenant: %v", err)
	}
	if len(run.Ops) != len(typicalOps()) {
		t.Errorf("run in the same tenant carried out %d operations, want %d", len(run.Ops), len(typicalOps()))
	}

	// A domain with a quote stays one literal.
	start.Tenant.Domain = "it's.example"
	b.Reset()
	if err := WritePowerShell(&b, start, nil, psOpts); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Assert-CallopsTenant -Domain 'it''s.example'") {
		t.Errorf("domain not quoted as a literal:\n%s", b.String())
	}
}

// TestPowerShellInterpreted runs the script of the typical plan with the
// test interpreter: it reaches the state that applying the operations
// directly reaches, and running it again changes nothing; a run that fails
// after k steps, then run again from the top, reaches the same state.
func TestPowerShellInterpreted(t *testing.T) {
	start := importFixture(t)
	want := start.Clone()
	for i, op := range typicalOps() {
		if err := want.Apply(op); err != nil {
			t.Fatalf("op %d: %v", i+1, err)
		}
	}
	var b bytes.Buffer
	if err := WritePowerShell(&b, start, typicalOps(), psOpts); err != nil {
		t.Fatal(err)
	}
	script := b.String()
	n := len(typicalOps())

	got := start.Clone()
	run := &PSRun{}
	if err := InterpretPowerShell(script, got, run); err != nil {
		t.Fatal(err)
	}
	if len(run.Ops) != n || run.Done != n {
		t.Errorf("interpreter ran %d cmdlets and completed %d steps, want %d", len(run.Ops), run.Done, n)
	}
	if d := cmp.Diff(canon(want), canon(got)); d != "" {
		t.Errorf("interpreted script state (-want +got):\n%s", d)
	}
	again := &PSRun{Done: run.Done}
	if err := InterpretPowerShell(script, got, again); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if len(again.Ops) != 0 {
		t.Errorf("second run carried out %d cmdlets, want 0: %+v", len(again.Ops), again.Ops)
	}

	// A run that fails before or after the cmdlet of step k, then a run
	// from the top with the progress the first one recorded: the second
	// run carries out exactly the steps not done and reaches the state.
	for k := 1; k <= n; k++ {
		for _, after := range []bool{false, true} {
			s := start.Clone()
			first := &PSRun{FailBefore: k}
			if after {
				first = &PSRun{FailAfter: k}
			}
			if err := InterpretPowerShell(script, s, first); !errors.Is(err, errInjected) {
				t.Fatalf("k=%d after=%v: error %v, want the injected failure", k, after, err)
			}
			rest := &PSRun{Done: first.Done}
			if err := InterpretPowerShell(script, s, rest); err != nil {
				t.Fatalf("k=%d after=%v: re-run: %v", k, after, err)
			}
			total := n
			if after && typicalOps()[k-1].Action == GrantGlobal {
				// The tenant default cannot be read back: its grant
				// (idempotent) is the one step run again.
				total++
			}
			if len(first.Ops)+len(rest.Ops) != total {
				t.Errorf("k=%d after=%v: %d + %d cmdlets, want %d in all", k, after, len(first.Ops), len(rest.Ops), total)
			}
			if d := cmp.Diff(canon(want), canon(s)); d != "" {
				t.Errorf("k=%d after=%v: state after re-run (-want +got):\n%s", k, after, d)
			}
		}
	}

	// Without the progress file (a copy of the script run elsewhere), the
	// guards alone keep a run after a failure from repeating the step that
	// failed midway.
	s := start.Clone()
	first := &PSRun{FailAfter: 1}
	if err := InterpretPowerShell(script, s, first); !errors.Is(err, errInjected) {
		t.Fatal(err)
	}
	rest := &PSRun{}
	if err := InterpretPowerShell(script, s, rest); err != nil {
		t.Fatalf("re-run without progress: %v", err)
	}
	if d := cmp.Diff(canon(want), canon(s)); d != "" {
		t.Errorf("re-run without progress: state (-want +got):\n%s", d)
	}
}

func canon(s *Snapshot) *Snapshot {
	c := s.Clone()
	c.Canonicalize()
	return c
}

func TestWritePowerShellRefuses(t *testing.T) {
	s := importFixture(t)
	tests := []struct {
		name string
		ops  []Op
		want string
	}{
		{"refused by the service", []Op{{Action: PolicyDelete, Policy: "Redmond"}}, "step 1 (policy.delete)"},
		{"unknown resource account", []Op{{Action: PolicyCreate, Policy: "X", ResourceAccount: "nobody@contoso.com"}}, "nobody@contoso.com is not a resource account"},
		{"NUL in a description", []Op{{Action: PolicyUpdate, Policy: "Omaha", Description: "a\x00b", UpdateDescription: true}}, "NUL"},
		{"invalid UTF-8", []Op{{Action: PolicyUpdate, Policy: "Omaha", Description: "a\xffb", UpdateDescription: true}}, "not valid UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			err := WritePowerShell(&b, s, tt.ops, psOpts)
			var pe *PowerShellError
			if !errors.As(err, &pe) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want a *PowerShellError containing %q", err, tt.want)
			}
		})
	}
}

func TestPowerShellBackend(t *testing.T) {
	s := importFixture(t)
	var b bytes.Buffer
	be := NewPowerShellBackend(&b, s, psOpts)
	for _, op := range typicalOps() {
		if err := be.Apply(op); err != nil {
			t.Fatal(err)
		}
	}
	if err := be.Apply(Op{Action: PolicyDelete, Policy: "Nope"}); err == nil {
		t.Error("backend accepted the delete of a missing policy")
	}
	if err := be.Close(); err != nil {
		t.Fatal(err)
	}
	var direct bytes.Buffer
	if err := WritePowerShell(&direct, s, typicalOps(), psOpts); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(direct.String(), b.String()); d != "" {
		t.Errorf("backend script differs from WritePowerShell's (-want +got):\n%s", d)
	}
	if s.Digest() == be.Current().Digest() {
		t.Error("Current is the start state after operations")
	}
}

// skeleton is a script's tokens with every literal's content replaced: two
// scripts with the same skeleton differ only inside literals.
func skeleton(t *testing.T, script string) []psToken {
	toks, err := tokenizePowerShell(script)
	if err != nil {
		t.Fatalf("tokenizing: %v", err)
	}
	for i := range toks {
		if toks[i].Kind == tokString {
			toks[i].Text = "S"
		}
	}
	return toks
}

// FuzzPowerShellQuote builds operations from random names, descriptions,
// UPNs and group ids, writes their script and checks, with a tokenizer of
// PowerShell's single-quote rules, that it has the same shape (token for
// token, outside literals) as the script of the same operations with plain
// names: no user text escapes its literal. The literals decode back to the
// names.
func FuzzPowerShellQuote(f *testing.F) {
	f.Add("Seattle", "Shared line", "ra1@contoso.com", "alice@contoso.com", groupRedmond)
	f.Add("it's", "‘x’ ’; Remove-Item -Recurse C:\\ ; ‘", "o'brien@contoso.com", "‛a‚@contoso.com", "g'‘")
	f.Add("a\nb", "$(whoami)\r\n# comment\n'@\n\"@", "x@y", "`u@v", "@{a=1}")
	f.Add("Tag:X", "''''", "'@'", "’", "‚")
	f.Fuzz(func(t *testing.T, policy, desc, raUPN, userUPN, group string) {
		for _, s := range []string{policy, desc, raUPN, userUPN, group} {
			if !utf8.ValidString(s) || strings.IndexByte(s, 0) >= 0 {
				return
			}
		}
		if strings.TrimSpace(policy) == "" || raUPN == "" || userUPN == "" || group == "" ||
			strings.EqualFold(PolicyName(policy), GlobalPolicy) || PolicyName(policy) == "" ||
			strings.EqualFold(raUPN, userUPN) {
			return
		}
		script := func(policy, desc, raUPN, userUPN, group string) (string, bool) {
			s := &Snapshot{Format: Format, Tenant: Info{Domain: "contoso.onmicrosoft.com"},
				ResourceAccounts: []ResourceAccount{{ObjectID: "aaaaaaaa-0000-4000-8000-000000000001", UserPrincipalName: raUPN}},
				Users:            []User{{ObjectID: "bbbbbbbb-0000-4000-8000-000000000002", UserPrincipalName: userUPN}},
				Locations:        []Location{{LocationID: locRedmond, CountryOrRegion: "US"}},
				Numbers: []Number{
					{TelephoneNumber: "+14255550100", NumberType: "CallingPlan", IsoCountryCode: "US", LocationID: locRedmond, AssignedPstnTargetID: "aaaaaaaa-0000-4000-8000-000000000001", PstnAssignmentStatus: StatusVoiceAppAssigned},
					{TelephoneNumber: "+14255556677", NumberType: "CallingPlan", IsoCountryCode: "US"},
					{TelephoneNumber: "+14255556678", NumberType: "CallingPlan", IsoCountryCode: "US"},
				},
			}
			ops := []Op{
				{Action: PolicyCreate, Policy: policy, ResourceAccount: raUPN, Description: desc, Numbers: []string{"+14255556677"}},
				{Action: PolicyUpdate, Policy: policy, Description: desc + desc, UpdateDescription: true, ResourceAccount: raUPN, UpdateResourceAccount: true},
				{Action: PolicyAddEmergency, Policy: policy, Numbers: []string{"+14255556678"}},
				{Action: PolicyRemoveEmergency, Policy: policy, Numbers: []string{"+14255556677"}},
				{Action: NumberAssign, Number: "+14255556677", Holder: userUPN, NumberType: "CallingPlan", Location: locRedmond},
				{Action: NumberUnassign, Number: "+14255556677", Holder: userUPN},
				{Action: GrantUser, User: userUPN, Grant: &policy},
				{Action: GrantGroup, Group: group, Grant: &policy, Rank: 1},
				{Action: GrantGlobal, Grant: &policy},
				{Action: GrantGlobal},
				{Action: GrantGroup, Group: group},
				{Action: GrantUser, User: userUPN},
			}
			var b bytes.Buffer
			if err := WritePowerShell(&b, s, ops, PowerShellOptions{Tool: desc, Source: policy, State: group}); err != nil {
				return "", false
			}
			return b.String(), true
		}
		got, ok := script(policy, desc, raUPN, userUPN, group)
		if !ok {
			return
		}
		plain, ok := script("P", "D", "ra@x", "u@x", "G")
		if !ok {
			t.Fatal("the plain script was refused")
		}
		if d := cmp.Diff(skeleton(t, plain), skeleton(t, got)); d != "" {
			t.Fatalf("user text changed the script's shape (-plain +fuzzed):\n%s\n%s", d, got)
		}
		toks, _ := tokenizePowerShell(got)
		var lits []string
		for _, tk := range toks {
			if tk.Kind == tokString {
				lits = append(lits, tk.Text)
			}
		}
		joined := "\x00" + strings.Join(lits, "\x00") + "\x00"
		for _, want := range []string{PolicyName(policy), desc, userUPN, group} {
			if !strings.Contains(joined, "\x00"+want+"\x00") {
				t.Fatalf("no literal decodes to %q", want)
			}
		}
	})
}
