package schema

import (
	"bytes"
	"errors"
	"fmt"
	"strings"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/literal"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"

	"github.com/callops/callops/internal/phone"
)

// numberFields are the labels whose string values are telephone numbers:
// Format rewrites them into E.164. `number` holds one number (resource
// accounts, userNumbers), `emergencyNumbers` a list of them (policies).
var numberFields = map[string]bool{"number": true, "emergencyNumbers": true}

// Format returns src, a desired-state file named name, in CUE's standard
// format (what `cue fmt` writes) with telephone numbers written as people
// write them ("+1 (425) 555-0100", "+1 425-555-0100", "tel:+14255550100")
// rewritten into E.164 ("+14255550100"); ";ext=N" is kept.
//
// Only plain string literals of `number` fields and of `emergencyNumbers`
// lists are touched, and only when they normalize to a syntactically valid
// E.164 number; anything else is left for lint to report. Format is
// idempotent. A file that is binary, not UTF-8 or does not parse gives a
// *LoadError with the positions of its problems and no output: a formatter
// must never write a file it could not read.
func Format(name string, src []byte) ([]byte, error) {
	if p := checkText(File{Name: name, Data: src}); p != nil {
		return nil, &LoadError{Problems: []Problem{*p}}
	}
	f, err := parser.ParseFile(name, src, parser.ParseComments)
	if err != nil {
		return nil, &LoadError{Problems: sortProblems(cueProblems(err))}
	}
	normalizeNumbers(f)
	out, err := format.Node(f)
	if err != nil {
		return nil, fmt.Errorf("formatting %s: %w", name, err)
	}
	// cue/format has corner cases whose output is not the same program
	// ("< -0" becomes "<-0", which does not parse), and corner cases where
	// formatting its own output moves a comment again. Refuse to hand back
	// text that does not parse, so that fmt never replaces a valid file by a
	// broken one, and format again until the text settles, so that
	// `fmt --check` passes on what `fmt` wrote.
	for pass := 0; ; pass++ {
		g, err := parser.ParseFile(name, out, parser.ParseComments)
		if err != nil {
			return nil, fmt.Errorf("formatting %s: %w: %v", name, ErrFormatInvalid, err)
		}
		again, err := format.Node(g)
		if err != nil {
			return nil, fmt.Errorf("formatting %s: %w", name, err)
		}
		if bytes.Equal(again, out) {
			return out, nil
		}
		if pass == maxFormatPasses {
			return nil, fmt.Errorf("formatting %s: %w", name, ErrFormatUnstable)
		}
		out = again
	}
}

// maxFormatPasses bounds the passes Format makes for the text to settle.
const maxFormatPasses = 4

// ErrFormatUnstable reports that CUE's formatter keeps changing its own
// output (a formatter bug on unusual comment placement); Format returns no
// output then.
var ErrFormatUnstable = errors.New("CUE's formatter does not settle on this file; the file is left as it is")

// ErrFormatInvalid reports that CUE's formatter produced text that does not
// parse (a formatter bug on unusual input); Format returns no output then.
var ErrFormatInvalid = errors.New("the formatted text would not parse; the file is left as it is")

// normalizeNumbers rewrites, in place, the number literals of f (see Format).
func normalizeNumbers(f *ast.File) {
	ast.Walk(f, func(n ast.Node) bool {
		field, ok := n.(*ast.Field)
		if !ok {
			return true
		}
		label, _, err := ast.LabelName(field.Label)
		if err != nil || !numberFields[label] {
			return true
		}
		switch v := field.Value.(type) {
		case *ast.BasicLit:
			normalizeLit(v)
		case *ast.ListLit:
			for _, e := range v.Elts {
				if lit, ok := e.(*ast.BasicLit); ok {
					normalizeLit(lit)
				}
			}
		}
		return true
	}, nil)
}

// normalizeLit rewrites a string literal holding a number into E.164. Multi-line
// strings, raw strings with '#' and interpolations are not BasicLits of a
// simple form and are left alone, as is anything Normalize refuses.
func normalizeLit(lit *ast.BasicLit) {
	if lit.Kind != token.STRING || !strings.HasPrefix(lit.Value, `"`) || strings.HasPrefix(lit.Value, `"""`) {
		return
	}
	s, err := literal.Unquote(lit.Value)
	if err != nil {
		return
	}
	norm, err := phone.Normalize(s)
	if err != nil || norm == s {
		return
	}
	// norm is '+', digits and ";ext=" digits: it needs no escaping.
	lit.Value = `"` + norm + `"`
}
