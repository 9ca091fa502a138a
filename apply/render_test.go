package apply

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/tenant"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

func TestRenderGolden(t *testing.T) {
	empty := &Plan{Format: PlanFormat, Source: Source{Dir: "examples/contoso"}, State: StateRef{Lineage: "L", Serial: 2}}
	golden(t, "plan.txt.golden", RenderText(samplePlan(), TextOptions{}))
	golden(t, "plan-color.txt.golden", RenderText(samplePlan(), TextOptions{Color: true}))
	golden(t, "plan.md.golden", RenderMarkdown(samplePlan()))
	golden(t, "empty.txt.golden", RenderText(empty, TextOptions{}))
	golden(t, "empty.md.golden", RenderMarkdown(empty))
	json, err := Encode(samplePlan())
	if err != nil {
		t.Fatal(err)
	}
	golden(t, "plan.json.golden", string(json))
}

func TestRenderTextNoColor(t *testing.T) {
	got := RenderText(samplePlan(), TextOptions{})
	if strings.Contains(got, "\x1b[") {
		t.Error("text without Color has escape codes")
	}
	if !strings.Contains(RenderText(samplePlan(), TextOptions{Color: true}), "\x1b[32m+") {
		t.Error("text with Color has no green +")
	}
}

func TestRenderTextOrder(t *testing.T) {
	got := RenderText(samplePlan(), TextOptions{})
	h := strings.Index(got, "outbound-outage")
	s := strings.Index(got, "policy.remove-emergency-numbers")
	sum := strings.Index(got, "Plan: 13 steps:")
	if !(h >= 0 && h < s && s < sum) {
		t.Errorf("want hazards, then steps, then the summary; got positions %d, %d, %d:\n%s", h, s, sum, got)
	}
}

func TestSummaryLine(t *testing.T) {
	p := samplePlan()
	p.Steps = p.Steps[:9]
	p.Summary = Summary{Steps: 9, PoliciesCreated: 1, PoliciesUpdated: 2, Grants: 10, Revokes: 2, AffectedUsers: 132}
	want := "Plan: 9 steps: 1 policy to create, 2 to update, 0 to delete, 10 grants, 2 revokes, 132 users affected"
	if diff := cmp.Diff(want, SummaryLine(p)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestSign(t *testing.T) {
	want := map[tenant.Action]byte{
		tenant.NumberUnassign: '-', tenant.NumberAssign: '+', tenant.NumberSetLocation: '~',
		tenant.PolicyCreate: '+', tenant.PolicyUpdate: '~', tenant.PolicyRemoveEmergency: '-',
		tenant.PolicyAddEmergency: '+', tenant.PolicyDelete: '-',
	}
	for _, a := range tenant.Actions {
		if w, ok := want[a]; ok {
			if got := Sign(tenant.Op{Action: a}); got != w {
				t.Errorf("Sign(%s) = %c, want %c", a, got, w)
			}
			continue
		}
		if got := Sign(tenant.Op{Action: a, Grant: testGrant("P")}); got != '+' {
			t.Errorf("Sign(%s P) = %c, want +", a, got)
		}
		if got := Sign(tenant.Op{Action: a}); got != '-' {
			t.Errorf("Sign(%s null) = %c, want -", a, got)
		}
	}
}

// longPlan has n grant steps with long reasons.
func longPlan(n int) *Plan {
	p := &Plan{Format: PlanFormat, State: StateRef{Lineage: "L"}}
	for i := 1; i <= n; i++ {
		p.Steps = append(p.Steps, Step{Index: i,
			Op:     tenant.Op{Action: tenant.GrantUser, User: fmt.Sprintf("user%06d@contoso.com", i), Grant: testGrant("Redmond")},
			Reason: "listed by policy Redmond in policies.cue"})
	}
	p.Summary = Summary{Steps: n, Grants: n, AffectedUsers: n}
	return p
}

func TestRenderMarkdownLong(t *testing.T) {
	tests := []struct {
		steps           int
		details, cutoff bool
	}{
		{30, false, false},
		{31, true, false},
		{5000, true, true},
	}
	for _, tc := range tests {
		t.Run(fmt.Sprint(tc.steps), func(t *testing.T) {
			got := RenderMarkdown(longPlan(tc.steps))
			if !strings.HasPrefix(got, MarkdownMarker+"\n") {
				t.Error("marker is not the first line")
			}
			if len(got) >= githubCommentLimit {
				t.Errorf("comment is %d characters, GitHub's limit is %d", len(got), githubCommentLimit)
			}
			if strings.Contains(got, "<details>") != tc.details {
				t.Errorf("<details> present = %v, want %v", !tc.details, tc.details)
			}
			if strings.Contains(got, "not shown") != tc.cutoff {
				t.Errorf("truncation note present = %v, want %v", !tc.cutoff, tc.cutoff)
			}
			if strings.Count(got, "```") != 2 {
				t.Errorf("want one closed code block, got %d fences", strings.Count(got, "```"))
			}
			if strings.Contains(got, "\n  + ") {
				t.Error("a diff line does not start with its sign in column 0")
			}
		})
	}
}

func TestRenderMarkdownFence(t *testing.T) {
	p := samplePlan()
	p.Steps[6].Op.Description = "```\nbreak out"
	got := RenderMarkdown(p)
	if !strings.Contains(got, "````diff\n") {
		t.Errorf("a description with ``` does not get a longer fence:\n%s", got)
	}
	if strings.Contains(got, "\nbreak out") {
		t.Error("a newline in a description starts a new line")
	}
}

// TestRenderControlCharacters: a name with an escape sequence, a line
// break or a bidirectional override (from a desired state or a tenant)
// reaches neither the terminal nor the comment raw: each step stays on its
// line, escapes shown as \xNN or \u+NNNN.
func TestRenderControlCharacters(t *testing.T) {
	p := &Plan{Format: PlanFormat, Steps: []Step{
		{Index: 1, Op: tenant.Op{Action: tenant.GrantUser, User: "eve\x1b[2J@contoso.com", Grant: testGrant("Van\x1b[31mX\ncouver")}, Reason: "why\x07"},
		{Index: 2, Op: tenant.Op{Action: tenant.PolicyDelete, Policy: "Old\rPolicy\x9b"}},
		{Index: 3, Op: tenant.Op{Action: tenant.PolicyDelete, Policy: "C1\u009bcontrol"}},
		{Index: 4, Op: tenant.Op{Action: tenant.PolicyDelete, Policy: "Sales\u202egnp.exe"}},
	}}
	p.Summary.Steps = 4
	text := RenderText(p, TextOptions{})
	md := RenderMarkdown(p)
	for name, out := range map[string]string{"text": text, "markdown": md} {
		if strings.ContainsAny(out, "\x1b\x07\r\x9b\u202e") || strings.ContainsRune(out, '\u009b') {
			t.Errorf("%s output has a raw control character:\n%q", name, out)
		}
		if !strings.Contains(out, `eve\x1b[2J@contoso.com`) || !strings.Contains(out, `Van\x1b[31mX couver`) ||
			!strings.Contains(out, `Old Policy\x9b`) || !strings.Contains(out, `C1\x9bcontrol`) || !strings.Contains(out, `Sales\u+202Egnp.exe`) {
			t.Errorf("%s output does not show the names escaped:\n%s", name, out)
		}
	}
	for _, line := range strings.Split(text, "\n") {
		if strings.Contains(line, "couver") && !strings.Contains(line, "grant") {
			t.Errorf("the policy name's line break split the step:\n%s", text)
		}
	}
}
