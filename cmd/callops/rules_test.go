package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/lint"
)

func ruleIDs() []string {
	var ids []string
	for _, r := range lint.Rules() {
		ids = append(ids, r.ID)
	}
	return ids
}

// TestRulesText checks that `callops rules` lists every rule, one per line,
// in lint.Rules' order.
func TestRulesText(t *testing.T) {
	var out bytes.Buffer
	if err := writeRulesText(&out, lint.Rules()); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	var got []string
	for _, l := range lines[1:] {
		got = append(got, strings.Fields(l)[0])
	}
	if diff := cmp.Diff(ruleIDs(), got); diff != "" {
		t.Errorf("rule ids in text output (-want +got):\n%s", diff)
	}
}

func TestRulesJSON(t *testing.T) {
	var out bytes.Buffer
	if err := writeRulesJSON(&out, lint.Rules()); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Format string
		Rules  []struct{ ID, Severity, Summary, Source string }
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("rules JSON does not parse: %v\n%s", err, out.String())
	}
	var got []string
	for _, r := range doc.Rules {
		if r.Severity == "" || r.Summary == "" || r.Source == "" {
			t.Errorf("rule %s: empty severity, summary or source", r.ID)
		}
		got = append(got, r.ID)
	}
	if doc.Format != "callops-rules/v1" {
		t.Errorf("format = %q, want callops-rules/v1", doc.Format)
	}
	if diff := cmp.Diff(ruleIDs(), got); diff != "" {
		t.Errorf("rule ids in JSON output (-want +got):\n%s", diff)
	}
}

// Markers around README.md's generated rule table.
const (
	readmeRulesBegin = "<!-- rules:begin"
	readmeRulesEnd   = "<!-- rules:end -->"
)

// rulesMarkdown is README.md's rule table, generated from the rules.
func rulesMarkdown(rules []lint.Rule) string {
	esc := strings.NewReplacer("|", "\\|")
	var b strings.Builder
	b.WriteString("| Rule | Severity | Needs state | Checks | Source |\n|---|---|---|---|---|\n")
	for _, r := range rules {
		state := ""
		if r.NeedsState {
			state = "yes"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", r.ID, r.Severity, state, esc.Replace(r.Summary), esc.Replace(r.Source))
	}
	return b.String()
}

// TestREADMERuleTable keeps README.md's rule table in step with the rules:
// every rule id appears as a row with its severity, and no row names a rule
// that does not exist. CALLOPS_UPDATE_README=1 regenerates the table.
func TestREADMERuleTable(t *testing.T) {
	const readme = "../../README.md"
	data, err := os.ReadFile(readme)
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	if os.Getenv("CALLOPS_UPDATE_README") != "" {
		i := strings.Index(text, readmeRulesBegin)
		j := strings.Index(text, readmeRulesEnd)
		if i < 0 || j < i {
			t.Fatalf("%s: no %q ... %q markers", readme, readmeRulesBegin, readmeRulesEnd)
		}
		i += strings.Index(text[i:], "\n") + 1
		text = text[:i] + rulesMarkdown(lint.Rules()) + text[j:]
		if err := os.WriteFile(readme, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)` \\| (error|warning|info) \\|")
	want := map[string]string{}
	for _, r := range lint.Rules() {
		want[r.ID] = r.Severity.String()
	}
	got := map[string]string{}
	for _, m := range row.FindAllStringSubmatch(text, -1) {
		got[m[1]] = m[2]
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("README.md rule table (-rules +README):\n%s\nregenerate it: CALLOPS_UPDATE_README=1 go test ./cmd/callops -run TestREADMERuleTable", diff)
	}
	// The whole table, summaries and sources too, is what the rules say.
	i := strings.Index(text, readmeRulesBegin)
	j := strings.Index(text, readmeRulesEnd)
	if i < 0 || j < i {
		t.Fatalf("%s: no %q ... %q markers", readme, readmeRulesBegin, readmeRulesEnd)
	}
	i += strings.Index(text[i:], "\n") + 1
	if diff := cmp.Diff(rulesMarkdown(lint.Rules()), text[i:j]); diff != "" {
		t.Errorf("README.md rule table (-rules +README):\n%s\nregenerate it: CALLOPS_UPDATE_README=1 go test ./cmd/callops -run TestREADMERuleTable", diff)
	}
}
