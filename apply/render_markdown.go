package apply

import (
	"fmt"
	"strings"

	"github.com/callops/callops/tenant"
)

// MarkdownMarker is the first line of every markdown plan: a hidden HTML
// comment a workflow searches for to update its earlier pull-request comment
// instead of adding a new one.
const MarkdownMarker = "<!-- callops-plan -->"

// GitHub refuses comments longer than 65,536 characters. The rendered plan
// stays below markdownLimit, which leaves room for the truncation note and
// the closing lines.
const (
	githubCommentLimit = 65536
	markdownLimit      = githubCommentLimit - 2048
	// markdownFoldSteps is how many steps are shown open; longer plans are
	// folded into <details> so the comment stays readable.
	markdownFoldSteps = 30
)

// RenderMarkdown renders p as a pull-request comment: the marker line, a
// heading with the summary line, a summary table, hazards, and the steps in a
// ```diff block (the sign in column 0 colors them), inside <details> when
// there are more than 30 steps. The result is always shorter than GitHub's
// 65,536-character limit: steps that do not fit are left out with a note.
func RenderMarkdown(p *Plan) string {
	var b strings.Builder
	b.WriteString(MarkdownMarker + "\n")
	b.WriteString("### callops plan\n\n")
	if src := sourceLine(p); src != "" {
		b.WriteString(src + "\n\n")
	}
	if !p.HasChanges() {
		b.WriteString("**" + NoChanges + "**\n")
		return b.String()
	}
	b.WriteString("**" + mdEscape(SummaryLine(p)) + "**\n\n")
	s := p.Summary
	b.WriteString("| | count |\n|---|---:|\n")
	rows := []struct {
		name string
		n    int
	}{
		{"Steps", len(p.Steps)},
		{"Policies to create", s.PoliciesCreated},
		{"Policies to update", s.PoliciesUpdated},
		{"Policies to delete", s.PoliciesDeleted},
		{"Grants", s.Grants},
		{"Revokes", s.Revokes},
		{"Users affected", s.AffectedUsers},
		{"Hazards", len(p.Hazards)},
	}
	for _, r := range rows {
		fmt.Fprintf(&b, "| %s | %d |\n", r.name, r.n)
	}
	b.WriteString("\n")
	if len(p.Hazards) > 0 {
		b.WriteString("> [!WARNING]\n")
		for i, h := range p.Hazards {
			if i > 0 {
				b.WriteString(">\n")
			}
			fmt.Fprintf(&b, "> **%s** (%s, %s affected)", mdEscape(oneLine(string(h.Kind))), stepRange(h.Steps), plural(h.Users, "user", "users"))
			if h.Message != "" {
				b.WriteString(": " + mdEscape(oneLine(h.Message)))
			}
			b.WriteString("\n")
		}
		b.WriteString("\n")
	}
	fold := len(p.Steps) > markdownFoldSteps
	if fold {
		fmt.Fprintf(&b, "<details><summary>Show %s</summary>\n\n", plural(len(p.Steps), "step", "steps"))
	}
	var tail strings.Builder
	tail.WriteString("```\n")
	if fold {
		tail.WriteString("\n</details>\n")
	}
	fence := codeFence(p.Steps)
	b.WriteString(fence + "diff\n")
	lines := stepColumns(p.Steps)
	shown := 0
	for _, line := range lines {
		if b.Len()+len(line)+1+tail.Len()+len(fence) > markdownLimit {
			break
		}
		b.WriteString(line + "\n")
		shown++
	}
	b.WriteString(fence + "\n")
	if fold {
		b.WriteString("\n</details>\n")
	}
	if shown < len(lines) {
		fmt.Fprintf(&b, "\n_%s of %d not shown: a pull-request comment is limited to 65,536 characters. Run `callops plan` to see the whole plan._\n",
			plural(len(lines)-shown, "step", "steps"), len(lines))
	}
	return b.String()
}

// sourceLine says where the plan comes from and what it was made against.
func sourceLine(p *Plan) string {
	var parts []string
	if p.Source.Dir != "" {
		parts = append(parts, "`"+strings.ReplaceAll(p.Source.Dir, "`", "'")+"`")
	}
	if p.Source.Commit != "" {
		c := "commit `" + shortSHA(p.Source.Commit) + "`"
		if p.Source.Dirty {
			c += " (uncommitted changes)"
		}
		parts = append(parts, c)
	}
	if p.State.Lineage != "" {
		parts = append(parts, fmt.Sprintf("state serial %d", p.State.Serial))
	}
	if len(parts) == 0 {
		return ""
	}
	return "Desired state " + strings.Join(parts, ", ")
}

// codeFence returns a backtick fence longer than any run of backticks in the
// steps, so a policy description cannot close the diff block early.
func codeFence(steps []Step) string {
	longest := 0
	for _, s := range steps {
		for _, f := range []string{s.Op.Description, s.Reason, s.Op.Policy, s.Op.User, s.Op.Group} {
			run := 0
			for _, r := range f {
				if r == '`' {
					run++
					longest = max(longest, run)
				} else {
					run = 0
				}
			}
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// oneLine keeps a rendered line on one line: a newline inside a description
// would otherwise start a new diff line.
//
// Other control characters, bidirectional overrides and bytes that are not
// UTF-8 are escaped (tenant.Printable): names come from the desired state
// and the tenant, and an escape sequence in one must not recolour or
// rewrite the terminal or the CI log that shows the plan.
func oneLine(s string) string {
	return tenant.Printable(strings.NewReplacer("\r\n", " ", "\n", " ", "\r", " ").Replace(s))
}

// mdEscape escapes the characters that would turn text into markup or HTML
// in a comment outside code blocks.
func mdEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, "<", "&lt;", ">", "&gt;", "*", `\*`, "_", `\_`, "`", "\\`", "[", `\[`, "]", `\]`, "|", `\|`).Replace(s)
}
