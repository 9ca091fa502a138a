package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/schema"
)

func desiredLoc(vs ...string) []schema.Located {
	out := make([]schema.Located, len(vs))
	for i, v := range vs {
		out[i] = schema.Located{Value: v}
	}
	return out
}

// desiredBase is a small valid desired state: two policies on one resource
// account, a location, a user number and a tenant default.
func desiredBase() *schema.Desired {
	d := &schema.Desired{
		Domain:    "contoso.onmicrosoft.com",
		Locations: []schema.Location{{Key: "redmond", ID: "407c17ae-8c41-431e-894a-38787c682f68", Country: "US"}},
		ResourceAccounts: []schema.ResourceAccount{
			{UPN: "ra1@contoso.com", Number: "+14255550100", Type: "CallingPlan", Location: "redmond"},
		},
		Policies: []schema.Policy{
			{Name: "Redmond", ResourceAccount: "ra1@contoso.com", Description: "Redmond",
				EmergencyNumbers: desiredLoc("+14255556677", "+14255556678"),
				Users:            desiredLoc("alice@contoso.com", "bob@contoso.com"),
				Groups:           []schema.GroupGrant{{GroupID: "g1", Rank: 1}}},
			{Name: "Seattle", ResourceAccount: "ra1@contoso.com", Description: "Seattle",
				Users: desiredLoc("carol@contoso.com")},
		},
		TenantDefault: "Redmond",
		UserNumbers:   []schema.UserNumber{{UPN: "dave@contoso.com", Number: "+14255556690", Type: "CallingPlan"}},
	}
	d.Sort()
	return d
}

func TestCompareDesiredSame(t *testing.T) {
	c := CompareDesired(desiredBase(), desiredBase())
	if !c.Empty() {
		t.Errorf("same desired state: changes %+v", c)
	}
	if got := c.RenderText(DesiredRenderOptions{}); got != "No changes to the desired state.\n" {
		t.Errorf("RenderText of no changes = %q", got)
	}
}

func TestCompareDesired(t *testing.T) {
	head := desiredBase()
	// Redmond: one emergency number moves to the new policy Kirkland,
	// Alice moves to Kirkland, the description changes.
	head.Policies[0].EmergencyNumbers = desiredLoc("+14255556677")
	head.Policies[0].Description = "Redmond HQ"
	head.Policies[0].Users = desiredLoc("bob@contoso.com")
	head.Policies = append(head.Policies, schema.Policy{Name: "Kirkland", ResourceAccount: "ra1@contoso.com",
		EmergencyNumbers: desiredLoc("+14255556678"), Users: desiredLoc("Alice@contoso.com", "erin@contoso.com")})
	// Seattle is removed: Carol loses her grant.
	head.Policies = head.Policies[:1:1]
	head.Policies = append(head.Policies, schema.Policy{Name: "Kirkland", ResourceAccount: "ra1@contoso.com",
		EmergencyNumbers: desiredLoc("+14255556678"), Users: desiredLoc("Alice@contoso.com", "erin@contoso.com")})
	head.ResourceAccounts[0].Location = "kirkland"
	head.Locations = append(head.Locations, schema.Location{Key: "kirkland", ID: "5fbd7c3c-0000-4000-8000-000000000001", Country: "US"})
	head.UserNumbers[0].Number = "+14255556691"
	head.TenantDefault = ""
	head.Sort()

	got := CompareDesired(desiredBase(), head)
	want := &DesiredChanges{
		Policies: []DesiredPolicyChange{
			{Name: "Kirkland", Kind: Create, After: "resourceAccount: \"ra1@contoso.com\"\ndescription: \"\"\nemergencyNumbers: [\n  \"+14255556678\",\n]\ngroups: {}\n", UsersAfter: 2},
			{Name: "Redmond", Kind: Update,
				Before:      "resourceAccount: \"ra1@contoso.com\"\ndescription: \"Redmond\"\nemergencyNumbers: [\n  \"+14255556677\",\n  \"+14255556678\",\n]\ngroups: {\n  \"g1\": 1\n}\n",
				After:       "resourceAccount: \"ra1@contoso.com\"\ndescription: \"Redmond HQ\"\nemergencyNumbers: [\n  \"+14255556677\",\n]\ngroups: {\n  \"g1\": 1\n}\n",
				UsersBefore: 2, UsersAfter: 1},
			{Name: "Seattle", Kind: Delete, Before: "resourceAccount: \"ra1@contoso.com\"\ndescription: \"Seattle\"\nemergencyNumbers: []\ngroups: {}\n", UsersBefore: 1},
		},
		NumberMoves: []DesiredNumberMove{{Number: "+14255556678", From: "policy Redmond", To: "policy Kirkland"}},
		Users: []GrantChange{
			{User: "Alice@contoso.com", Before: "Redmond", After: "Kirkland"},
			{User: "carol@contoso.com", Before: "Seattle"},
			{User: "erin@contoso.com", After: "Kirkland"},
		},
		ResourceAccounts: []DesiredAccountChange{{UPN: "ra1@contoso.com", Kind: Update,
			Before: DesiredAccount{"+14255550100", "CallingPlan", "redmond"}, After: DesiredAccount{"+14255550100", "CallingPlan", "kirkland"}}},
		Locations: []DesiredLocationChange{{Key: "kirkland", Kind: Create, After: DesiredLocation{"5fbd7c3c-0000-4000-8000-000000000001", "US"}}},
		UserNumbers: []DesiredUserNumberChange{{UPN: "dave@contoso.com", Kind: Update,
			Before: DesiredNumber{"+14255556690", "CallingPlan"}, After: DesiredNumber{"+14255556691", "CallingPlan"}}},
		TenantDefault: &DefaultChange{Before: "Redmond", After: ""},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Fatalf("CompareDesired (-want +got):\n%s", d)
	}

	text := got.RenderText(DesiredRenderOptions{Base: "main", Head: "the work tree"})
	for _, s := range []string{
		"Desired state: main -> the work tree\n",
		"+ policy Kirkland (added; 2 users)\n",
		"~ policy Redmond (changed; users 2 -> 1)\n",
		"    --- base/policies/Redmond\n    +++ head/policies/Redmond\n    @@ -1,8 +1,7 @@\n",
		"    -description: \"Redmond\"\n    +description: \"Redmond HQ\"\n",
		"    -  \"+14255556678\",\n",
		"- policy Seattle (removed; 1 user loses this grant)\n    --- base/policies/Seattle\n    +++ /dev/null\n",
		"~ +14255556678: policy Redmond -> policy Kirkland\n",
		"Users whose policy changes: 3\n~ Alice@contoso.com: Redmond -> Kirkland\n~ carol@contoso.com: Seattle -> (none)\n",
		"~ ra1@contoso.com: location redmond -> kirkland\n",
		"+ kirkland: added: id 5fbd7c3c-0000-4000-8000-000000000001, country US\n",
		"~ dave@contoso.com: number +14255556690 -> +14255556691\n",
		"Tenant default: Redmond -> Global (built-in)\n",
		"Summary: 3 policies (1 added, 1 changed, 1 removed), 1 number moved, 3 users change policy, 1 resource account, 1 location, 1 user number, tenant default changed.\n",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("RenderText lacks %q; got:\n%s", s, text)
		}
	}
	if again := CompareDesired(desiredBase(), head).RenderText(DesiredRenderOptions{Base: "main", Head: "the work tree"}); again != text {
		t.Errorf("RenderText is not deterministic")
	}

	md := got.RenderMarkdown(DesiredRenderOptions{Base: "main", Head: "pr"})
	for _, s := range []string{
		DesiredMarker + "\n",
		"| ~ | Redmond | changed | 2 → 1 |\n",
		"```diff\n--- /dev/null\n+++ head/policies/Kirkland\n",
		"| +14255556678 | policy Redmond | policy Kirkland |\n",
		"| carol@contoso.com | Seattle | (none) |\n",
	} {
		if !strings.Contains(md, s) {
			t.Errorf("RenderMarkdown lacks %q; got:\n%s", s, md)
		}
	}
}

func TestCompareDesiredUserLimit(t *testing.T) {
	base, head := desiredBase(), desiredBase()
	var users []string
	for i := range 25 {
		users = append(users, fmt.Sprintf("u%02d@contoso.com", i))
	}
	head.Policies[1].Users = desiredLoc(users...)
	c := CompareDesired(base, head)
	if len(c.Users) != 26 { // 25 new, carol revoked
		t.Fatalf("%d users change policy, want 26", len(c.Users))
	}
	text := c.RenderText(DesiredRenderOptions{})
	if !strings.Contains(text, "Users whose policy changes: 26\n") || !strings.Contains(text, "  ... and 6 more\n") {
		t.Errorf("RenderText does not list 20 users and count the rest:\n%s", text)
	}
	if strings.Contains(text, "u19@contoso.com") || !strings.Contains(text, "u18@contoso.com") {
		t.Errorf("RenderText lists the wrong users (want the first 20 by UPN):\n%s", text)
	}
	md := c.RenderMarkdown(DesiredRenderOptions{UserLimit: 5})
	if !strings.Contains(md, "… and 21 more") {
		t.Errorf("RenderMarkdown with UserLimit 5 lacks the rest count:\n%s", md)
	}
}

func TestCompareDesiredNilSides(t *testing.T) {
	c := CompareDesired(nil, desiredBase())
	if len(c.Policies) != 2 || c.Policies[0].Kind != Create || len(c.Users) != 3 || c.Domain == nil {
		t.Errorf("nil base: %+v", c)
	}
	c = CompareDesired(desiredBase(), nil)
	if len(c.Policies) != 2 || c.Policies[1].Kind != Delete || len(c.ResourceAccounts) != 1 || c.ResourceAccounts[0].Kind != Delete {
		t.Errorf("nil head: %+v", c)
	}
}

func TestDesiredMarkdownEscapes(t *testing.T) {
	base, head := desiredBase(), desiredBase()
	head.Policies[0].Description = "a ``` fence | and pipe"
	md := CompareDesired(base, head).RenderMarkdown(DesiredRenderOptions{})
	if !strings.Contains(md, "````diff\n") {
		t.Errorf("a description with ``` does not lengthen the fence:\n%s", md)
	}
}

func TestDesiredMarkdownTruncates(t *testing.T) {
	head := &schema.Desired{}
	for i := range 2000 {
		head.Policies = append(head.Policies, schema.Policy{Name: fmt.Sprintf("P%04d", i), ResourceAccount: "ra1@contoso.com",
			Description: strings.Repeat("x", 40)})
	}
	md := CompareDesired(nil, head).RenderMarkdown(DesiredRenderOptions{})
	if len(md) > 65536 {
		t.Errorf("markdown of 2000 new policies is %d bytes, over GitHub's comment limit", len(md))
	}
	if !strings.Contains(md, "more bytes of diff: run callops diff locally\n```\n") {
		t.Errorf("truncated markdown does not say so and close its fence")
	}
}
