package schema

import (
	"fmt"
	"strconv"
	"strings"
)

// Pos is a position in a desired-state file: File is relative to the directory
// that was loaded, Line and Col are 1-based. The zero Pos means "no position"
// (a value that came from a default, or a model built in Go).
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether p names a place in a file.
func (p Pos) IsValid() bool { return p.File != "" && p.Line > 0 }

// String renders p as file:line:col, or "-" for the zero Pos.
func (p Pos) String() string {
	if !p.IsValid() {
		return "-"
	}
	if p.Col > 0 {
		return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
	}
	return fmt.Sprintf("%s:%d", p.File, p.Line)
}

// Less orders positions by file, line and column; the zero Pos sorts first.
func (p Pos) Less(q Pos) bool {
	if p.File != q.File {
		return p.File < q.File
	}
	if p.Line != q.Line {
		return p.Line < q.Line
	}
	return p.Col < q.Col
}

// isIdent reports whether s is a CUE identifier, which a path writes
// unquoted. (A hand-written check: the loader builds a path for every field
// it decodes.)
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '_' || c == '$' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// Path builds a CUE path string the way CUE prints one: labels that are not
// identifiers are quoted, and integer elements become [i] indexes.
//
//	Path("policies", "Seattle", "emergencyNumbers", 0) == "policies.Seattle.emergencyNumbers[0]"
//	Path("resourceAccounts", "ra1@contoso.com")     == `resourceAccounts."ra1@contoso.com"`
func Path(elems ...any) string {
	var b strings.Builder
	for _, e := range elems {
		switch e := e.(type) {
		case int:
			fmt.Fprintf(&b, "[%d]", e)
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			if isIdent(e) {
				b.WriteString(e)
			} else {
				b.WriteString(strconv.Quote(e))
			}
		default:
			panic(fmt.Sprintf("schema.Path: element of type %T", e))
		}
	}
	return b.String()
}

// CaseDuplicate is a key of one section of the desired state that names
// what another key names once case is set aside: Later is the index of the
// one written later (by position, then by index), First of the other.
type CaseDuplicate struct{ Later, First int }

// CaseDuplicates lists the keys among n (key and position of element i from
// at) that repeat an earlier one without case: "Redmond" and "redmond" are
// two fields to CUE and one policy to the service. With three spellings of
// one key, each later one is listed against the first written.
func CaseDuplicates(n int, at func(i int) (key string, pos Pos)) []CaseDuplicate {
	var out []CaseDuplicate
	first := make(map[string]int, n)
	for i := 0; i < n; i++ {
		key, pos := at(i)
		k := strings.ToLower(key)
		j, dup := first[k]
		if !dup {
			first[k] = i
			continue
		}
		// The model is sorted by key, not by position: the element read
		// first may be the one written later.
		if _, fp := at(j); pos.Less(fp) {
			first[k] = i
			out = append(out, CaseDuplicate{Later: j, First: i})
			continue
		}
		out = append(out, CaseDuplicate{Later: i, First: j})
	}
	return out
}
