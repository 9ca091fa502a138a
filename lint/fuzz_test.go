package lint

import (
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/schema"
)

// FuzzRun puts arbitrary strings where numbers, names and references go and
// checks that Run never panics, reports only known rules, and is sorted and
// deterministic.
func FuzzRun(f *testing.F) {
	f.Add("+14255550100", "+14255556677", "alice@contoso.com", "+14255550100;ext=12", 1)
	f.Add("", "+1425555432", "", ";ext=", 0)
	f.Add("+1 (425) 555-0100", "+18005550100", "Redmond", "+61291234567", -3)
	f.Add("\x9d;eXt=", "Global", "RA1@CONTOSO.COM", "tel:+1", 65)
	f.Fuzz(func(t *testing.T, a, b, c, e string, rank int) {
		for _, withState := range []bool{false, true} {
			d, g := cleanDesired()
			s := cleanState()
			if !withState {
				s = nil
			}
			d.ResourceAccounts[0].Number = a
			d.ResourceAccounts[1].Location = c
			d.Policies[0].EmergencyNumbers = append(d.Policies[0].EmergencyNumbers, g.loc(b), g.loc(a))
			d.Policies[1].Users = append(d.Policies[1].Users, g.loc(c))
			d.Policies[1].ResourceAccount = c
			d.Policies[1].Groups = []schema.GroupGrant{{GroupID: c, Rank: rank, Pos: g.next()}}
			d.UserNumbers = append(d.UserNumbers, schema.UserNumber{UPN: c, Number: e, Type: "DirectRouting", Pos: g.next()})
			d.TenantDefault = b
			got := Run(d, s)
			for i, f := range got {
				if _, ok := RuleByID(f.Rule); !ok {
					t.Errorf("finding of unknown rule %q", f.Rule)
				}
				if i > 0 && f.Pos.Less(got[i-1].Pos) {
					t.Errorf("findings not sorted: %v before %v", got[i-1], f)
				}
			}
			if diff := cmp.Diff(got, Run(d, s)); diff != "" {
				t.Errorf("second Run differs:\n%s", diff)
			}
		}
	})
}
