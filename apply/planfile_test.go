package apply

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/tenant"
)

// samplePlan has one step of every action and a hazard.
func samplePlan() *Plan {
	p := &Plan{
		Format: PlanFormat,
		Tool:   "callops 0.1.0",
		Source: Source{Dir: "examples/contoso", Commit: "0123456789abcdef0123456789abcdef01234567", Digest: "sha256:aa"},
		State:  StateRef{Lineage: "6f1c0000-0000-4000-8000-000000000001", Serial: 7, Digest: "sha256:bb"},
		Hazards: []Hazard{{Kind: HazardOutboundOutage, Steps: []int{4, 5}, Users: 120,
			Message: "resource account ra1@contoso.com has no number between steps 4 and 5"}},
		Summary: Summary{Steps: 13, PoliciesCreated: 1, PoliciesUpdated: 2, PoliciesDeleted: 1, Grants: 3, Revokes: 1, AffectedUsers: 132},
	}
	for i, c := range []struct {
		op     tenant.Op
		reason string
	}{
		{tenant.Op{Action: tenant.PolicyRemoveEmergency, Policy: "Redmond", Numbers: []string{"+14255556677"}}, "+14255556677 moves to user bob@contoso.com"},
		{tenant.Op{Action: tenant.NumberAssign, Number: "+14255556677", Holder: "bob@contoso.com", NumberType: "CallingPlan"}, "declared in userNumbers"},
		{tenant.Op{Action: tenant.GrantUser, User: "carol@contoso.com"}, "listed by no policy"},
		{tenant.Op{Action: tenant.NumberUnassign, Number: "+14255550100", Holder: "ra1@contoso.com"}, "+14255550100 moves to ra2@contoso.com"},
		{tenant.Op{Action: tenant.NumberAssign, Number: "+14255550101", Holder: "ra1@contoso.com", NumberType: "CallingPlan", Location: "407c17ae-8c41-431e-894a-38787c682f68"}, "declared number of ra1@contoso.com"},
		{tenant.Op{Action: tenant.NumberSetLocation, Number: "+14255550102", Location: "407c17ae-8c41-431e-894a-38787c682f68"}, "declared location"},
		{tenant.Op{Action: tenant.PolicyCreate, Policy: "Seattle", ResourceAccount: "ra2@contoso.com", Description: "Shared line for Seattle", Numbers: []string{"+12065550110"}}, "declared, not in the tenant"},
		{tenant.Op{Action: tenant.PolicyUpdate, Policy: "Redmond", Description: "Redmond HQ", UpdateDescription: true}, "description changed"},
		{tenant.Op{Action: tenant.PolicyAddEmergency, Policy: "Redmond", Numbers: []string{"+14255556680", "+14255556681"}}, "declared emergency numbers"},
		{tenant.Op{Action: tenant.GrantUser, User: "alice@contoso.com", Grant: testGrant("Seattle")}, "listed by Seattle"},
		{tenant.Op{Action: tenant.GrantGroup, Group: "0c6f1b7e-0000-4000-8000-000000000001", Grant: testGrant("Seattle"), Rank: 1}, "declared group grant"},
		{tenant.Op{Action: tenant.GrantGlobal, Grant: testGrant("Redmond")}, "tenantDefault"},
		{tenant.Op{Action: tenant.PolicyDelete, Policy: "Old"}, "not in the desired state"},
	} {
		p.Steps = append(p.Steps, Step{Index: i + 1, Op: c.op, Reason: c.reason})
	}
	return p
}

func TestSaveLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.json")
	want := samplePlan()
	if err := Save(path, want); err != nil {
		t.Fatal(err)
	}
	got, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("load(save(p)) (-want +got):\n%s", diff)
	}
	// No temporary file is left next to the plan.
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("directory holds %d files after Save, want 1", len(entries))
	}
	// Save is deterministic: the same plan gives the same bytes.
	a, _ := Encode(want)
	b, _ := os.ReadFile(path)
	if !bytes.Equal(a, b) {
		t.Error("file differs from Encode")
	}
}

func TestEncodeEmptyLists(t *testing.T) {
	b, err := Encode(&Plan{State: StateRef{Lineage: "l"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"format": "callops-plan/v1"`, `"steps": []`, `"hazards": []`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("encoded plan lacks %s:\n%s", want, b)
		}
	}
}

func TestDecodeErrors(t *testing.T) {
	good, _ := Encode(samplePlan())
	tests := []struct {
		name    string
		data    string
		want    string
		notPlan bool
	}{
		{"empty", ``, "not a callops plan file: the file is empty", true},
		{"not json", `hello`, "not a callops plan file: invalid JSON: invalid character 'h' looking for beginning of value", true},
		{"state file", `{"format":"callops-state/v1"}`, `not a callops plan file: format is "callops-state/v1" (want "callops-plan/v1")`, true},
		{"no format", `{"steps":[]}`, `not a callops plan file: no "format" field (want "callops-plan/v1")`, true},
		{"array", `[]`, "not a callops plan file: the file is a JSON array, not an object", true},
		{"other version", `{"format":"callops-plan/v2"}`, `unsupported plan format "callops-plan/v2" (this callops reads "callops-plan/v1")`, false},
		{"unknown field", `{"format":"callops-plan/v1","extra":1}`, `invalid plan: unknown field "extra"`, false},
		{"bad step", `{"format":"callops-plan/v1","steps":[{"index":1,"action":"policy.frob"}]}`, `step 1: unknown action "policy.frob"`, false},
		{"index gap", `{"format":"callops-plan/v1","state":{"lineage":"l"},"steps":[{"index":2,"action":"policy.delete","policy":"a","reason":""}]}`, "invalid plan: step 1 has index 2 (steps are numbered 1..n in order)", false},
		{"hazard out of range", `{"format":"callops-plan/v1","state":{"lineage":"l"},"hazards":[{"kind":"outbound-outage","steps":[3],"users":1,"message":""}]}`, "invalid plan: hazard outbound-outage names step 3, the plan has 0 steps", false},
		{"no lineage", `{"format":"callops-plan/v1"}`, `invalid plan: "state" has no lineage`, false},
		// Edited after plan wrote it: the summary no longer counts the steps.
		{"steps emptied", `{"format":"callops-plan/v1","state":{"lineage":"l"},"summary":{"steps":7},"steps":null}`,
			"invalid plan: the summary counts 7 steps, the plan has 0 (the file was edited after 'callops plan' wrote it)", false},
		{"step added", `{"format":"callops-plan/v1","state":{"lineage":"l"},"summary":{"steps":1},"steps":[{"index":1,"action":"policy.delete","policy":"a","reason":""},{"index":2,"action":"grant.user","user":"u@x","policy":null,"reason":""}]}`,
			"invalid plan: the summary counts 1 step, the plan has 2 (the file was edited after 'callops plan' wrote it)", false},
		{"grant turned into a delete", `{"format":"callops-plan/v1","state":{"lineage":"l"},"summary":{"steps":1,"revokes":1},"steps":[{"index":1,"action":"policy.delete","policy":"a","reason":""}]}`,
			"invalid plan: the summary counts 1 grants and revokes, the plan has 0 grant steps (the file was edited after 'callops plan' wrote it)", false},
		{"trailing", string(good) + "{}", "invalid plan: trailing data after the plan object", false},
		{"truncated", string(good[:len(good)/2]), "invalid plan: unexpected end of JSON (truncated file?)", false},
		// Wrong types are said in JSON terms, never Go's (map[string]..., []apply.Step),
		// and name the step by its position when it has no readable index.
		{"step not an object", `{"format":"callops-plan/v1","steps":[{"index":1,"action":"policy.delete","policy":"a","reason":""},"policy.delete"]}`,
			`step 2: is a JSON string, not an object`, false},
		{"step index of the wrong type", `{"format":"callops-plan/v1","steps":[{"index":"1","action":"policy.delete","policy":"a"}]}`,
			`step 1: "index" must be a positive integer, got "1"`, false},
		{"step field of the wrong type", `{"format":"callops-plan/v1","steps":[{"index":1,"action":"grant.group","group":"g","policy":"a","rank":{"n":1}}]}`,
			`step 1: grant.group: "rank" must be a non-negative integer, got {"n":1}`, false},
		{"steps not a list", "{\"format\":\"callops-plan/v1\",\n\"steps\":{}}", `invalid plan: line 2: field "steps": a JSON object where an array belongs`, false},
		{"summary field of the wrong type", `{"format":"callops-plan/v1","summary":{"steps":"1"}}`, `invalid plan: line 1: field "summary.steps": a JSON string where an integer belongs`, false},
		{"hazard field of the wrong type", `{"format":"callops-plan/v1","hazards":[{"kind":1}]}`, `invalid plan: line 1: field "hazards.kind": a JSON number where a string belongs`, false},
		{"source of the wrong type", `{"format":"callops-plan/v1","source":[]}`, `invalid plan: line 1: field "source": a JSON array where an object belongs`, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tc.data))
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if got := errors.Is(err, ErrNotPlan); got != tc.notPlan {
				t.Errorf("errors.Is(err, ErrNotPlan) = %v, want %v", got, tc.notPlan)
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	good, _ := Encode(samplePlan())
	f.Add(good)
	f.Add([]byte(`{"format":"callops-plan/v1","steps":[{"index":1,"action":"grant.user","user":"a","policy":null}]}`))
	f.Add([]byte(`{"format":"callops-plan/v1","steps":[null]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Decode(bytes.NewReader(data))
		if err != nil {
			// Every refusal is one of the documented kinds, with a message
			// that says which.
			var se *StepError
			msg := err.Error()
			if !errors.Is(err, ErrNotPlan) && !errors.As(err, &se) &&
				!strings.HasPrefix(msg, "invalid plan: ") && !strings.HasPrefix(msg, "unsupported plan format ") {
				t.Fatalf("unexpected error kind %T: %v", err, err)
			}
			return
		}
		// Whatever decodes encodes again and decodes to the same plan.
		b, err := Encode(p)
		if err != nil {
			t.Fatalf("encode of a decoded plan: %v", err)
		}
		q, err := Decode(bytes.NewReader(b))
		if err != nil {
			t.Fatalf("decode of an encoded plan: %v", err)
		}
		b2, _ := Encode(q)
		if !bytes.Equal(b, b2) {
			t.Fatalf("encode/decode is not stable:\n%s\n%s", b, b2)
		}
	})
}

func TestCheckStale(t *testing.T) {
	s := &tenant.Snapshot{Format: tenant.Format, Lineage: "L1", Serial: 3}
	digest := s.Digest()
	tests := []struct {
		name  string
		ref   StateRef
		want  string // "" = not stale
		stale bool
	}{
		{"same", StateRef{"L1", 3, digest}, "", false},
		{"other lineage", StateRef{"L0", 3, digest}, "stale plan: plan is for another state (lineage L0, the state's is L1)", true},
		{"serial", StateRef{"L1", 2, digest}, "stale plan: the state changed since the plan was made (serial 3, plan made at serial 2)", true},
		{"digest", StateRef{"L1", 3, "sha256:00"}, "stale plan: the state's content changed since the plan was made (digest " + digest[:19] + ", plan made at sha256:00)", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckStale(&Plan{State: tc.ref}, s)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if errors.Is(err, ErrStalePlan) != tc.stale {
				t.Errorf("errors.Is(err, ErrStalePlan) = %v, want %v", !tc.stale, tc.stale)
			}
		})
	}
}

func TestCheckCommit(t *testing.T) {
	const a, b = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	tests := []struct {
		name   string
		source Source
		head   string
		opt    CommitOptions
		want   string
	}{
		{"same commit", Source{Commit: a}, a, CommitOptions{}, ""},
		{"no git at plan time", Source{}, b, CommitOptions{}, ""},
		{"other commit", Source{Commit: a}, b, CommitOptions{}, "plan does not match the git commit: the plan was made at commit aaaaaaaaaaaa, HEAD is bbbbbbbbbbbb"},
		{"other commit allowed", Source{Commit: a}, b, CommitOptions{AllowOtherCommit: true}, ""},
		{"no git at apply time", Source{Commit: a}, "", CommitOptions{}, "plan does not match the git commit: the plan was made at commit aaaaaaaaaaaa, and the current directory is not in git"},
		{"dirty", Source{Commit: a, Dirty: true}, a, CommitOptions{}, "plan does not match the git commit: the plan was made from a work tree with uncommitted changes"},
		{"dirty allowed", Source{Commit: a, Dirty: true}, a, CommitOptions{AllowDirty: true}, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := CheckCommit(&Plan{Source: tc.source}, tc.head, tc.opt)
			got := ""
			if err != nil {
				got = err.Error()
				if !errors.Is(err, ErrPlanCommit) {
					t.Error("error does not wrap ErrPlanCommit")
				}
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}
