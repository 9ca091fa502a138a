package tenant

import (
	"bytes"
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// decodeWithJSON is Parse's encoding/json path, before validation.
func decodeWithJSON(data []byte) (*Snapshot, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Snapshot
	if dec.Decode(&s) != nil {
		return nil, false
	}
	if _, err := dec.Token(); err == nil || err.Error() != "EOF" {
		return nil, false
	}
	return &s, true
}

// stateJSONCases are documents decodeState must decode as encoding/json
// does (fast: it decodes them itself) or leave to encoding/json.
var stateJSONCases = []struct {
	name string
	doc  string
	fast bool
}{
	{"minimal", minimalState, true},
	{"empty object", `{}`, true},
	{"empty lists", `{"format":"callops-state/v1","policies":[],"numbers":[{"capability":[]}]}`, true},
	{"escapes", `{"format":"callops-state/v1","tenant":{"domain":"a\u0062c\"\\\/\n"}}`, true},
	{"surrogate pair", `{"lineage":"\ud83d\ude00 \ud800"}`, true},
	{"utf-8", `{"lineage":"Zürich 東京"}`, true},
	{"invalid utf-8", "{\"lineage\":\"a\xffb\"}", true},
	{"white space", " \t\r\n{ \"serial\" : -12 , \"users\" : [ { \"enterpriseVoiceEnabled\" : false } ] } \n", true},
	{"all user fields", `{"users":[{"objectId":"o","userPrincipalName":"u@x","enterpriseVoiceEnabled":true,"sharedCallingPolicy":"P"}]}`, true},
	{"group rank", `{"groupAssignments":[{"groupId":"g","policyName":"P","rank":3}]}`, true},
	{"null", `{"policies":null}`, false},
	{"null string", `{"lineage":null}`, false},
	{"key in another case", `{"Format":"callops-state/v1"}`, false},
	{"duplicate key", `{"serial":1,"serial":2}`, false},
	{"unknown key", `{"nope":1}`, false},
	{"float serial", `{"serial":1.5}`, false},
	{"exponent serial", `{"serial":1e3}`, false},
	{"leading zero", `{"serial":01}`, false},
	{"huge serial", `{"serial":99999999999999999999}`, false},
	{"string serial", `{"serial":"1"}`, false},
	{"bool as string", `{"users":[{"enterpriseVoiceEnabled":"true"}]}`, false},
	{"trailing data", `{} {}`, false},
	{"trailing comma", `{"serial":1,}`, false},
	{"unterminated", `{"lineage":"abc`, false},
	{"control character", "{\"lineage\":\"a\tb\"}", false},
	{"bad escape", `{"lineage":"\x41"}`, false},
	{"array at top", `[]`, false},
	{"empty", ``, false},
	{"truex", `{"users":[{"enterpriseVoiceEnabled":truex}]}`, false},
	{"escaped key", `{"\u0066ormat":"callops-state/v1","tenant":{"domai\u006e":"x"}}`, true},
	{"escaped key in another case", `{"\u0046ormat":"callops-state/v1"}`, false},
	{"nul escape", `{"lineage":"a\u0000b"}`, true},
	{"lone low surrogate", `{"lineage":"\udc00x"}`, true},
	{"minus zero", `{"serial":-0}`, true},
	{"minus zero rank", `{"groupAssignments":[{"rank":-0}]}`, true},
	{"capital exponent", `{"serial":1E2}`, false},
	{"minus alone", `{"serial":-}`, false},
	{"plus sign", `{"serial":+1}`, false},
	{"min int64", `{"serial":-9223372036854775808}`, true},
	{"below min int64", `{"serial":-9223372036854775809}`, false},
	{"form feed", "{\f\"serial\":1}", false},
	{"vertical tab", "{\"serial\":1\v}", false},
	{"nbsp", "{\"serial\":1\u00a0}", false},
	{"bom inside", "\xef\xbb\xbf{}", false},
	{"nested duplicate", `{"users":[{"objectId":"a","objectId":"b"}]}`, false},
	{"nested duplicate list", `{"numbers":[{"capability":["a"],"capability":[]}]}`, false},
	{"duplicate top list", `{"users":[{"objectId":"a"}],"users":[]}`, false},
	{"empty element", `{"users":[{}],"policies":[{"emergencyNumbers":[]}]}`, true},
	{"escaped quote at end", `{"lineage":"a\"","format":"\\"}`, true},
	{"truncated escape", `{"lineage":"\u00"}`, false},
	{"escape at end", `{"lineage":"\`, false},
	{"trailing garbage", `{}x`, false},
	{"trailing nul", "{}\x00", false},
	{"del in string", "{\"lineage\":\"a\x7fb\"}", true},
	{"line separator", "{\"lineage\":\"a\u2028b\"}", true},
	{"overlong utf-8", "{\"lineage\":\"\xc0\xaf\"}", true},
	{"surrogate in utf-8", "{\"lineage\":\"\xed\xa0\x80\"}", true},
	{"kelvin sign key", "{\"groupAssignments\":[{\"ran\u212a\":1}]}", false},
	{"long s key", "{\"\u017ferial\":1}", false},
	{"tenant not object", `{"tenant":[]}`, false},
	{"array of arrays", `{"users":[[]]}`, false},
	{"comma first", `{"users":[,{}]}`, false},
	{"missing colon", `{"serial" 1}`, false},
	{"true prefix", `{"users":[{"enterpriseVoiceEnabled":tru}]}`, false},
	{"rank float", `{"groupAssignments":[{"rank":1.0}]}`, false},
	{"rank huge", `{"groupAssignments":[{"rank":18446744073709551616}]}`, false},
}

// TestDecodeStateAgrees: the fast reader gives exactly encoding/json's
// Snapshot for what it accepts, accepts what callops writes (the example
// state, an encoded state), and gives up on the rest.
func TestDecodeStateAgrees(t *testing.T) {
	cases := stateJSONCases
	if b, err := os.ReadFile("../examples/contoso/callops.state.json"); err == nil {
		cases = append(cases, struct {
			name string
			doc  string
			fast bool
		}{"examples/contoso", string(b), true})
	} else {
		t.Fatal(err)
	}
	s, err := Parse([]byte(minimalState))
	if err != nil {
		t.Fatal(err)
	}
	enc, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	cases = append(cases, struct {
		name string
		doc  string
		fast bool
	}{"encoded", string(enc), true})
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := decodeState([]byte(tt.doc))
			if ok != tt.fast {
				t.Fatalf("fast reader accepted = %v, want %v", ok, tt.fast)
			}
			want, wok := decodeWithJSON([]byte(tt.doc))
			if ok && !wok {
				t.Fatal("fast reader accepted a document encoding/json refuses")
			}
			if ok {
				// cmp tells nil and empty slices apart, as encoding/json does.
				if diff := cmp.Diff(want, got); diff != "" {
					t.Errorf("snapshot differs (-encoding/json +fast):\n%s", diff)
				}
			}
		})
	}
}

// FuzzDecodeState: whatever the input, the fast reader accepts only what
// encoding/json accepts, and decodes it to the same Snapshot (nil and empty
// slices told apart).
func FuzzDecodeState(f *testing.F) {
	for _, tt := range stateJSONCases {
		f.Add([]byte(tt.doc))
	}
	if b, err := os.ReadFile("../examples/contoso/callops.state.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := decodeState(data)
		if !ok {
			return
		}
		want, wok := decodeWithJSON(data)
		if !wok {
			t.Fatalf("fast reader accepted what encoding/json refuses: %q", truncate(data))
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Fatalf("snapshot differs (-encoding/json +fast):\n%s", diff)
		}
	})
}

func truncate(b []byte) string {
	s := string(b)
	if len(s) > 200 {
		s = s[:200] + "..."
	}
	return strings.ToValidUTF8(s, "?")
}

// TestWriteCompactIsMarshal: the digest's streaming encoder writes exactly
// json.Marshal's bytes (the digest's definition; plan files record it), for
// canonical and raw snapshots, nil slices, and text JSON escapes.
func TestWriteCompactIsMarshal(t *testing.T) {
	s, err := Parse([]byte(minimalState))
	if err != nil {
		t.Fatal(err)
	}
	odd := s.cloneData()
	odd.Tenant.Domain = `<a&b> "q" \ é` + "\u2028"
	odd.Users = append(odd.Users, User{UserPrincipalName: "z<>@x", SharedCallingPolicy: "P&Q"})
	odd.GroupAssignments = nil
	odd.Tenant.GlobalPolicy = "bad \xff utf-8 \x00 \u007f"
	odd.Numbers = append(odd.Numbers, Number{TelephoneNumber: "+1<2>", Capability: nil})
	odd.Policies = append(odd.Policies, Policy{Identity: "P\u2029", EmergencyNumbers: nil})
	for name, snap := range map[string]*Snapshot{"minimal": s, "odd": odd, "empty": {}} {
		want, err := json.Marshal(snap)
		if err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := writeCompact(&got, snap); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(string(want), got.String()); diff != "" {
			t.Errorf("%s: writeCompact differs from json.Marshal (-want +got):\n%s", name, diff)
		}
	}
}
