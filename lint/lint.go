package lint

import (
	"fmt"
	"sort"

	"github.com/callops/callops/schema"
)

// Severity is how bad a finding is. Errors fail lint; warnings fail it only
// in strict mode; infos never do.
type Severity int

// The severities, from least to most severe.
const (
	Info Severity = iota
	Warning
	Error
)

// String returns the wire form: "info", "warning" or "error".
func (s Severity) String() string {
	switch s {
	case Info:
		return "info"
	case Warning:
		return "warning"
	case Error:
		return "error"
	}
	return fmt.Sprintf("severity(%d)", int(s))
}

// MarshalText writes the wire form, so that JSON shows "error", not 2.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads the wire form.
func (s *Severity) UnmarshalText(b []byte) error {
	switch string(b) {
	case "info":
		*s = Info
	case "warning":
		*s = Warning
	case "error":
		*s = Error
	default:
		return fmt.Errorf("unknown severity %q (want error, warning or info)", b)
	}
	return nil
}

// Finding is one problem found in a desired state. Pos is the position of the
// offending value (zero when it has none) and Path its CUE path, built with
// schema.Path ("policies.Seattle.emergencyNumbers[0]").
type Finding struct {
	Rule     string
	Severity Severity
	Message  string
	Pos      schema.Pos
	Path     string
}

// String renders f as "file:line:col: severity: message [rule]".
func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s [%s]", f.where(), f.Severity, f.Message, f.Rule)
}

// where is the position of f for humans: file:line:col, else the CUE path,
// else "-".
func (f Finding) where() string {
	if f.Pos.IsValid() {
		return f.Pos.String()
	}
	if f.Path != "" {
		return f.Path
	}
	return "-"
}

// Sort orders findings by file, line, column and rule (then message and path,
// so that the order is total and output is deterministic).
func Sort(findings []Finding) {
	sort.SliceStable(findings, func(i, j int) bool {
		a, b := findings[i], findings[j]
		if a.Pos != b.Pos {
			return a.Pos.Less(b.Pos)
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		if a.Message != b.Message {
			return a.Message < b.Message
		}
		return a.Path < b.Path
	})
}

// Result is a set of findings with their counts by severity.
type Result struct {
	Findings []Finding
	Errors   int
	Warnings int
	Infos    int
}

// Summarize counts findings by severity. It does not reorder them.
func Summarize(findings []Finding) Result {
	r := Result{Findings: findings}
	for _, f := range findings {
		switch f.Severity {
		case Error:
			r.Errors++
		case Warning:
			r.Warnings++
		default:
			r.Infos++
		}
	}
	return r
}

// Failed reports whether lint fails: on any error, and with strict on any
// warning too. Infos never fail.
func (r Result) Failed(strict bool) bool {
	return r.Errors > 0 || (strict && r.Warnings > 0)
}

// Files returns the number of distinct files the findings point into.
func (r Result) Files() int {
	seen := map[string]bool{}
	for _, f := range r.Findings {
		if f.Pos.File != "" {
			seen[f.Pos.File] = true
		}
	}
	return len(seen)
}

// SchemaFindings turns the loader's problems (schema.LoadError.Problems:
// syntax errors, schema violations) into findings of the `schema` rule.
func SchemaFindings(problems []schema.Problem) []Finding {
	out := make([]Finding, 0, len(problems))
	for _, p := range problems {
		out = append(out, Finding{Rule: RuleSchema, Severity: Error, Message: p.Message, Pos: p.Pos, Path: p.Path})
	}
	Sort(out)
	return out
}
