package tenant

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/google/go-cmp/cmp"
)

const minimalState = `{"format":"callops-state/v1","lineage":"6f1c0000-0000-4000-8000-000000000001","serial":3,
 "tenant":{"domain":"contoso.onmicrosoft.com","globalPolicy":""},
 "policies":[{"identity":"Redmond","description":"","resourceAccount":"11111111-1111-1111-1111-111111111111","emergencyNumbers":["+14255556677"]}],
 "resourceAccounts":[{"objectId":"11111111-1111-1111-1111-111111111111","userPrincipalName":"ra1@contoso.com","displayName":"Redmond line"}],
 "numbers":[{"telephoneNumber":"+14255550100","numberType":"CallingPlan","isoCountryCode":"US","locationId":"407c17ae-8c41-431e-894a-38787c682f68",
             "assignedPstnTargetId":"11111111-1111-1111-1111-111111111111","pstnAssignmentStatus":"VoiceApplicationAssigned",
             "capability":["VoiceApplicationAssignment"],"numberSource":"Online"},
            {"telephoneNumber":"+14255556677","numberType":"CallingPlan","isoCountryCode":"US","locationId":"",
             "assignedPstnTargetId":"TeamsSharedCallingRoutingPolicy|Tag:Redmond","pstnAssignmentStatus":"PolicyAssigned",
             "capability":[],"numberSource":"Online"}],
 "locations":[{"locationId":"407c17ae-8c41-431e-894a-38787c682f68","countryOrRegion":"US","description":"Redmond HQ"}],
 "users":[{"objectId":"22222222-2222-2222-2222-222222222222","userPrincipalName":"alice@contoso.com","enterpriseVoiceEnabled":true,"sharedCallingPolicy":"Redmond"}],
 "groupAssignments":[{"groupId":"0c6f1b7e-1111-2222-3333-444455556666","policyName":"Redmond","rank":1}]}
`

func TestParseState(t *testing.T) {
	s, err := Parse([]byte("\xef\xbb\xbf" + minimalState))
	if err != nil {
		t.Fatal(err)
	}
	if s.Serial != 3 || s.Tenant.Domain != "contoso.onmicrosoft.com" || len(s.Numbers) != 2 || s.Users[0].SharedCallingPolicy != "Redmond" {
		t.Errorf("unexpected snapshot %+v", s)
	}
	// Encode then Parse is the identity, and the digest ignores lineage
	// and serial but not content.
	b, err := s.Encode()
	if err != nil {
		t.Fatal(err)
	}
	s2, err := Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(s, s2, cmp.AllowUnexported(Snapshot{}), cmp.Comparer(func(a, b *index) bool { return true })); diff != "" {
		t.Errorf("round trip (-want +got):\n%s", diff)
	}
	d := s.Digest()
	s2.Serial, s2.Lineage = 99, "other"
	if s2.Digest() != d {
		t.Error("digest depends on serial or lineage")
	}
	s2.Users[0].SharedCallingPolicy = ""
	if s2.Digest() == d {
		t.Error("digest did not change with content")
	}
}

func TestParseStateErrors(t *testing.T) {
	tests := []struct {
		name, in, want string
		line           int
	}{
		{"not json", "hello", "invalid character", 1},
		{"truncated", minimalState[:200], "truncated", 0},
		{"syntax error line", "{\n\"format\": \"callops-state/v1\",\n\"serial\": ,\n}", "invalid character", 3},
		{"no format", `{"serial": 1}`, "not a callops state file", 0},
		{"other format", `{"format": "callops-plan/v1"}`, "not a callops state file", 0},
		{"future version", `{"format": "callops-state/v2"}`, "unsupported state format", 0},
		{"unknown field", strings.Replace(minimalState, `"serial":3`, `"serial":3,"extra":1`, 1), `unknown field "extra"`, 1},
		{"unknown field in a user", strings.Replace(minimalState, `"enterpriseVoiceEnabled":true`, `"enterpriseVoiceEnabled":true,`+"\n"+`"lineUri":"tel:+1"`, 1), `unknown field "lineUri"`, 13},
		{"wrong type", strings.Replace(minimalState, `"serial":3`, `"serial":"3"`, 1), `field "serial": a JSON string where an integer belongs`, 1},
		{"fractional serial", strings.Replace(minimalState, `"serial":3`, `"serial":1.5`, 1), `field "serial": a JSON number 1.5 where an integer belongs`, 1},
		{"huge serial", strings.Replace(minimalState, `"serial":3`, `"serial":99999999999999999999999`, 1), `field "serial": a JSON number 99999999999999999999999 where an integer belongs`, 1},
		{"repeated key", strings.Replace(minimalState, `"serial":3`, `"serial":3,`+"\n"+`"serial":4`, 1), `line 2: key "serial" appears twice in one object`, 2},
		{"repeated key, other case", strings.Replace(minimalState, `"serial":3`, `"serial":3,"Serial":4`, 1), `key "Serial" appears twice in one object`, 1},
		{"repeated key in a user", strings.Replace(minimalState, `"enterpriseVoiceEnabled":true`, `"enterpriseVoiceEnabled":true,"enterpriseVoiceEnabled":false`, 1), `key "enterpriseVoiceEnabled" appears twice in one object`, 0},
		{"no lineage", strings.Replace(minimalState, `"lineage":"6f1c0000-0000-4000-8000-000000000001",`, ``, 1), "the state has no lineage (callops import gives a state one)", 0},
		{"negative serial", strings.Replace(minimalState, `"serial":3`, `"serial":-1`, 1), "negative", 0},
		{"duplicate number", strings.Replace(minimalState, `"+14255556677","numberType"`, `"+14255550100","numberType"`, 1), "duplicate number", 0},
		{"duplicate upn", strings.Replace(minimalState, `"alice@contoso.com"`, `"RA1@contoso.com"`, 1), "duplicate user principal name", 0},
		{"trailing data", minimalState + "{}", "trailing data", 0},
		{"number held by a policy not in the state", strings.Replace(minimalState, `Tag:Redmond"`, `Tag:Gone"`, 1),
			`number +14255556677 is held by policy Gone (assignedPstnTargetId "TeamsSharedCallingRoutingPolicy|Tag:Gone"), which is not in the state's policies`, 0},
		{"number held by a policy that does not list it", strings.Replace(minimalState, `"emergencyNumbers":["+14255556677"]`, `"emergencyNumbers":[]`, 1),
			`number +14255556677 is held by policy Redmond (assignedPstnTargetId "TeamsSharedCallingRoutingPolicy|Tag:Redmond"), whose emergencyNumbers do not list it`, 0},
		{"array", `[]`, "the state is a JSON array, not an object", 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want *ParseError", err, err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err %q does not contain %q", err, tt.want)
			}
			if tt.line > 0 && pe.Line != tt.line {
				t.Errorf("line = %d, want %d (%v)", pe.Line, tt.line, err)
			}
		})
	}
}

func TestEncodeCanonical(t *testing.T) {
	s, err := Parse([]byte(minimalState))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := s.Encode()
	s.Numbers[0], s.Numbers[1] = s.Numbers[1], s.Numbers[0]
	b, _ := s.Encode()
	if string(a) != string(b) {
		t.Error("encoding depends on slice order")
	}
	if !strings.HasSuffix(string(a), "}\n") {
		t.Error("no final newline")
	}
}

// FuzzParse: any input gives a snapshot or a *ParseError with a message,
// never a panic; a parsed snapshot encodes and parses back to the same
// digest.
func FuzzParse(f *testing.F) {
	f.Add([]byte(minimalState))
	f.Add([]byte(`{"format":"callops-state/v1"}`))
	f.Add([]byte(`{"format":"callops-state/v1","policies":null,"numbers":[{}]}`))
	if b, err := os.ReadFile("../examples/contoso/callops.state.json"); err == nil {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := Parse(data)
		if err != nil {
			var pe *ParseError
			if !errors.As(err, &pe) || err.Error() == "" {
				t.Fatalf("error %v (%T) is not a *ParseError with a message", err, err)
			}
			return
		}
		b, err := s.Encode()
		if err != nil {
			t.Fatalf("encode: %v", err)
		}
		s2, err := Parse(b)
		if err != nil {
			t.Fatalf("re-parse of encoded state: %v\n%s", err, b)
		}
		if s.Digest() != s2.Digest() {
			t.Fatal("digest changed through encode/parse")
		}
	})
}

// TestDigestCanonicalFastPath: the digest of a canonical state (hashed in
// place) equals the digest of the same state out of order or with nil
// slices (copied and canonicalized first), and equals the SHA-256 of
// json.Marshal of the canonical form, which defines it.
func TestDigestCanonicalFastPath(t *testing.T) {
	s, err := Parse([]byte(minimalState))
	if err != nil {
		t.Fatal(err)
	}
	s.Canonicalize()
	if s.canonicalView() == nil {
		t.Fatal("a canonicalized state is not seen as canonical")
	}
	c := s.cloneData()
	c.Canonicalize()
	c.Format, c.Lineage, c.Serial = "", "", 0
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	want := "sha256:" + hex.EncodeToString(sum[:])
	if got := s.Digest(); got != want {
		t.Errorf("fast path digest %s, want %s", got, want)
	}
	u := s.cloneData()
	u.Numbers[0], u.Numbers[1] = u.Numbers[1], u.Numbers[0]
	u.GroupAssignments = nil
	u.Policies[0].EmergencyNumbers = append([]string(nil), u.Policies[0].EmergencyNumbers...)
	if u.canonicalView() != nil {
		t.Fatal("an unsorted state is seen as canonical")
	}
	u.GroupAssignments = s.GroupAssignments
	if got := u.Digest(); got != want {
		t.Errorf("slow path digest %s, want %s", got, want)
	}
}

// TestWriteFileAtomicOntoDirectory: replacing a directory is refused with a
// message, and nothing is left behind.
func TestWriteFileAtomicOntoDirectory(t *testing.T) {
	dir := t.TempDir()
	target := dir + "/out"
	if err := os.Mkdir(target, 0o755); err != nil {
		t.Fatal(err)
	}
	err := WriteFileAtomic(target, []byte("x"), 0o644)
	if err == nil || !strings.Contains(err.Error(), "is a directory") {
		t.Fatalf("err = %v", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
	if err := WriteFileAtomic(dir+"/file", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(dir + "/file"); string(b) != "x" {
		t.Errorf("content %q", b)
	}
}

// TestValidateDuplicates: every kind of key a state must not repeat is
// found, case-insensitively where the service compares so, across resource
// accounts and users (one directory), with the message naming the key.
func TestValidateDuplicates(t *testing.T) {
	base := func() *Snapshot {
		return &Snapshot{
			Format:           Format,
			Lineage:          "lin",
			Policies:         []Policy{{Identity: "Redmond"}, {Identity: "Seattle"}},
			ResourceAccounts: []ResourceAccount{{ObjectID: "ra-1", UserPrincipalName: "ra1@contoso.com"}, {ObjectID: "ra-2", UserPrincipalName: "ra2@contoso.com"}},
			Numbers:          []Number{{TelephoneNumber: "+14255550100"}, {TelephoneNumber: "+14255550101"}},
			Locations:        []Location{{LocationID: "loc-a"}, {LocationID: "loc-b"}},
			Users:            []User{{ObjectID: "u-1", UserPrincipalName: "alice@contoso.com"}, {ObjectID: "u-2", UserPrincipalName: "bob@contoso.com"}},
			GroupAssignments: []GroupAssignment{{GroupID: "g-1", PolicyName: "Redmond", Rank: 1}, {GroupID: "g-2", PolicyName: "Seattle", Rank: 2}},
		}
	}
	if err := base().Validate(); err != nil {
		t.Fatalf("base state: %v", err)
	}
	tests := []struct {
		name string
		edit func(s *Snapshot)
		want string
	}{
		{"policy", func(s *Snapshot) { s.Policies[1].Identity = "Tag:REDMOND" }, `duplicate policy "Tag:REDMOND" (identities are compared case-insensitively, without "Tag:")`},
		{"account id", func(s *Snapshot) { s.ResourceAccounts[1].ObjectID = "RA-1" }, `duplicate object id "RA-1" (compared case-insensitively)`},
		{"account upn", func(s *Snapshot) { s.ResourceAccounts[1].UserPrincipalName = "RA1@contoso.com" }, `duplicate user principal name "RA1@contoso.com" (compared case-insensitively)`},
		{"user id", func(s *Snapshot) { s.Users[1].ObjectID = "U-1" }, `duplicate object id "U-1" (compared case-insensitively)`},
		{"user upn", func(s *Snapshot) { s.Users[1].UserPrincipalName = "Alice@Contoso.com" }, `duplicate user principal name "Alice@Contoso.com" (compared case-insensitively)`},
		{"account and user id", func(s *Snapshot) { s.Users[1].ObjectID = "RA-2" }, `duplicate object id "ra-2": a resource account and a user have it (compared case-insensitively)`},
		{"account and user upn", func(s *Snapshot) { s.Users[0].UserPrincipalName = "ra2@CONTOSO.com" }, `duplicate user principal name "ra2@contoso.com": a resource account and a user have it (compared case-insensitively)`},
		{"number", func(s *Snapshot) { s.Numbers[1].TelephoneNumber = "+14255550100" }, `duplicate number "+14255550100"`},
		{"location", func(s *Snapshot) { s.Locations[1].LocationID = "LOC-A" }, `duplicate location "LOC-A" (compared case-insensitively)`},
		{"group", func(s *Snapshot) { s.GroupAssignments[1].GroupID = "G-1" }, `duplicate group assignment "G-1" (compared case-insensitively)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := base()
			tt.edit(s)
			err := s.Validate()
			var pe *ParseError
			if !errors.As(err, &pe) || err.Error() != tt.want {
				t.Errorf("Validate() = %v, want ParseError %q", err, tt.want)
			}
		})
	}
}

// TestParseBuildsIndexOnce: Validate's duplicate checks are the index's
// own maps, and the snapshot keeps that index, so reading a state and
// looking things up in it builds one index, not two sets and an index.
func TestParseBuildsIndexOnce(t *testing.T) {
	before := indexBuilds.Load()
	s, err := Parse([]byte(minimalState))
	if err != nil {
		t.Fatal(err)
	}
	if u := s.UserByUPN("ALICE@contoso.com"); u == nil || u.ObjectID != "22222222-2222-2222-2222-222222222222" {
		t.Errorf("UserByUPN after Parse = %+v", u)
	}
	if n := s.NumberHeldBy("ra1@contoso.com"); n == nil || n.TelephoneNumber != "+14255550100" {
		t.Errorf("NumberHeldBy after Parse = %+v", n)
	}
	if got := indexBuilds.Load() - before; got != 1 {
		t.Errorf("Parse and two lookups built %d indexes, want 1", got)
	}
	// The index Validate leaves is kept up to date like any other.
	s.Users = append(s.Users, User{ObjectID: "33333333-3333-3333-3333-333333333333", UserPrincipalName: "carol@contoso.com"})
	if s.UserByUPN("carol@contoso.com") == nil {
		t.Error("a user appended after Parse is not found")
	}
}

// TestDecode: a state is read whole from a file (sized from Stat), from a
// reader that gives a byte at a time (the slice grows), and a reader's
// error is returned as it is.
func TestDecode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := os.WriteFile(path, []byte(minimalState), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fromFile, err := Decode(f)
	if err != nil {
		t.Fatalf("Decode(file): %v", err)
	}
	fromBytes, err := Decode(iotest.OneByteReader(strings.NewReader(minimalState)))
	if err != nil {
		t.Fatalf("Decode(one byte at a time): %v", err)
	}
	want, err := Parse([]byte(minimalState))
	if err != nil {
		t.Fatal(err)
	}
	for name, got := range map[string]*Snapshot{"file": fromFile, "reader": fromBytes} {
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Decode(%s) (-Parse +Decode):\n%s", name, diff)
		}
	}
	boom := errors.New("disk on fire")
	if _, err := Decode(iotest.ErrReader(boom)); !errors.Is(err, boom) {
		t.Errorf("Decode(failing reader) = %v, want %v", err, boom)
	}
	if _, err := Decode(strings.NewReader(minimalState[:100])); err == nil {
		t.Error("Decode of a truncated state succeeded")
	}
}

// TestValidateWhileReading: Validate on a snapshot others are looking things
// up in writes nothing they read (go test -race checks it).
func TestValidateWhileReading(t *testing.T) {
	s, err := Parse([]byte(minimalState))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			if s.UserByUPN("alice@contoso.com") == nil || s.ResourceAccountByUPN("ra1@contoso.com") == nil {
				t.Error("lookup failed while Validate ran")
				return
			}
		}
	}()
	for range 200 {
		if err := s.Validate(); err != nil {
			t.Fatal(err)
		}
	}
	<-done
}

// TestValidateOrder: a state with several problems gets the first in
// Validate's documented order.
func TestValidateOrder(t *testing.T) {
	s := &Snapshot{
		Format:           Format,
		Lineage:          "lin",
		Policies:         []Policy{{Identity: "Redmond"}, {Identity: "redmond"}},
		ResourceAccounts: []ResourceAccount{{ObjectID: "ra-1", UserPrincipalName: "ra1@contoso.com"}},
		Numbers:          []Number{{TelephoneNumber: "+14255550100", AssignedPstnTargetID: PolicyTargetPrefix + "Nope"}},
		Locations:        []Location{{LocationID: "loc-a"}, {LocationID: "LOC-A"}},
		Users:            []User{{ObjectID: "u-1", UserPrincipalName: "a@contoso.com"}, {ObjectID: "u-1", UserPrincipalName: "A@contoso.com"}},
	}
	steps := []struct {
		want string
		fix  func()
	}{
		{`duplicate policy "redmond"`, func() { s.Policies = s.Policies[:1] }},
		{`duplicate object id "u-1"`, func() { s.Users[1].ObjectID = "u-2" }},
		{`duplicate user principal name "A@contoso.com"`, func() { s.Users[1].UserPrincipalName = "b@contoso.com" }},
		{`duplicate location "LOC-A"`, func() { s.Locations = s.Locations[:1] }},
		{"held by policy Nope", func() { s.Numbers[0].AssignedPstnTargetID = "" }},
	}
	for _, st := range steps {
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), st.want) {
			t.Fatalf("Validate() = %v, want %q", err, st.want)
		}
		st.fix()
	}
	if err := s.Validate(); err != nil {
		t.Errorf("fixed state: %v", err)
	}
	// An empty key comes before every duplicate.
	s.Policies = append(s.Policies, Policy{Identity: "Redmond"})
	s.Users[0].UserPrincipalName = ""
	if err := s.Validate(); err == nil || !strings.Contains(err.Error(), "a user has an empty objectId or userPrincipalName") {
		t.Errorf("Validate() = %v, want the empty UPN first", err)
	}
}

// TestDecodeLimits: a reader that returns its last bytes with io.EOF is
// read whole, and a file over MaxStateSize is refused from its size,
// before it is read.
func TestDecodeLimits(t *testing.T) {
	if _, err := Decode(iotest.DataErrReader(strings.NewReader(minimalState))); err != nil {
		t.Errorf("Decode(data with EOF): %v", err)
	}
	path := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := f.Truncate(MaxStateSize + 1); err != nil { // sparse: no disk space used
		t.Skipf("cannot make a sparse file: %v", err)
	}
	_, err = Decode(f)
	var pe *ParseError
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), "larger than 512 MiB") {
		t.Errorf("Decode(huge file) = %v, want the size refusal", err)
	}
	if off, _ := f.Seek(0, io.SeekCurrent); off != 0 {
		t.Errorf("Decode read %d bytes of a file it refuses by its size", off)
	}
}

// TestParseElementLines: Validate's errors about one element of a list
// (a repeated key, an empty key, a number held by a policy that does not
// list it) carry the line that element starts on, in an indented state as
// callops writes it.
func TestParseElementLines(t *testing.T) {
	orig, err := os.ReadFile("../examples/contoso/callops.state.json")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		old, new string
		nth      int    // which occurrence of old to replace (1-based)
		marker   string // text inside the element the error is about, after the edit (its last occurrence)
		want     string
	}{
		{"duplicate number", `"telephoneNumber": "+14255550103"`, `"telephoneNumber": "+14255550102"`, 1,
			`"telephoneNumber": "+14255550102"`,
			`duplicate number "+14255550102"`},
		{"empty identity", `"identity": "Portland"`, `"identity": ""`, 1, `"identity": ""`, "a policy has an empty identity"},
		{"user with a resource account's upn", `"userPrincipalName": "alice@contoso.com"`, `"userPrincipalName": "MAIN@contoso.com"`, 1,
			`"userPrincipalName": "main@contoso.com"`, `duplicate user principal name "main@contoso.com": a resource account and a user have it`},
		{"held by a policy that does not list it", `"+14255550151"` + "\n", `"+14255550152"` + "\n", 1,
			`"telephoneNumber": "+14255550151"`, "whose emergencyNumbers do not list it"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := string(orig)
			i := -1
			for range tt.nth {
				j := strings.Index(data[i+1:], tt.old)
				if j < 0 {
					t.Fatalf("the state has no %q", tt.old)
				}
				i += 1 + j
			}
			data = data[:i] + tt.new + data[i+len(tt.old):]
			m := strings.LastIndex(data, tt.marker)
			if m < 0 {
				t.Fatalf("no %q after the edit", tt.marker)
			}
			start := strings.LastIndex(data[:m], "{")
			want := strings.Count(data[:start], "\n") + 1
			_, err := Parse([]byte(data))
			var pe *ParseError
			if !errors.As(err, &pe) || !strings.Contains(pe.Msg, tt.want) {
				t.Fatalf("Parse = %v, want a *ParseError with %q", err, tt.want)
			}
			if pe.Line != want {
				t.Errorf("line %d, want %d, where the element starts (%v)", pe.Line, want, err)
			}
		})
	}
}
