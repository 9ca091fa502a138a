package tenant

import (
	"testing"
)

// FuzzApply applies arbitrary operations to the fixture: Apply must never
// panic, must refuse with a *RefusedError or succeed, and must keep its
// index consistent.
func FuzzApply(f *testing.F) {
	for _, tc := range applyCases {
		grant := ""
		if tc.op.Grant != nil {
			grant = *tc.op.Grant
		}
		num := ""
		if len(tc.op.Numbers) > 0 {
			num = tc.op.Numbers[0]
		}
		f.Add(string(tc.op.Action), tc.op.Number, tc.op.Holder, tc.op.NumberType, tc.op.Location,
			tc.op.Policy, tc.op.ResourceAccount, num, tc.op.User, tc.op.Group, grant, tc.op.Grant != nil, tc.op.Rank)
	}
	f.Fuzz(func(t *testing.T, action, number, holder, numberType, location, policy, ra, emergency, user, group, grant string, hasGrant bool, rank int) {
		op := Op{Action: Action(action), Number: number, Holder: holder, NumberType: numberType, Location: location,
			Policy: policy, ResourceAccount: ra, UpdateResourceAccount: ra != "", User: user, Group: group, Rank: rank}
		if emergency != "" {
			op.Numbers = []string{emergency, number}
		}
		if hasGrant {
			op.Grant = &grant
		}
		s := fixture()
		before, _ := s.Encode()
		err := s.Apply(op)
		if err != nil {
			if _, ok := err.(*RefusedError); !ok {
				t.Fatalf("Apply = %T %v, want *RefusedError", err, err)
			}
			if after, _ := s.Encode(); string(after) != string(before) {
				t.Fatalf("refused %+v changed the snapshot", op)
			}
		}
		checkIndex(t, s)
		s.CheckInvariants()
	})
}
