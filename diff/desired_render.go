package diff

import (
	"fmt"
	"strings"
)

// DefaultUserLimit is how many users whose policy changes a rendering
// lists before it says "and N more": a pull request that moves 5,000 users
// is reviewed by its count, not its list.
const DefaultUserLimit = 20

// DesiredRenderOptions say what a rendering of DesiredChanges shows.
type DesiredRenderOptions struct {
	// Base and Head name the two sides, e.g. "main (1a2b3c4d5e6f)" and
	// "the work tree".
	Base, Head string
	// UserLimit bounds the users listed (DefaultUserLimit when zero; a
	// negative value lists none).
	UserLimit int
}

func (o DesiredRenderOptions) userLimit() int {
	switch {
	case o.UserLimit == 0:
		return DefaultUserLimit
	case o.UserLimit < 0:
		return 0
	}
	return o.UserLimit
}

// desiredNone is how a missing value reads in renderings.
const desiredNone = "(none)"

func desiredOrNone(s string) string {
	if s == "" {
		return desiredNone
	}
	return s
}

func desiredDefault(s string) string {
	if s == "" {
		return "Global (built-in)"
	}
	return s
}

// Summary is a one-line count of what changes, e.g. "2 policies (1 added,
// 1 changed), 1 emergency number moved, 12 users change policy".
func (c *DesiredChanges) Summary() string {
	if c.Empty() {
		return "no changes to the desired state"
	}
	var parts []string
	if c.Domain != nil {
		parts = append(parts, "tenant domain changed")
	}
	if n := len(c.Policies); n > 0 {
		var add, chg, del int
		for _, p := range c.Policies {
			switch p.Kind {
			case Create:
				add++
			case Update:
				chg++
			case Delete:
				del++
			}
		}
		parts = append(parts, fmt.Sprintf("%s (%s)", desiredPlural(n, "policy", "policies"), desiredKinds(add, chg, del)))
	}
	if n := len(c.NumberMoves); n > 0 {
		parts = append(parts, desiredPlural(n, "number moved", "numbers moved"))
	}
	if n := len(c.Users); n > 0 {
		parts = append(parts, desiredPlural(n, "user changes policy", "users change policy"))
	}
	if n := len(c.ResourceAccounts); n > 0 {
		parts = append(parts, desiredPlural(n, "resource account", "resource accounts"))
	}
	if n := len(c.Locations); n > 0 {
		parts = append(parts, desiredPlural(n, "location", "locations"))
	}
	if n := len(c.UserNumbers); n > 0 {
		parts = append(parts, desiredPlural(n, "user number", "user numbers"))
	}
	if c.TenantDefault != nil {
		parts = append(parts, "tenant default changed")
	}
	return strings.Join(parts, ", ")
}

func desiredPlural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func desiredKinds(add, chg, del int) string {
	var s []string
	if add > 0 {
		s = append(s, fmt.Sprintf("%d added", add))
	}
	if chg > 0 {
		s = append(s, fmt.Sprintf("%d changed", chg))
	}
	if del > 0 {
		s = append(s, fmt.Sprintf("%d removed", del))
	}
	return strings.Join(s, ", ")
}

// desiredMark is the text mark of a kind: + added, ~ changed, - removed, as
// plan's text output marks steps.
func desiredMark(k ChangeKind) string {
	switch k {
	case Create:
		return "+"
	case Delete:
		return "-"
	}
	return "~"
}

func desiredVerb(k ChangeKind) string {
	switch k {
	case Create:
		return "added"
	case Delete:
		return "removed"
	}
	return "changed"
}

// desiredFields lists "name: before -> after" for the pairs that differ.
func desiredFields(pairs ...string) string {
	var s []string
	for i := 0; i+2 < len(pairs); i += 3 {
		if pairs[i+1] != pairs[i+2] {
			s = append(s, fmt.Sprintf("%s %s -> %s", pairs[i], desiredOrNone(pairs[i+1]), desiredOrNone(pairs[i+2])))
		}
	}
	return strings.Join(s, ", ")
}

func desiredAccountText(a DesiredAccount) string {
	s := fmt.Sprintf("number %s (%s)", desiredOrNone(a.Number), desiredOrNone(a.Type))
	if a.Location != "" {
		s += ", location " + a.Location
	}
	return s
}

func (ac DesiredAccountChange) describe() string {
	switch ac.Kind {
	case Create:
		return "now managed: " + desiredAccountText(ac.After)
	case Delete:
		return "no longer managed (the account is not deleted); was " + desiredAccountText(ac.Before)
	}
	return desiredFields("number", ac.Before.Number, ac.After.Number, "type", ac.Before.Type, ac.After.Type,
		"location", ac.Before.Location, ac.After.Location)
}

func (lc DesiredLocationChange) describe() string {
	switch lc.Kind {
	case Create:
		return fmt.Sprintf("added: id %s, country %s", lc.After.ID, lc.After.Country)
	case Delete:
		return fmt.Sprintf("removed: id %s, country %s", lc.Before.ID, lc.Before.Country)
	}
	return desiredFields("id", lc.Before.ID, lc.After.ID, "country", lc.Before.Country, lc.After.Country)
}

func (uc DesiredUserNumberChange) describe() string {
	switch uc.Kind {
	case Create:
		return fmt.Sprintf("now managed: number %s (%s)", uc.After.Number, uc.After.Type)
	case Delete:
		return fmt.Sprintf("no longer managed; was number %s (%s)", uc.Before.Number, uc.Before.Type)
	}
	return desiredFields("number", uc.Before.Number, uc.After.Number, "type", uc.Before.Type, uc.After.Type)
}

func (pc DesiredPolicyChange) usersNote() string {
	switch {
	case pc.Kind == Create:
		return desiredPlural(pc.UsersAfter, "user", "users")
	case pc.Kind == Delete:
		return desiredPlural(pc.UsersBefore, "user loses", "users lose") + " this grant"
	case pc.UsersBefore != pc.UsersAfter:
		return fmt.Sprintf("users %d -> %d", pc.UsersBefore, pc.UsersAfter)
	}
	return ""
}

// RenderText renders c for a terminal: one section per kind of object,
// policies as unified diffs, users up to the limit. The output ends with a
// "Summary:" line and is the same for the same input.
func (c *DesiredChanges) RenderText(o DesiredRenderOptions) string {
	var b strings.Builder
	if o.Base != "" || o.Head != "" {
		fmt.Fprintf(&b, "Desired state: %s -> %s\n\n", o.Base, o.Head)
	}
	if c.Empty() {
		b.WriteString("No changes to the desired state.\n")
		return b.String()
	}
	if c.Domain != nil {
		fmt.Fprintf(&b, "Tenant domain: %s -> %s\n\n", desiredOrNone(c.Domain.Before), desiredOrNone(c.Domain.After))
	}
	if len(c.Policies) > 0 {
		b.WriteString("Policies:\n")
		for _, pc := range c.Policies {
			fmt.Fprintf(&b, "%s policy %s (%s", desiredMark(pc.Kind), pc.Name, desiredVerb(pc.Kind))
			if n := pc.usersNote(); n != "" {
				b.WriteString("; " + n)
			}
			b.WriteString(")\n")
			for _, l := range strings.Split(strings.TrimSuffix(pc.Unified(), "\n"), "\n") {
				b.WriteString("    " + l + "\n")
			}
		}
		b.WriteString("\n")
	}
	if len(c.NumberMoves) > 0 {
		b.WriteString("Numbers moved:\n")
		for _, m := range c.NumberMoves {
			fmt.Fprintf(&b, "~ %s: %s -> %s\n", m.Number, m.From, m.To)
		}
		b.WriteString("\n")
	}
	if len(c.Users) > 0 {
		fmt.Fprintf(&b, "Users whose policy changes: %d\n", len(c.Users))
		shown := min(len(c.Users), o.userLimit())
		for _, u := range c.Users[:shown] {
			fmt.Fprintf(&b, "~ %s: %s -> %s\n", u.User, desiredOrNone(u.Before), desiredOrNone(u.After))
		}
		if rest := len(c.Users) - shown; rest > 0 {
			fmt.Fprintf(&b, "  ... and %d more\n", rest)
		}
		b.WriteString("\n")
	}
	if len(c.ResourceAccounts) > 0 {
		b.WriteString("Resource accounts:\n")
		for _, ac := range c.ResourceAccounts {
			fmt.Fprintf(&b, "%s %s: %s\n", desiredMark(ac.Kind), ac.UPN, ac.describe())
		}
		b.WriteString("\n")
	}
	if len(c.Locations) > 0 {
		b.WriteString("Locations:\n")
		for _, lc := range c.Locations {
			fmt.Fprintf(&b, "%s %s: %s\n", desiredMark(lc.Kind), lc.Key, lc.describe())
		}
		b.WriteString("\n")
	}
	if len(c.UserNumbers) > 0 {
		b.WriteString("User numbers:\n")
		for _, uc := range c.UserNumbers {
			fmt.Fprintf(&b, "%s %s: %s\n", desiredMark(uc.Kind), uc.UPN, uc.describe())
		}
		b.WriteString("\n")
	}
	if c.TenantDefault != nil {
		fmt.Fprintf(&b, "Tenant default: %s -> %s\n\n", desiredDefault(c.TenantDefault.Before), desiredDefault(c.TenantDefault.After))
	}
	fmt.Fprintf(&b, "Summary: %s.\n", c.Summary())
	return b.String()
}

// desiredMaxDiffBytes bounds the policy diffs of a markdown rendering, so
// that the comment stays below GitHub's 65,536-character limit.
const desiredMaxDiffBytes = 40000

// desiredMaxRows bounds each table of a markdown rendering (the users
// table has its own, smaller limit).
const desiredMaxRows = 200

// desiredMore notes the rows of a table of n rows left out.
func desiredMore(b *strings.Builder, n int) {
	if n > desiredMaxRows {
		fmt.Fprintf(b, "\n… and %d more\n", n-desiredMaxRows)
	}
}

// DesiredMarker is the hidden line that starts the markdown rendering, so
// that a workflow can find and update its earlier pull-request comment.
const DesiredMarker = "<!-- callops-diff -->"

// desiredMD escapes text for a markdown table cell.
func desiredMD(s string) string {
	s = strings.ReplaceAll(s, `\`, `\\`)
	s = strings.ReplaceAll(s, "|", `\|`)
	s = strings.ReplaceAll(s, "\n", " ")
	s = strings.ReplaceAll(s, "<", "&lt;")
	return strings.ReplaceAll(s, "`", "\\`")
}

// desiredFence returns a code fence longer than any run of backticks in s, so
// that user text (a description) cannot close the block.
func desiredFence(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// RenderMarkdown renders c as a pull-request comment: the marker line, a
// summary, then a section per kind of object; policy diffs are in a diff
// block; the users table lists up to the limit.
func (c *DesiredChanges) RenderMarkdown(o DesiredRenderOptions) string {
	var b strings.Builder
	b.WriteString(DesiredMarker + "\n")
	b.WriteString("### callops diff\n\n")
	if o.Base != "" || o.Head != "" {
		fmt.Fprintf(&b, "Desired state: %s → %s\n\n", desiredMD(o.Base), desiredMD(o.Head))
	}
	if c.Empty() {
		b.WriteString("No changes to the desired state.\n")
		return b.String()
	}
	fmt.Fprintf(&b, "**Summary:** %s.\n\n", desiredMD(c.Summary()))
	if c.Domain != nil {
		fmt.Fprintf(&b, "**Tenant domain:** %s → %s\n\n", desiredMD(desiredOrNone(c.Domain.Before)), desiredMD(desiredOrNone(c.Domain.After)))
	}
	if c.TenantDefault != nil {
		fmt.Fprintf(&b, "**Tenant default:** %s → %s\n\n", desiredMD(desiredDefault(c.TenantDefault.Before)), desiredMD(desiredDefault(c.TenantDefault.After)))
	}
	if len(c.Policies) > 0 {
		b.WriteString("#### Policies\n\n| | policy | change | direct users |\n|---|---|---|---|\n")
		var diffs strings.Builder
		for i, pc := range c.Policies {
			users := fmt.Sprint(pc.UsersAfter)
			switch pc.Kind {
			case Delete:
				users = fmt.Sprintf("%d → 0", pc.UsersBefore)
			case Update:
				if pc.UsersBefore != pc.UsersAfter {
					users = fmt.Sprintf("%d → %d", pc.UsersBefore, pc.UsersAfter)
				}
			}
			if i < desiredMaxRows {
				fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", desiredMark(pc.Kind), desiredMD(pc.Name), desiredVerb(pc.Kind), users)
			}
			diffs.WriteString(pc.Unified())
		}
		desiredMore(&b, len(c.Policies))
		text := diffs.String()
		if len(text) > desiredMaxDiffBytes {
			// GitHub refuses comments over 65,536 characters.
			cut := strings.LastIndexByte(text[:desiredMaxDiffBytes], '\n') + 1
			text = text[:cut] + fmt.Sprintf("... %d more bytes of diff: run callops diff locally\n", len(text)-cut)
		}
		fence := desiredFence(text)
		fmt.Fprintf(&b, "\n<details><summary>Policy diffs</summary>\n\n%sdiff\n%s%s\n\n</details>\n\n", fence, text, fence)
	}
	if len(c.NumberMoves) > 0 {
		b.WriteString("#### Numbers moved\n\n| number | from | to |\n|---|---|---|\n")
		for _, m := range c.NumberMoves[:min(len(c.NumberMoves), desiredMaxRows)] {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", desiredMD(m.Number), desiredMD(m.From), desiredMD(m.To))
		}
		desiredMore(&b, len(c.NumberMoves))
		b.WriteString("\n")
	}
	if len(c.Users) > 0 {
		fmt.Fprintf(&b, "#### Users whose policy changes: %d\n\n| user | before | after |\n|---|---|---|\n", len(c.Users))
		shown := min(len(c.Users), o.userLimit())
		for _, u := range c.Users[:shown] {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", desiredMD(u.User), desiredMD(desiredOrNone(u.Before)), desiredMD(desiredOrNone(u.After)))
		}
		if rest := len(c.Users) - shown; rest > 0 {
			fmt.Fprintf(&b, "\n… and %d more\n", rest)
		}
		b.WriteString("\n")
	}
	section := func(title string, rows [][3]string) {
		if len(rows) == 0 {
			return
		}
		fmt.Fprintf(&b, "#### %s\n\n| | name | change |\n|---|---|---|\n", title)
		for _, r := range rows[:min(len(rows), desiredMaxRows)] {
			fmt.Fprintf(&b, "| %s | %s | %s |\n", r[0], desiredMD(r[1]), desiredMD(r[2]))
		}
		desiredMore(&b, len(rows))
		b.WriteString("\n")
	}
	var rows [][3]string
	for _, ac := range c.ResourceAccounts {
		rows = append(rows, [3]string{desiredMark(ac.Kind), ac.UPN, ac.describe()})
	}
	section("Resource accounts", rows)
	rows = nil
	for _, lc := range c.Locations {
		rows = append(rows, [3]string{desiredMark(lc.Kind), lc.Key, lc.describe()})
	}
	section("Locations", rows)
	rows = nil
	for _, uc := range c.UserNumbers {
		rows = append(rows, [3]string{desiredMark(uc.Kind), uc.UPN, uc.describe()})
	}
	section("User numbers", rows)
	return b.String()
}
