package apply

import (
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/callops/callops/tenant"
)

// NoChanges is what the renderers say for a plan without steps.
const NoChanges = "No changes. The tenant matches the desired state."

// Sign marks what a step does to the tenant: '+' creates, adds, assigns or
// grants; '~' updates in place; '-' deletes, removes, unassigns or revokes.
func Sign(op tenant.Op) byte {
	switch op.Action {
	case tenant.NumberAssign, tenant.PolicyCreate, tenant.PolicyAddEmergency:
		return '+'
	case tenant.NumberSetLocation, tenant.PolicyUpdate:
		return '~'
	case tenant.NumberUnassign, tenant.PolicyRemoveEmergency, tenant.PolicyDelete:
		return '-'
	case tenant.GrantUser, tenant.GrantGroup, tenant.GrantGlobal:
		if op.Grant == nil {
			return '-'
		}
		return '+'
	}
	return '?'
}

// stepLine is a step split into the columns the renderers align.
type stepLine struct {
	sign   byte
	index  string
	action string
	object string // what the step acts on: a number, policy, user, group
	detail string
	reason string
}

func stepLineOf(s Step) stepLine {
	op := s.Op
	l := stepLine{sign: Sign(op), index: strconv.Itoa(s.Index), action: string(op.Action), reason: oneLine(s.Reason)}
	grant := func() string {
		if op.Grant == nil {
			return ""
		}
		return *op.Grant
	}
	switch op.Action {
	case tenant.NumberUnassign:
		l.object, l.detail = op.Number, "from "+op.Holder
	case tenant.NumberAssign:
		l.object = op.Number
		l.detail = fmt.Sprintf("to %s as %s", op.Holder, op.NumberType)
		if op.Location != "" {
			l.detail += ", location " + op.Location
		}
	case tenant.NumberSetLocation:
		l.object, l.detail = op.Number, "location "+op.Location
	case tenant.PolicyCreate:
		l.object = op.Policy
		l.detail = "resource account " + op.ResourceAccount
		if op.Description != "" {
			l.detail += ", description " + strconv.Quote(op.Description)
		}
		if len(op.Numbers) > 0 {
			l.detail += ", emergency numbers " + strings.Join(op.Numbers, " ")
		}
	case tenant.PolicyUpdate:
		l.object = op.Policy
		var parts []string
		if op.UpdateResourceAccount {
			parts = append(parts, "resource account "+op.ResourceAccount)
		}
		if op.UpdateDescription {
			parts = append(parts, "description "+strconv.Quote(op.Description))
		}
		l.detail = "set " + strings.Join(parts, ", ")
	case tenant.PolicyRemoveEmergency:
		l.object, l.detail = op.Policy, "remove emergency numbers "+strings.Join(op.Numbers, " ")
	case tenant.PolicyAddEmergency:
		l.object, l.detail = op.Policy, "add emergency numbers "+strings.Join(op.Numbers, " ")
	case tenant.PolicyDelete:
		l.object, l.detail = op.Policy, "delete policy"
	case tenant.GrantUser:
		l.object = op.User
		if op.Grant == nil {
			l.detail = "revoke policy"
		} else {
			l.detail = "grant " + grant()
		}
	case tenant.GrantGroup:
		l.object = op.Group
		if op.Grant == nil {
			l.detail = "remove group assignment"
		} else {
			l.detail = fmt.Sprintf("grant %s, rank %d", grant(), op.Rank)
		}
	case tenant.GrantGlobal:
		l.object = "tenant"
		if op.Grant == nil {
			l.detail = "clear default policy (built-in Global)"
		} else {
			l.detail = "default policy " + grant()
		}
	}
	l.object, l.detail = oneLine(l.object), oneLine(l.detail)
	return l
}

// stepColumns renders each step as an aligned line "<sign> <index>  <action>
// <object>  <detail>", followed, when the step has a reason, by a line
// "# <reason>" indented under the action. Colors are added around whole
// lines by the renderers, so alignment never counts escape codes.
func stepColumns(steps []Step) []string {
	lines := make([]stepLine, len(steps))
	var wi, wa, wo int
	for i, s := range steps {
		l := stepLineOf(s)
		lines[i] = l
		wi = max(wi, len(l.index))
		wa = max(wa, len(l.action))
		wo = max(wo, utf8.RuneCountInString(l.object))
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		var b strings.Builder
		b.WriteByte(l.sign)
		b.WriteByte(' ')
		b.WriteString(strings.Repeat(" ", wi-len(l.index)))
		b.WriteString(l.index)
		b.WriteString("  ")
		b.WriteString(pad(l.action, wa))
		b.WriteString("  ")
		b.WriteString(pad(l.object, wo))
		b.WriteString("  ")
		b.WriteString(l.detail)
		line := strings.TrimRight(b.String(), " ")
		if l.reason != "" {
			line += "\n" + strings.Repeat(" ", 2+wi+2) + "# " + l.reason
		}
		out[i] = line
	}
	return out
}

// StepText is a step in one line without index and padding, e.g.
// "- number.unassign +14255550100 from ra1@contoso.com", for progress output.
func StepText(s Step) string {
	l := stepLineOf(s)
	return strings.TrimRight(fmt.Sprintf("%c %s %s %s", l.sign, l.action, l.object, l.detail), " ")
}

func pad(s string, w int) string {
	if n := utf8.RuneCountInString(s); n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return s
}

// TextOptions control RenderText.
type TextOptions struct {
	// Color marks lines with ANSI colors (green +, yellow ~, red -,
	// hazards in bold red). The caller decides (terminal, NO_COLOR,
	// --no-color); the renderer never looks at the environment.
	Color bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiRed    = "\x1b[31m"
	ansiGreen  = "\x1b[32m"
	ansiYellow = "\x1b[33m"
	ansiBold   = "\x1b[1m"
)

// RenderText renders p for a terminal: hazards first, then every step with
// its reason in aligned columns, then a one-line summary. A plan without
// steps is NoChanges.
func RenderText(p *Plan, opt TextOptions) string {
	if !p.HasChanges() {
		return NoChanges + "\n"
	}
	paint := func(code, s string) string {
		if !opt.Color {
			return s
		}
		return code + s + ansiReset
	}
	var b strings.Builder
	if len(p.Hazards) > 0 {
		b.WriteString(paint(ansiBold+ansiRed, "Hazards:") + "\n")
		for _, h := range p.Hazards {
			fmt.Fprintf(&b, "  ! %s\n", paint(ansiRed, hazardLine(h)))
		}
		b.WriteString("\n")
	}
	fmt.Fprintf(&b, "callops will carry out these steps, in this order:\n\n")
	for _, line := range stepColumns(p.Steps) {
		code := ""
		switch line[0] {
		case '+':
			code = ansiGreen
		case '~':
			code = ansiYellow
		case '-':
			code = ansiRed
		}
		for j, part := range strings.Split(line, "\n") {
			if j > 0 {
				code = "" // the reason line stays plain
			}
			b.WriteString("  " + paint(code, part) + "\n")
		}
	}
	b.WriteString("\n")
	b.WriteString(paint(ansiBold, SummaryLine(p)) + "\n")
	return b.String()
}

// hazardLine describes a hazard in one line: kind, steps, users, message.
func hazardLine(h Hazard) string {
	s := fmt.Sprintf("%s (%s, %s)", h.Kind, stepRange(h.Steps), plural(h.Users, "user", "users")+" affected")
	if h.Message != "" {
		s += ": " + h.Message
	}
	return s
}

// stepRange writes a hazard's steps as "step 3", "steps 3-4" or
// "steps 3, 5, 9".
func stepRange(steps []int) string {
	switch len(steps) {
	case 0:
		return "no step"
	case 1:
		return "step " + strconv.Itoa(steps[0])
	}
	contiguous := true
	for i := 1; i < len(steps); i++ {
		if steps[i] != steps[i-1]+1 {
			contiguous = false
		}
	}
	if contiguous {
		return fmt.Sprintf("steps %d-%d", steps[0], steps[len(steps)-1])
	}
	parts := make([]string, len(steps))
	for i, s := range steps {
		parts[i] = strconv.Itoa(s)
	}
	return "steps " + strings.Join(parts, ", ")
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// SummaryLine is the plan's one-line summary, e.g. "Plan: 9 steps: 1 policy
// to create, 2 to update, 0 to delete, 10 grants, 2 revokes, 132 users
// affected". A plan without steps is NoChanges.
func SummaryLine(p *Plan) string {
	if !p.HasChanges() {
		return NoChanges
	}
	s := p.Summary
	return fmt.Sprintf("Plan: %s: %s to create, %d to update, %d to delete, %s, %s, %s affected",
		plural(len(p.Steps), "step", "steps"),
		plural(s.PoliciesCreated, "policy", "policies"),
		s.PoliciesUpdated, s.PoliciesDeleted,
		plural(s.Grants, "grant", "grants"),
		plural(s.Revokes, "revoke", "revokes"),
		plural(s.AffectedUsers, "user", "users"))
}
