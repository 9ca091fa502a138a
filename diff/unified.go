package diff

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// DefaultContext is the number of unchanged lines Unified shows around a
// change, as diff -u does.
const DefaultContext = 3

// Unified returns the unified diff of two texts, line by line, with
// "--- oldName" / "+++ newName" headers and "@@ -l,s +l,s @@" hunks of
// context unchanged lines around each change (the format of diff -u and
// git diff). It returns "" when the texts are equal. The line diff is
// sergi/go-diff's line mode (DiffLinesToChars, DiffMain, DiffCharsToLines);
// that library has no unified writer, so the hunks are written here.
func Unified(oldName, newName, oldText, newText string, context int) string {
	if oldText == newText {
		return ""
	}
	if context < 0 {
		context = 0
	}
	lines := diffLines(oldText, newText)
	var b strings.Builder
	fmt.Fprintf(&b, "--- %s\n+++ %s\n", oldName, newName)
	for _, h := range hunks(lines, context) {
		writeHunk(&b, lines[h[0]:h[1]])
	}
	return b.String()
}

// line is one line of a line diff: op is ' ', '-' or '+'; text has no
// newline; oldNo and newNo are the 1-based numbers of the line in the old
// and new text before it (for '+' lines oldNo is that of the next old
// line, and so on), which is what hunk headers need.
type line struct {
	op           byte
	text         string
	noNewline    bool
	oldNo, newNo int
}

func diffLines(a, b string) []line {
	dmp := diffmatchpatch.New()
	ca, cb, table := dmp.DiffLinesToChars(a, b)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(ca, cb, false), table)
	var out []line
	oldNo, newNo := 1, 1
	for _, d := range diffs {
		var op byte
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			op = ' '
		case diffmatchpatch.DiffDelete:
			op = '-'
		case diffmatchpatch.DiffInsert:
			op = '+'
		}
		text := d.Text
		for text != "" {
			l := line{op: op, oldNo: oldNo, newNo: newNo}
			if i := strings.IndexByte(text, '\n'); i >= 0 {
				l.text, text = text[:i], text[i+1:]
			} else {
				l.text, text, l.noNewline = text, "", true
			}
			out = append(out, l)
			if op != '+' {
				oldNo++
			}
			if op != '-' {
				newNo++
			}
		}
	}
	return out
}

// hunks returns [start, end) ranges of lines: every changed line with up to
// context equal lines around it; changes closer than 2*context+1 equal
// lines share a hunk.
func hunks(lines []line, context int) [][2]int {
	var out [][2]int
	for i := 0; i < len(lines); {
		if lines[i].op == ' ' {
			i++
			continue
		}
		start := max(0, i-context)
		end := i
		for end < len(lines) {
			if lines[end].op != ' ' {
				end++
				continue
			}
			run := end
			for run < len(lines) && lines[run].op == ' ' {
				run++
			}
			if run == len(lines) || run-end > 2*context {
				end = min(end+context, len(lines))
				break
			}
			end = run
		}
		if n := len(out); n > 0 && out[n-1][1] >= start {
			out[n-1][1] = end
		} else {
			out = append(out, [2]int{start, end})
		}
		i = end
	}
	return out
}

func writeHunk(b *strings.Builder, ls []line) {
	var oldLen, newLen int
	for _, l := range ls {
		if l.op != '+' {
			oldLen++
		}
		if l.op != '-' {
			newLen++
		}
	}
	fmt.Fprintf(b, "@@ -%s +%s @@\n", hunkRange(ls[0].oldNo, oldLen), hunkRange(ls[0].newNo, newLen))
	for _, l := range ls {
		b.WriteByte(l.op)
		b.WriteString(l.text)
		b.WriteByte('\n')
		if l.noNewline {
			b.WriteString("\\ No newline at end of file\n")
		}
	}
}

// hunkRange writes one side of a hunk header as diff -u does: "l" for one
// line, "l,s" otherwise, and for an empty side the line before it.
func hunkRange(start, n int) string {
	switch n {
	case 0:
		return fmt.Sprintf("%d,0", start-1)
	case 1:
		return strconv.Itoa(start)
	}
	return fmt.Sprintf("%d,%d", start, n)
}

// PolicyText renders a policy's managed fields one per line, in the order
// DESIGN.md writes them, for line diffs; nil renders as "".
func PolicyText(f *PolicyFields) string {
	if f == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "resourceAccount: %s\n", f.ResourceAccount)
	fmt.Fprintf(&b, "description: %s\n", strconv.Quote(f.Description))
	if len(f.EmergencyNumbers) == 0 {
		b.WriteString("emergencyNumbers: []\n")
		return b.String()
	}
	b.WriteString("emergencyNumbers:\n")
	for _, n := range f.EmergencyNumbers {
		fmt.Fprintf(&b, "  - %s\n", n)
	}
	return b.String()
}

// Render returns the unified diff of the policy's fields, current against
// desired. A created policy diffs against /dev/null, a deleted one to
// /dev/null, as git shows added and deleted files.
func (pc PolicyChange) Render() string {
	oldName, newName := "current/policies/"+pc.Name, "desired/policies/"+pc.Name
	if pc.Before == nil {
		oldName = "/dev/null"
	}
	if pc.After == nil {
		newName = "/dev/null"
	}
	return Unified(oldName, newName, PolicyText(pc.Before), PolicyText(pc.After), DefaultContext)
}
