package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestUnified(t *testing.T) {
	many := func(from, to int, change map[int]string) string {
		var b strings.Builder
		for i := from; i <= to; i++ {
			if c, ok := change[i]; ok {
				b.WriteString(c + "\n")
				continue
			}
			fmt.Fprintf(&b, "line %d\n", i)
		}
		return b.String()
	}
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{"equal", "a\nb\n", "a\nb\n", ""},
		{"from empty", "", "a\nb\n", "--- a\n+++ b\n@@ -0,0 +1,2 @@\n+a\n+b\n"},
		{"to empty", "a\n", "", "--- a\n+++ b\n@@ -1 +0,0 @@\n-a\n"},
		{"one line changed", "a\nb\nc\n", "a\nB\nc\n", "--- a\n+++ b\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n"},
		{"no newline at end", "a\nb", "a\nc", "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"},
		{
			"two hunks far apart",
			many(1, 20, nil),
			many(1, 20, map[int]string{2: "two", 18: "eighteen"}),
			"--- a\n+++ b\n" +
				"@@ -1,5 +1,5 @@\n line 1\n-line 2\n+two\n line 3\n line 4\n line 5\n" +
				"@@ -15,6 +15,6 @@\n line 15\n line 16\n line 17\n-line 18\n+eighteen\n line 19\n line 20\n",
		},
		{
			"changes 6 lines apart share a hunk",
			many(1, 12, nil),
			many(1, 12, map[int]string{3: "three", 10: "ten"}),
			"--- a\n+++ b\n@@ -1,12 +1,12 @@\n line 1\n line 2\n-line 3\n+three\n line 4\n line 5\n line 6\n line 7\n line 8\n line 9\n-line 10\n+ten\n line 11\n line 12\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Unified("a", "b", tt.old, tt.new, DefaultContext)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Unified (-want +got):\n%s", diff)
			}
		})
	}
}

func TestPolicyChangeRender(t *testing.T) {
	pc := PolicyChange{
		Name: "Redmond", Kind: Update,
		Before: &PolicyFields{ResourceAccount: "ra1@contoso.com", Description: "old", EmergencyNumbers: []string{"+14255556677"}},
		After:  &PolicyFields{ResourceAccount: "ra1@contoso.com", Description: "new", EmergencyNumbers: []string{"+14255556677", "+14255556678"}},
	}
	want := `--- current/policies/Redmond
+++ desired/policies/Redmond
@@ -1,4 +1,5 @@
 resourceAccount: ra1@contoso.com
-description: "old"
+description: "new"
 emergencyNumbers:
   - +14255556677
+  - +14255556678
`
	if diff := cmp.Diff(want, pc.Render()); diff != "" {
		t.Errorf("Render (-want +got):\n%s", diff)
	}
	created := PolicyChange{Name: "Seattle", Kind: Create, After: &PolicyFields{ResourceAccount: "ra3@contoso.com"}}
	want = "--- /dev/null\n+++ desired/policies/Seattle\n@@ -0,0 +1,3 @@\n+resourceAccount: ra3@contoso.com\n+description: \"\"\n+emergencyNumbers: []\n"
	if diff := cmp.Diff(want, created.Render()); diff != "" {
		t.Errorf("Render of a created policy (-want +got):\n%s", diff)
	}
}
