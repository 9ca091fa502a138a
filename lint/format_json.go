package lint

import (
	"encoding/json"
	"io"
)

// JSONFormat is the format tag of WriteJSON's output.
const JSONFormat = "callops-lint/v1"

// JSONReport is the stable JSON form of a lint run (DESIGN.md section 4).
type JSONReport struct {
	Format   string        `json:"format"`
	Findings []JSONFinding `json:"findings"`
	Errors   int           `json:"errors"`
	Warnings int           `json:"warnings"`
}

// JSONFinding is one finding in JSONReport. Line and Column are 0 and File
// empty for a finding without a position.
type JSONFinding struct {
	Rule     string `json:"rule"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	Column   int    `json:"column"`
	Path     string `json:"path"`
}

// NewJSONReport builds the JSON form of findings. Findings is never nil, so
// that it encodes as an array.
func NewJSONReport(findings []Finding, opts Options) JSONReport {
	r := Summarize(findings)
	out := JSONReport{Format: JSONFormat, Findings: make([]JSONFinding, 0, len(findings)), Errors: r.Errors, Warnings: r.Warnings}
	for _, f := range findings {
		out.Findings = append(out.Findings, JSONFinding{
			Rule: f.Rule, Severity: f.Severity.String(), Message: f.Message,
			File: opts.file(f), Line: f.Pos.Line, Column: f.Pos.Col, Path: f.Path,
		})
	}
	return out
}

// WriteJSON writes findings as a callops-lint/v1 document, indented, with a
// final newline.
func WriteJSON(w io.Writer, findings []Finding, opts Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(NewJSONReport(findings, opts))
}
