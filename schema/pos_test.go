package schema

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestCaseDuplicates: keys that differ only in case are reported once each,
// the one written later against the one written first, whatever order the
// model has them in.
func TestCaseDuplicates(t *testing.T) {
	type key struct {
		name string
		pos  Pos
	}
	at := func(keys []key) func(int) (string, Pos) {
		return func(i int) (string, Pos) { return keys[i].name, keys[i].pos }
	}
	for _, tc := range []struct {
		name string
		keys []key
		want []CaseDuplicate
	}{
		{"distinct", []key{{"A", Pos{"a.cue", 1, 1}}, {"B", Pos{"a.cue", 2, 1}}}, nil},
		{"later in model order is later", []key{{"Redmond", Pos{"a.cue", 1, 1}}, {"redmond", Pos{"a.cue", 9, 1}}},
			[]CaseDuplicate{{Later: 1, First: 0}}},
		{"earlier in model order is later", []key{{"Redmond", Pos{"b.cue", 1, 1}}, {"redmond", Pos{"a.cue", 9, 1}}},
			[]CaseDuplicate{{Later: 0, First: 1}}},
		{"three spellings, against the first written", []key{{"RA", Pos{"a.cue", 5, 1}}, {"Ra", Pos{"a.cue", 1, 1}}, {"ra", Pos{"a.cue", 3, 1}}},
			[]CaseDuplicate{{Later: 0, First: 1}, {Later: 2, First: 1}}},
		{"no positions: model order", []key{{"X", Pos{}}, {"x", Pos{}}}, []CaseDuplicate{{Later: 1, First: 0}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := CaseDuplicates(len(tc.keys), at(tc.keys))
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got):\n%s", d)
			}
		})
	}
}
