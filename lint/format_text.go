package lint

import (
	"fmt"
	"io"
	"strings"
)

// ANSI escapes used by text output with Options.Color.
const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiDim    = "\x1b[2m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
)

// WriteText writes findings for people: one "file:line:col: severity: message
// [rule]" line each, grouped by file (a blank line between files) with the
// message column aligned within a file, then a summary line ("2 errors,
// 1 warning, 0 infos in 3 files", or "no problems"). Findings are written in
// the order given (Run's order groups them by file).
func WriteText(w io.Writer, findings []Finding, opts Options) error {
	var b strings.Builder
	paint := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + ansiReset
	}
	for start := 0; start < len(findings); {
		end := start + 1
		for end < len(findings) && findings[end].Pos.File == findings[start].Pos.File {
			end++
		}
		group := findings[start:end]
		whereW, sevW := 0, 0
		wheres := make([]string, len(group))
		for i, f := range group {
			wheres[i] = textWhere(f, opts) + ":"
			whereW = max(whereW, len(wheres[i]))
			sevW = max(sevW, len(f.Severity.String())+1)
		}
		if start > 0 {
			b.WriteByte('\n')
		}
		// Continuation lines of a multi-line message start in the
		// message column, so that the file:line column stays clean.
		indent := "\n" + strings.Repeat(" ", whereW+1+sevW+1)
		for i, f := range group {
			sev := f.Severity.String() + ":"
			msg := strings.ReplaceAll(strings.TrimRight(f.Message, "\n"), "\n", indent)
			fmt.Fprintf(&b, "%s%s %s%s %s %s\n",
				paint(ansiBold, wheres[i]), strings.Repeat(" ", whereW-len(wheres[i])),
				paint(severityColor(f.Severity), sev), strings.Repeat(" ", sevW-len(sev)),
				msg, paint(ansiDim, "["+f.Rule+"]"))
		}
		start = end
	}
	if len(findings) > 0 {
		b.WriteByte('\n')
	}
	b.WriteString(Summary(Summarize(findings)))
	b.WriteByte('\n')
	_, err := io.WriteString(w, b.String())
	return err
}

func textWhere(f Finding, opts Options) string {
	if !f.Pos.IsValid() {
		return f.where()
	}
	p := f.Pos
	p.File = opts.file(f)
	return p.String()
}

func severityColor(s Severity) string {
	switch s {
	case Error:
		return ansiRed
	case Warning:
		return ansiYellow
	}
	return ansiCyan
}

// Summary renders a result's counts: "2 errors, 1 warning, 0 infos in 3
// files", or "no problems" when there are no findings.
func Summary(r Result) string {
	if len(r.Findings) == 0 {
		return "no problems"
	}
	s := fmt.Sprintf("%s, %s, %s", plural(r.Errors, "error"), plural(r.Warnings, "warning"), plural(r.Infos, "info"))
	if n := r.Files(); n > 0 {
		s += " in " + plural(n, "file")
	}
	return s
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
