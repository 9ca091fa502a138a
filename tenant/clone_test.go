package tenant

import (
	"testing"
	"weak"
)

// TestCloneCopiesIndex: a clone of an indexed snapshot starts with a copy of
// the index, and applying every accepted case to the clone keeps the clone's
// index equal to a rebuild while the original's stays as it was.
func TestCloneCopiesIndex(t *testing.T) {
	for _, tt := range applyCases {
		if tt.wantRule != "" {
			continue
		}
		t.Run(tt.name, func(t *testing.T) {
			s := fixture()
			s.ix() // index the original
			before, _ := s.Encode()
			c := s.Clone()
			indexes.Lock()
			_, copied := indexes.m[weak.Make(c)]
			indexes.Unlock()
			if !copied {
				t.Fatal("clone has no index of its own")
			}
			if err := c.Apply(tt.op); err != nil {
				t.Fatalf("Apply on clone = %v", err)
			}
			checkIndex(t, c)
			checkIndex(t, s)
			if after, _ := s.Encode(); string(after) != string(before) {
				t.Error("applying to the clone changed the original")
			}
		})
	}
}
