package tenant

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// cmdletOps are plan10 and one operation of every other action, with a
// quote in a description, on fixture().
func cmdletOps() []Op {
	seattle, redmond := "Seattle", "Redmond"
	return append(plan10(),
		Op{Action: PolicyUpdate, Policy: "Redmond", Description: "O'Brien's line", UpdateDescription: true, ResourceAccount: "ra2@contoso.com", UpdateResourceAccount: true},
		Op{Action: PolicyAddEmergency, Policy: "Redmond", Numbers: []string{"+14255556679"}},
		Op{Action: NumberSetLocation, Number: "+14255550100", Location: locUS},
		Op{Action: GrantUser, User: "alice@contoso.com", Grant: &redmond},
		Op{Action: GrantGroup, Group: "g1", Grant: &seattle, Rank: 1},
		Op{Action: GrantGroup, Group: "g1"},
		Op{Action: GrantGlobal, Grant: &seattle},
		Op{Action: GrantGlobal},
	)
}

// TestCmdletInScript checks that Cmdlet renders exactly the command the
// PowerShell backend's script runs for each step: the line appears,
// indented in its guard, in the script of the same operations.
func TestCmdletInScript(t *testing.T) {
	ops := cmdletOps()
	var script bytes.Buffer
	if err := WritePowerShell(&script, fixture(), ops, PowerShellOptions{Tool: "test"}); err != nil {
		t.Fatal(err)
	}
	s := fixture()
	before, _ := s.Encode()
	sim := s.Clone()
	for i, op := range ops {
		line, err := Cmdlet(sim, op)
		if err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
		if !strings.Contains(script.String(), "\n    "+line+"\n") {
			t.Errorf("step %d: %q is not a command of the script", i+1, line)
		}
		if err := sim.Apply(op); err != nil {
			t.Fatalf("step %d: %v", i+1, err)
		}
	}
	if after, _ := s.Encode(); !bytes.Equal(before, after) {
		t.Error("Cmdlet changed the snapshot")
	}
}

func TestCmdlet(t *testing.T) {
	tests := []struct {
		name string
		op   Op
		want string
	}{
		{"unassign takes the type from the inventory",
			Op{Action: NumberUnassign, Number: "+14255550100", Holder: "ra1@contoso.com"},
			"Remove-CsPhoneNumberAssignment -Identity 'ra1@contoso.com' -PhoneNumber '+14255550100' -PhoneNumberType 'CallingPlan'"},
		{"create passes the account's object id",
			Op{Action: PolicyCreate, Policy: "Tag:It's", ResourceAccount: "ra2@contoso.com", Description: "‘x’", Numbers: []string{"+14255556678"}},
			"New-CsTeamsSharedCallingRoutingPolicy -Identity 'It''s' -ResourceAccount 'ra2-id' -Description '‘‘x’’' -EmergencyNumbers @{add='+14255556678'}"},
		{"revoke",
			Op{Action: GrantUser, User: "carol@contoso.com"},
			"Grant-CsTeamsSharedCallingRoutingPolicy -Identity 'carol@contoso.com' -PolicyName $null"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Cmdlet(fixture(), tc.op)
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("Cmdlet (-want +got):\n%s", d)
			}
		})
	}
}

func TestCmdletRefuses(t *testing.T) {
	for _, op := range []Op{
		{Action: "number.steal", Number: "+14255550100"},
		{Action: NumberAssign, Number: "+14255556678", Holder: "nobody@contoso.com", NumberType: "CallingPlan"},
		{Action: PolicyCreate, Policy: "X", ResourceAccount: "alice@contoso.com"},
		{Action: PolicyUpdate, Policy: "Redmond"},
		{Action: PolicyDelete, Policy: "a\x00b"},
	} {
		if got, err := Cmdlet(fixture(), op); err == nil {
			t.Errorf("Cmdlet(%+v) = %q, want an error", op, got)
		}
	}
}
