package lint

import (
	"fmt"
	"io"
	"strings"
)

// WriteGitHub writes findings as GitHub Actions workflow commands, which the
// runner turns into annotations on the pull request:
//
//	::error file=policies.cue,line=12,col=22,title=emergency-number-reused::+14255556677 is ...
//
// Errors are ::error, warnings ::warning, infos ::notice. Values are escaped
// exactly as @actions/core escapes them.
func WriteGitHub(w io.Writer, findings []Finding, opts Options) error {
	var b strings.Builder
	for _, f := range findings {
		cmd := "notice"
		switch f.Severity {
		case Error:
			cmd = "error"
		case Warning:
			cmd = "warning"
		}
		var props []string
		if file := opts.file(f); file != "" {
			props = append(props, "file="+escapeProperty(file))
			if f.Pos.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", f.Pos.Line))
			}
			if f.Pos.Col > 0 {
				props = append(props, fmt.Sprintf("col=%d", f.Pos.Col))
			}
		}
		props = append(props, "title="+escapeProperty(f.Rule))
		fmt.Fprintf(&b, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(f.Message))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// escapeData escapes a command's message as @actions/core's escapeData.
func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// escapeProperty escapes a property value as @actions/core's escapeProperty.
func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
