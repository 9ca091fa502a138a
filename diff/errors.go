package diff

import (
	"fmt"
	"sort"
	"strings"

	"github.com/callops/callops/schema"
)

// Problem is one reference of the desired state that cannot be resolved
// against the current state, or one conflict that no plan can carry out.
type Problem struct {
	// Path is the CUE path of the offending value, e.g.
	// resourceAccounts."ra1@contoso.com".number.
	Path    string
	Pos     schema.Pos
	Message string
}

func (p Problem) String() string {
	if p.Pos.IsValid() {
		return p.Pos.String() + ": " + p.Path + ": " + p.Message
	}
	return p.Path + ": " + p.Message
}

// ResolveError is returned by Compute when the desired state names objects
// the tenant does not have (callops never creates resource accounts, users,
// groups, locations or numbers) or asks for something no plan can do. It
// lists every problem found, sorted by position and path.
type ResolveError struct {
	Problems []Problem
}

func (e *ResolveError) Error() string {
	var b strings.Builder
	if len(e.Problems) == 1 {
		b.WriteString("desired state does not fit the tenant: ")
	} else {
		fmt.Fprintf(&b, "desired state does not fit the tenant (%d problems): ", len(e.Problems))
	}
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

func sortProblems(ps []Problem) {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i], ps[j]
		if a.Pos != b.Pos {
			return a.Pos.Less(b.Pos)
		}
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		return a.Message < b.Message
	})
}
