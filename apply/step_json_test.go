package apply

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/callops/callops/tenant"
)

// testGrant is the Grant of a step that grants policy s.
func testGrant(s string) *string { return &s }

// stepCases has one step of every action (and each optional shape) with the
// exact JSON the contract (DESIGN.md section 4) says it is written as.
var stepCases = []struct {
	name string
	step Step
	json string
}{
	{"number.unassign", Step{1, tenant.Op{Action: tenant.NumberUnassign, Number: "+14255550100", Holder: "ra1@contoso.com"}, "moves"},
		`{"index":1,"action":"number.unassign","number":"+14255550100","holder":"ra1@contoso.com","reason":"moves"}`},
	{"number.assign", Step{2, tenant.Op{Action: tenant.NumberAssign, Number: "+14255550100", Holder: "ra2@contoso.com", NumberType: "CallingPlan", Location: "loc-1"}, "r"},
		`{"index":2,"action":"number.assign","number":"+14255550100","holder":"ra2@contoso.com","numberType":"CallingPlan","location":"loc-1","reason":"r"}`},
	{"number.assign without location", Step{2, tenant.Op{Action: tenant.NumberAssign, Number: "+14255550100", Holder: "bob@contoso.com", NumberType: "DirectRouting"}, ""},
		`{"index":2,"action":"number.assign","number":"+14255550100","holder":"bob@contoso.com","numberType":"DirectRouting","reason":""}`},
	{"number.set-location", Step{3, tenant.Op{Action: tenant.NumberSetLocation, Number: "+14255550100", Location: "loc-2"}, "r"},
		`{"index":3,"action":"number.set-location","number":"+14255550100","location":"loc-2","reason":"r"}`},
	{"policy.create", Step{4, tenant.Op{Action: tenant.PolicyCreate, Policy: "Seattle", ResourceAccount: "ra1@contoso.com", Description: "Shared \"line\"", Numbers: []string{"+14255556677", "+14255556678"}}, "r"},
		`{"index":4,"action":"policy.create","policy":"Seattle","resourceAccount":"ra1@contoso.com","description":"Shared \"line\"","numbers":["+14255556677","+14255556678"],"reason":"r"}`},
	{"policy.create without numbers", Step{4, tenant.Op{Action: tenant.PolicyCreate, Policy: "Seattle", ResourceAccount: "ra1@contoso.com", Numbers: []string{}}, "r"},
		`{"index":4,"action":"policy.create","policy":"Seattle","resourceAccount":"ra1@contoso.com","description":"","numbers":[],"reason":"r"}`},
	{"policy.update both", Step{5, tenant.Op{Action: tenant.PolicyUpdate, Policy: "Seattle", ResourceAccount: "ra2@contoso.com", Description: "d", UpdateResourceAccount: true, UpdateDescription: true}, "r"},
		`{"index":5,"action":"policy.update","policy":"Seattle","resourceAccount":"ra2@contoso.com","description":"d","reason":"r"}`},
	{"policy.update resource account", Step{5, tenant.Op{Action: tenant.PolicyUpdate, Policy: "Seattle", ResourceAccount: "ra2@contoso.com", UpdateResourceAccount: true}, "r"},
		`{"index":5,"action":"policy.update","policy":"Seattle","resourceAccount":"ra2@contoso.com","reason":"r"}`},
	{"policy.update description to empty", Step{5, tenant.Op{Action: tenant.PolicyUpdate, Policy: "Seattle", UpdateDescription: true}, "r"},
		`{"index":5,"action":"policy.update","policy":"Seattle","description":"","reason":"r"}`},
	{"policy.remove-emergency-numbers", Step{6, tenant.Op{Action: tenant.PolicyRemoveEmergency, Policy: "Redmond", Numbers: []string{"+14255556677"}}, "r"},
		`{"index":6,"action":"policy.remove-emergency-numbers","policy":"Redmond","numbers":["+14255556677"],"reason":"r"}`},
	{"policy.add-emergency-numbers", Step{7, tenant.Op{Action: tenant.PolicyAddEmergency, Policy: "Redmond", Numbers: []string{"+14255556677"}}, "r"},
		`{"index":7,"action":"policy.add-emergency-numbers","policy":"Redmond","numbers":["+14255556677"],"reason":"r"}`},
	{"policy.delete", Step{8, tenant.Op{Action: tenant.PolicyDelete, Policy: "Old"}, "r"},
		`{"index":8,"action":"policy.delete","policy":"Old","reason":"r"}`},
	{"grant.user", Step{9, tenant.Op{Action: tenant.GrantUser, User: "alice@contoso.com", Grant: testGrant("Redmond")}, "r"},
		`{"index":9,"action":"grant.user","user":"alice@contoso.com","policy":"Redmond","reason":"r"}`},
	{"grant.user revoke", Step{9, tenant.Op{Action: tenant.GrantUser, User: "alice@contoso.com"}, "r"},
		`{"index":9,"action":"grant.user","user":"alice@contoso.com","policy":null,"reason":"r"}`},
	{"grant.group", Step{10, tenant.Op{Action: tenant.GrantGroup, Group: "0c6f", Grant: testGrant("Redmond"), Rank: 2}, "r"},
		`{"index":10,"action":"grant.group","group":"0c6f","policy":"Redmond","rank":2,"reason":"r"}`},
	{"grant.group remove", Step{10, tenant.Op{Action: tenant.GrantGroup, Group: "0c6f"}, "r"},
		`{"index":10,"action":"grant.group","group":"0c6f","policy":null,"rank":0,"reason":"r"}`},
	{"grant.global", Step{11, tenant.Op{Action: tenant.GrantGlobal, Grant: testGrant("Redmond")}, "r"},
		`{"index":11,"action":"grant.global","policy":"Redmond","reason":"r"}`},
	{"grant.global clear", Step{11, tenant.Op{Action: tenant.GrantGlobal}, "r"},
		`{"index":11,"action":"grant.global","policy":null,"reason":"r"}`},
}

func TestStepJSONRoundTrip(t *testing.T) {
	covered := map[tenant.Action]bool{}
	for _, tc := range stepCases {
		t.Run(tc.name, func(t *testing.T) {
			covered[tc.step.Op.Action] = true
			got, err := json.Marshal(tc.step)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.json, string(got)); diff != "" {
				t.Errorf("marshal (-want +got):\n%s", diff)
			}
			var back Step
			if err := json.Unmarshal(got, &back); err != nil {
				t.Fatalf("unmarshal %s: %v", got, err)
			}
			if diff := cmp.Diff(tc.step, back); diff != "" {
				t.Errorf("round trip (-want +got):\n%s", diff)
			}
		})
	}
	for _, a := range tenant.Actions {
		if !covered[a] {
			t.Errorf("no round-trip case for action %s", a)
		}
	}
}

func TestStepJSONErrors(t *testing.T) {
	tests := []struct {
		name, json, want string
	}{
		{"unknown action", `{"index":1,"action":"policy.rename","policy":"a","reason":""}`, `step 1: unknown action "policy.rename"`},
		{"no action", `{"index":1}`, `step 1: missing field "action"`},
		{"no index", `{"action":"policy.delete","policy":"a"}`, `step: missing field "index"`},
		{"index zero", `{"index":0,"action":"policy.delete","policy":"a"}`, `step: "index" must be a positive integer, got 0`},
		{"missing field", `{"index":2,"action":"number.assign","number":"+1","holder":"x"}`, `step 2: number.assign: missing field "numberType"`},
		{"foreign field", `{"index":3,"action":"policy.delete","policy":"a","numbers":[]}`, `step 3: field "numbers" is not a field of policy.delete (want policy)`},
		{"grant without policy", `{"index":1,"action":"grant.user","user":"a"}`, `step 1: grant.user: missing field "policy" (null revokes)`},
		{"null string", `{"index":1,"action":"policy.delete","policy":null}`, `step 1: policy.delete: "policy" must be a string, got null`},
		{"wrong type", `{"index":1,"action":"policy.add-emergency-numbers","policy":"a","numbers":"+1"}`, `step 1: policy.add-emergency-numbers: "numbers" must be a list of strings, got "+1"`},
		{"update without change", `{"index":1,"action":"policy.update","policy":"a"}`, `step 1: policy.update: needs "resourceAccount" or "description" (what changes)`},
		{"group without rank", `{"index":1,"action":"grant.group","group":"g","policy":"a"}`, `step 1: grant.group: missing field "rank"`},
		{"negative rank", `{"index":1,"action":"grant.group","group":"g","policy":"a","rank":-1}`, `step 1: grant.group: "rank" must be a non-negative integer, got -1`},
		{"not an object", `[1]`, `step: is a JSON array, not an object`},
		{"a string", `"policy.delete"`, `step: is a JSON string, not an object`},
		{"null", `null`, `step: is null`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s Step
			err := s.UnmarshalJSON([]byte(tc.json))
			if err == nil {
				t.Fatalf("no error for %s", tc.json)
			}
			var se *StepError
			if !errors.As(err, &se) {
				t.Errorf("error %T is not a *StepError", err)
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestStepMarshalErrors(t *testing.T) {
	for _, tc := range []struct {
		step Step
		want string
	}{
		{Step{Index: 1, Op: tenant.Op{Action: "x.y"}}, `unknown action "x.y"`},
		{Step{Index: 2, Op: tenant.Op{Action: tenant.PolicyUpdate, Policy: "P"}}, "step 2: policy.update of P changes nothing"},
	} {
		_, err := json.Marshal(tc.step)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("got %v, want an error containing %q", err, tc.want)
		}
	}
}
