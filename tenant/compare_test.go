package tenant

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestContentDiff(t *testing.T) {
	a := fixture()
	b := fixture()
	b.Serial, b.Lineage = 9, "other"
	b.Users[0], b.Users[2] = b.Users[2], b.Users[0] // order does not matter
	b.Policies[1].EmergencyNumbers = nil            // nil == empty
	if d := a.ContentDiff(b); d != nil || !a.SameContent(b) {
		t.Errorf("equal content differs: %v", d)
	}
	if err := b.Apply(Op{Action: GrantUser, User: "bob@contoso.com", Grant: ptr("Seattle")}); err != nil {
		t.Fatal(err)
	}
	if err := b.Apply(Op{Action: PolicyDelete, Policy: "Empty"}); err != nil {
		t.Fatal(err)
	}
	b.GroupAssignments = append(b.GroupAssignments, GroupAssignment{GroupID: "g2", PolicyName: "Seattle", Rank: 2})
	want := []string{
		`+ group assignment g2: {"groupId":"g2","policyName":"Seattle","rank":2}`,
		`- policy empty: {"identity":"Empty","description":"","resourceAccount":"ra2-id","emergencyNumbers":[]}`,
		`user bob@contoso.com: {"objectId":"bob-id","userPrincipalName":"bob@contoso.com","enterpriseVoiceEnabled":false,"sharedCallingPolicy":""} -> {"objectId":"bob-id","userPrincipalName":"bob@contoso.com","enterpriseVoiceEnabled":false,"sharedCallingPolicy":"Seattle"}`,
	}
	if diff := cmp.Diff(want, a.ContentDiff(b)); diff != "" {
		t.Errorf("ContentDiff (-want +got):\n%s", diff)
	}
}
