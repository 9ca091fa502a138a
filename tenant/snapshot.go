// Package tenant models a Teams tenant's current Shared Calling state as the
// service holds it: the snapshot, its versioned JSON format (callops-state/v1),
// the operations the service accepts (each refused with the service's reason
// when it breaks a rule), and the backends that carry operations out.
//
// It never prints and never exits; errors are returned to the caller.
package tenant

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Format is the format tag of the state file this package reads and writes.
const Format = "callops-state/v1"

// MaxStateSize bounds the size of a state file callops will read.
const MaxStateSize = 512 << 20

// Number assignment statuses (PstnAssignmentStatus) that callops sets.
const (
	StatusUnassigned       = "Unassigned"
	StatusUserAssigned     = "UserAssigned"
	StatusVoiceAppAssigned = "VoiceApplicationAssigned"
	StatusPolicyAssigned   = "PolicyAssigned"
)

// PolicyTargetPrefix prefixes AssignedPstnTargetId for an emergency number held
// by a Shared Calling policy: "TeamsSharedCallingRoutingPolicy|Tag:<name>".
const PolicyTargetPrefix = "TeamsSharedCallingRoutingPolicy|Tag:"

// Snapshot is the current state of a tenant. Field names in JSON are the
// camelCase of the real PowerShell properties.
type Snapshot struct {
	Format           string            `json:"format"`
	Lineage          string            `json:"lineage"`
	Serial           int64             `json:"serial"`
	Tenant           Info              `json:"tenant"`
	Policies         []Policy          `json:"policies"`
	ResourceAccounts []ResourceAccount `json:"resourceAccounts"`
	Numbers          []Number          `json:"numbers"`
	Locations        []Location        `json:"locations"`
	Users            []User            `json:"users"`
	GroupAssignments []GroupAssignment `json:"groupAssignments"`
}

// Info holds tenant-wide settings.
type Info struct {
	Domain string `json:"domain"`
	// GlobalPolicy is the policy granted with -Global; empty means the
	// built-in Global instance.
	GlobalPolicy string `json:"globalPolicy"`
}

// OtherDomain reports whether two tenant domains name different tenants:
// both are given and differ, ignoring case, surrounding space and a final
// dot. An empty domain (an import that found none) matches any.
func OtherDomain(a, b string) bool {
	norm := func(v string) string { return strings.TrimSuffix(strings.ToLower(strings.TrimSpace(v)), ".") }
	a, b = norm(a), norm(b)
	return a != "" && b != "" && a != b
}

// OtherTenantMessage says that a desired state for tenant desired was given
// a state of tenant state, and what to do: lint and plan say it the same way.
func OtherTenantMessage(desired, state string) string {
	return fmt.Sprintf("the desired state is for tenant %s, but the state is of tenant %s: check --state (or, if both name the same tenant, write %s here)",
		Printable(desired), Printable(state), Printable(state))
}

// Policy is a TeamsSharedCallingRoutingPolicy instance. Identity is stored
// without "Tag:"; ResourceAccount is the RA's ObjectId.
type Policy struct {
	Identity         string   `json:"identity"`
	Description      string   `json:"description"`
	ResourceAccount  string   `json:"resourceAccount"`
	EmergencyNumbers []string `json:"emergencyNumbers"`
}

// ResourceAccount is a resource account (Get-CsOnlineApplicationInstance).
type ResourceAccount struct {
	ObjectID          string `json:"objectId"`
	UserPrincipalName string `json:"userPrincipalName"`
	DisplayName       string `json:"displayName"`
}

// Number is one entry of the tenant's number inventory
// (Get-CsPhoneNumberAssignment).
type Number struct {
	TelephoneNumber      string   `json:"telephoneNumber"`
	NumberType           string   `json:"numberType"`
	IsoCountryCode       string   `json:"isoCountryCode"`
	LocationID           string   `json:"locationId"`
	AssignedPstnTargetID string   `json:"assignedPstnTargetId"`
	PstnAssignmentStatus string   `json:"pstnAssignmentStatus"`
	Capability           []string `json:"capability"`
	NumberSource         string   `json:"numberSource"`
}

// Location is an emergency location (Get-CsOnlineLisLocation).
type Location struct {
	LocationID      string `json:"locationId"`
	CountryOrRegion string `json:"countryOrRegion"`
	Description     string `json:"description"`
}

// User is a Teams user (Get-CsOnlineUser). SharedCallingPolicy is the policy
// granted to the user directly (empty: none).
type User struct {
	ObjectID               string `json:"objectId"`
	UserPrincipalName      string `json:"userPrincipalName"`
	EnterpriseVoiceEnabled bool   `json:"enterpriseVoiceEnabled"`
	SharedCallingPolicy    string `json:"sharedCallingPolicy"`
}

// GroupAssignment grants a policy to a group (Get-CsGroupPolicyAssignment).
type GroupAssignment struct {
	GroupID    string `json:"groupId"`
	PolicyName string `json:"policyName"`
	Rank       int    `json:"rank"`
}

// ParseError is returned for a state file that cannot be read as a
// callops-state/v1 snapshot. Line is 1-based, 0 when unknown.
type ParseError struct {
	Line int
	Msg  string

	// section and elem name the element of a top-level list that Validate
	// found wrong ("numbers", 3), so that Parse can give its line. shared
	// is set when the problem is between two lists (a resource account
	// and a user with one id): no one list, or export file, is to blame.
	section string
	elem    int
	shared  bool
}

// elementError is Validate's *ParseError about element elem of the state's
// list section.
func elementError(section string, elem int, format string, args ...any) *ParseError {
	return &ParseError{Msg: fmt.Sprintf(format, args...), section: section, elem: elem}
}

// withElementLine gives a *ParseError of Validate about one element the
// line that element starts on in data. Validate checks a decoded snapshot,
// which has no positions: the document is read again, only for the error.
func withElementLine(data []byte, err error) error {
	pe, ok := err.(*ParseError)
	if !ok || pe.Line > 0 || pe.section == "" {
		return err
	}
	if off, ok := elementOffset(data, pe.section, pe.elem); ok {
		pe.Line = lineOf(data, off)
	}
	return pe
}

// elementOffset is the offset in data (a JSON object) at which element elem
// of the list under key section starts.
func elementOffset(data []byte, section string, elem int) (int64, bool) {
	dec := json.NewDecoder(bytes.NewReader(data))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return 0, false
	}
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return 0, false
		}
		if key != section {
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return 0, false
			}
			continue
		}
		if t, err := dec.Token(); err != nil || t != json.Delim('[') {
			return 0, false
		}
		for i := 0; dec.More(); i++ {
			if i == elem {
				// InputOffset is just after the previous element (or the
				// '['): the element starts at the next '{' or value.
				off := dec.InputOffset()
				for off < int64(len(data)) && (data[off] == ',' || data[off] == ' ' || data[off] == '\n' || data[off] == '\r' || data[off] == '\t') {
					off++
				}
				return off, true
			}
			var skip json.RawMessage
			if dec.Decode(&skip) != nil {
				return 0, false
			}
		}
		return 0, false
	}
	return 0, false
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("line %d: %s", e.Line, e.Msg)
	}
	return e.Msg
}

// ErrNotState reports that a document is JSON but not a callops state.
var ErrNotState = errors.New("not a callops state file")

// Decode reads a callops-state/v1 snapshot. It rejects other formats and
// versions, unknown fields, trailing data and duplicate objects, and returns a
// *ParseError with the line of a syntax error.
func Decode(r io.Reader) (*Snapshot, error) {
	data, err := readAllState(r)
	if err != nil {
		return nil, err
	}
	return Parse(data)
}

// readAllState reads r to its end, up to MaxStateSize+1 bytes. A state file's
// size is known, so its bytes are read into one slice of that size, as
// os.ReadFile does: a bytes.Buffer grown to the size first cleared all of
// it (a 34 MB state cost 120 ms where os.ReadFile costs 35), and growing
// by doubling would leave 60 MB of garbage.
func readAllState(r io.Reader) ([]byte, error) {
	size := 512
	if f, ok := r.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
			if fi.Size() > MaxStateSize {
				return nil, tooLarge()
			}
			size = int(fi.Size()) + 1 // +1: EOF without growing
		}
	}
	data := make([]byte, 0, size)
	lr := io.LimitReader(r, MaxStateSize+1)
	for {
		n, err := lr.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			return data, nil
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)] // the file grew, or r is no file
		}
	}
}

func tooLarge() error {
	return &ParseError{Msg: fmt.Sprintf("state is larger than %d MiB", MaxStateSize>>20)}
}

// Parse is Decode on a byte slice. A valid state is decoded once (states of
// large tenants are tens of megabytes); only a document that fails is looked
// at again to say whether it is a state at all.
func Parse(data []byte) (*Snapshot, error) {
	if len(data) > MaxStateSize {
		return nil, tooLarge()
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if s, ok := decodeState(data); ok { // statejson.go; else encoding/json
		if err := s.Validate(); err != nil {
			return nil, withElementLine(data, err)
		}
		return s, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var s Snapshot
	if err := dec.Decode(&s); err != nil {
		if ferr := probeFormat(data); ferr != nil {
			return nil, ferr
		}
		return nil, jsonError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, &ParseError{Line: lineOf(data, dec.InputOffset()), Msg: "trailing data after the state object"}
	}
	// encoding/json keeps the last of a repeated key; in a state file it is
	// a hand edit gone wrong, which must not pass for either value.
	if key, off, ok := duplicateKey(data); ok {
		return nil, &ParseError{Line: lineOf(data, off), Msg: fmt.Sprintf("key %q appears twice in one object", key)}
	}
	if err := s.Validate(); err != nil {
		return nil, withElementLine(data, err)
	}
	return &s, nil
}

// duplicateKey finds the first key that appears twice in one object of
// data (a valid JSON document), as encoding/json matches keys to fields:
// case-insensitively. off is the offset just after the second one.
func duplicateKey(data []byte) (key string, off int64, ok bool) {
	type frame struct {
		object  bool
		wantKey bool
		keys    map[string]bool
	}
	var stack []*frame
	valueDone := func() {
		if n := len(stack); n > 0 && stack[n-1].object {
			stack[n-1].wantKey = true
		}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	for {
		tok, err := dec.Token()
		if err != nil {
			return "", 0, false
		}
		switch t := tok.(type) {
		case json.Delim:
			if t == '{' || t == '[' {
				stack = append(stack, &frame{object: t == '{', wantKey: t == '{', keys: map[string]bool{}})
				continue
			}
			stack = stack[:len(stack)-1]
			valueDone()
		case string:
			if n := len(stack); n > 0 && stack[n-1].object && stack[n-1].wantKey {
				f := stack[n-1]
				k := strings.ToLower(t)
				if f.keys[k] {
					return t, dec.InputOffset(), true
				}
				f.keys[k] = true
				f.wantKey = false
				continue
			}
			valueDone()
		default:
			valueDone()
		}
	}
}

// probeFormat says whether a document that failed to decode is a state of
// this version at all: it reads only the format field.
func probeFormat(data []byte) error {
	var head struct {
		Format string `json:"format"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return jsonError(data, err)
	}
	return checkFormat(head.Format)
}

// checkFormat refuses a format tag other than Format ("" is a missing one).
func checkFormat(format string) error {
	switch {
	case format == Format:
		return nil
	case format == "":
		return &ParseError{Msg: fmt.Sprintf("%v: no \"format\" field (want %q)", ErrNotState, Format)}
	case strings.HasPrefix(format, "callops-state/"):
		return &ParseError{Msg: fmt.Sprintf("unsupported state format %q (this callops reads %q)", format, Format)}
	}
	return &ParseError{Msg: fmt.Sprintf("%v: format is %q (want %q)", ErrNotState, format, Format)}
}

func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se) && strings.Contains(se.Error(), "unexpected end"):
		return &ParseError{Line: lineOf(data, se.Offset), Msg: "unexpected end of JSON (truncated file?)"}
	case errors.As(err, &se) && strings.Contains(se.Error(), "after top-level value"):
		return &ParseError{Line: lineOf(data, se.Offset), Msg: "trailing data after the state object"}
	case errors.As(err, &se):
		return &ParseError{Line: lineOf(data, se.Offset), Msg: se.Error()}
	case errors.As(err, &te) && te.Field == "":
		return &ParseError{Line: lineOf(data, te.Offset), Msg: fmt.Sprintf("the state is a JSON %s, not an object", te.Value)}
	case errors.As(err, &te):
		return &ParseError{Line: lineOf(data, te.Offset), Msg: fmt.Sprintf("field %q: a JSON %s where %s belongs", te.Field, te.Value, JSONKind(te.Type))}
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return &ParseError{Line: bytes.Count(data, []byte("\n")) + 1, Msg: "unexpected end of JSON (truncated file?)"}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		// encoding/json gives no offset: the line is where the key is
		// first written as a key.
		msg := strings.TrimPrefix(err.Error(), "json: ")
		name, _ := strconv.Unquote(strings.TrimPrefix(msg, "unknown field "))
		line := 0
		if loc := regexp.MustCompile(`"` + regexp.QuoteMeta(name) + `"\s*:`).FindIndex(data); name != "" && loc != nil {
			line = lineOf(data, int64(loc[0]))
		}
		return &ParseError{Line: line, Msg: msg}
	}
	return &ParseError{Msg: err.Error()}
}

// JSONKind names what a Go type holds in JSON ("a string", "a number",
// "an array", "an object"), for messages that must not show Go types.
func JSONKind(t reflect.Type) string {
	if t == nil {
		return "a value"
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		// encoding/json says "number 1.5" and "number 1e30" alike: what
		// both lack is being an integer (of 64 bits).
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return JSONKind(t.Elem())
	}
	return "an object"
}

func lineOf(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// Validate checks the snapshot's own consistency: the format tag, unique keys
// (policy identities, object ids, UPNs, numbers, location ids, group ids) and
// references that must resolve (a number held by a policy names a policy
// that lists it). It reports the first problem in this order: format,
// serial, lineage, empty keys (policies, accounts, users, numbers), repeated keys
// (policies, account ids and UPNs, user ids and UPNs, numbers, locations,
// groups), an account and a user sharing an id or UPN, numbers held by
// policies. It gives the snapshot its lookup index (built to find repeated
// keys), unless the snapshot has a current one.
func (s *Snapshot) Validate() error {
	if err := checkFormat(s.Format); err != nil {
		return err
	}
	if s.Serial < 0 {
		return &ParseError{Msg: "serial is negative"}
	}
	if s.Lineage == "" {
		// Plans and journals name the state by its lineage: a state
		// without one could be planned but its plan never applied.
		return &ParseError{Msg: "the state has no lineage (callops import gives a state one)"}
	}
	for i, p := range s.Policies {
		if p.Identity == "" {
			return elementError("policies", i, "a policy has an empty identity")
		}
	}
	for i, ra := range s.ResourceAccounts {
		if ra.ObjectID == "" || ra.UserPrincipalName == "" {
			return elementError("resourceAccounts", i, "a resource account has an empty objectId or userPrincipalName")
		}
	}
	for i, u := range s.Users {
		if u.ObjectID == "" || u.UserPrincipalName == "" {
			return elementError("users", i, "a user has an empty objectId or userPrincipalName")
		}
	}
	for i, n := range s.Numbers {
		if n.TelephoneNumber == "" {
			return elementError("numbers", i, "a number has an empty telephoneNumber")
		}
	}
	// The index's maps are the sets of keys: building it finds every
	// repeated key (index.dups), and the snapshot keeps it, since every
	// reader of a state looks things up next. A 125,000-user state has
	// 250,000 UPNs and object ids; sets of its own beside the index cost
	// as much as the index's maps again.
	x := buildIndex(s)
	for k := dupKind(0); k < numDupKinds; k++ {
		if i, ok := x.dups[k]; ok {
			return elementError(k.section(), i, "duplicate %s %q%s", k.noun(), s.keyAt(k, i), k.comparedHow())
		}
	}
	// A resource account and a user share the directory's namespaces.
	for i, ra := range s.ResourceAccounts {
		if hasKey(x.usersByID, lower(ra.ObjectID)) {
			e := elementError("resourceAccounts", i, "duplicate object id %q: a resource account and a user have it%s", ra.ObjectID, dupAccountID.comparedHow())
			e.shared = true
			return e
		}
		if hasKey(x.users, lower(ra.UserPrincipalName)) {
			e := elementError("resourceAccounts", i, "duplicate user principal name %q: a resource account and a user have it%s", ra.UserPrincipalName, dupAccountUPN.comparedHow())
			e.shared = true
			return e
		}
	}
	if err := s.validatePolicyTargets(x.policies); err != nil {
		return err
	}
	s.setIndex(x)
	return nil
}

// keyAt is the key of kind k of element i, as the state writes it.
func (s *Snapshot) keyAt(k dupKind, i int) string {
	switch k {
	case dupPolicy:
		return s.Policies[i].Identity
	case dupAccountID:
		return s.ResourceAccounts[i].ObjectID
	case dupAccountUPN:
		return s.ResourceAccounts[i].UserPrincipalName
	case dupUserID:
		return s.Users[i].ObjectID
	case dupUserUPN:
		return s.Users[i].UserPrincipalName
	case dupNumber:
		return s.Numbers[i].TelephoneNumber
	case dupLocation:
		return s.Locations[i].LocationID
	}
	return s.GroupAssignments[i].GroupID
}

func hasKey[V any](m map[string]V, k string) bool {
	_, ok := m[k]
	return ok
}

// validatePolicyTargets checks that every number marked as held by a policy
// (assignedPstnTargetId "TeamsSharedCallingRoutingPolicy|Tag:<name>") names
// a policy of the state that lists it as an emergency number. policies maps
// the lower-cased identities (the index's). The service's rules and the
// planner take the policy's list and the number's holder to agree; a state
// where they don't would otherwise fail deep inside plan, as if callops had
// a bug.
func (s *Snapshot) validatePolicyTargets(policies map[string]int) error {
	var listed map[[2]string]struct{}
	for i, n := range s.Numbers {
		if !isPolicyTarget(n.AssignedPstnTargetID) {
			continue
		}
		name := n.AssignedPstnTargetID[len(PolicyTargetPrefix):]
		key := policyKey(name)
		if _, ok := policies[key]; !ok {
			return elementError("numbers", i, "number %s is held by policy %s (assignedPstnTargetId %q), which is not in the state's policies",
				n.TelephoneNumber, name, n.AssignedPstnTargetID)
		}
		if listed == nil {
			// Built on first need: most numbers are held by users.
			listed = map[[2]string]struct{}{}
			for _, p := range s.Policies {
				for _, e := range p.EmergencyNumbers {
					listed[[2]string{policyKey(p.Identity), e}] = struct{}{}
				}
			}
		}
		if _, ok := listed[[2]string{key, n.TelephoneNumber}]; !ok {
			return elementError("numbers", i, "number %s is held by policy %s (assignedPstnTargetId %q), whose emergencyNumbers do not list it",
				n.TelephoneNumber, name, n.AssignedPstnTargetID)
		}
	}
	return nil
}

// Encode writes s as indented JSON with a final newline. Slices are written in
// canonical order (see Canonicalize), so the same tenant always gives the same
// bytes.
func (s *Snapshot) Encode() ([]byte, error) {
	c := s.cloneData()
	c.Canonicalize()
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Canonicalize sorts every slice by its key and replaces nil slices by empty
// ones, so that equal tenants encode to equal bytes. Emergency number lists
// keep their order: the service presents them in order.
func (s *Snapshot) Canonicalize() {
	sort.Slice(s.Policies, func(i, j int) bool { return s.Policies[i].Identity < s.Policies[j].Identity })
	sort.Slice(s.ResourceAccounts, func(i, j int) bool {
		return s.ResourceAccounts[i].UserPrincipalName < s.ResourceAccounts[j].UserPrincipalName
	})
	sort.Slice(s.Numbers, func(i, j int) bool { return s.Numbers[i].TelephoneNumber < s.Numbers[j].TelephoneNumber })
	sort.Slice(s.Locations, func(i, j int) bool { return s.Locations[i].LocationID < s.Locations[j].LocationID })
	sort.Slice(s.Users, func(i, j int) bool { return s.Users[i].UserPrincipalName < s.Users[j].UserPrincipalName })
	sort.Slice(s.GroupAssignments, func(i, j int) bool { return s.GroupAssignments[i].GroupID < s.GroupAssignments[j].GroupID })
	if s.Policies == nil {
		s.Policies = []Policy{}
	}
	for i := range s.Policies {
		if s.Policies[i].EmergencyNumbers == nil {
			s.Policies[i].EmergencyNumbers = []string{}
		}
	}
	if s.ResourceAccounts == nil {
		s.ResourceAccounts = []ResourceAccount{}
	}
	if s.Numbers == nil {
		s.Numbers = []Number{}
	}
	for i := range s.Numbers {
		if s.Numbers[i].Capability == nil {
			s.Numbers[i].Capability = []string{}
		}
	}
	if s.Locations == nil {
		s.Locations = []Location{}
	}
	if s.Users == nil {
		s.Users = []User{}
	}
	if s.GroupAssignments == nil {
		s.GroupAssignments = []GroupAssignment{}
	}
	// The slices were reordered in place: the lookup index is stale.
	s.Reindex()
}

// Clone returns a deep copy of s.
func (s *Snapshot) Clone() *Snapshot {
	c := s.cloneData()
	cloneIndex(s, c)
	return c
}

// cloneData is Clone without the index.
func (s *Snapshot) cloneData() *Snapshot {
	c := *s
	c.Policies = make([]Policy, len(s.Policies))
	for i, p := range s.Policies {
		p.EmergencyNumbers = append([]string(nil), p.EmergencyNumbers...)
		c.Policies[i] = p
	}
	c.ResourceAccounts = append([]ResourceAccount(nil), s.ResourceAccounts...)
	c.Numbers = make([]Number, len(s.Numbers))
	for i, n := range s.Numbers {
		n.Capability = append([]string(nil), n.Capability...)
		c.Numbers[i] = n
	}
	c.Locations = append([]Location(nil), s.Locations...)
	c.Users = append([]User(nil), s.Users...)
	c.GroupAssignments = append([]GroupAssignment(nil), s.GroupAssignments...)
	return &c
}

// Digest is "sha256:" and the hex SHA-256 of the snapshot's content in
// canonical form, without format, lineage and serial: two snapshots of the
// same tenant content have the same digest.
func (s *Snapshot) Digest() string {
	// A state as callops writes it is already canonical: hash it as it is
	// instead of copying and sorting tens of megabytes first.
	c := s.canonicalView()
	if c == nil {
		c = s.cloneData()
		c.Canonicalize()
	}
	c.Format, c.Lineage, c.Serial = "", "", 0
	h := sha256.New()
	if err := writeCompact(h, c); err != nil {
		// Encoding these plain structs into a hash cannot fail.
		panic(err)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}

// writeCompact writes s to w exactly as json.Marshal encodes it (which the
// digest was defined with), one top-level field and one slice element at a
// time: encoding a 33 MB state in one piece grew a buffer through some
// 90 MB of allocations. TestWriteCompactIsMarshal holds it to json.Marshal.
func writeCompact(w io.Writer, s *Snapshot) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	// put writes x as json.Marshal would: the encoder adds a newline.
	put := func(x any) error {
		buf.Reset()
		if err := enc.Encode(x); err != nil {
			return err
		}
		_, err := bw.Write(bytes.TrimSuffix(buf.Bytes(), []byte("\n")))
		return err
	}
	v := reflect.ValueOf(s).Elem()
	t := v.Type()
	bw.WriteByte('{')
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if i > 0 {
			bw.WriteByte(',')
		}
		if err := put(name); err != nil {
			return err
		}
		bw.WriteByte(':')
		f := v.Field(i)
		if f.Kind() != reflect.Slice || f.IsNil() {
			if err := put(f.Interface()); err != nil {
				return err
			}
			continue
		}
		bw.WriteByte('[')
		for j := 0; j < f.Len(); j++ {
			if j > 0 {
				bw.WriteByte(',')
			}
			if err := put(f.Index(j).Interface()); err != nil {
				return err
			}
		}
		bw.WriteByte(']')
	}
	bw.WriteByte('}')
	return bw.Flush()
}

// canonicalView returns a shallow copy of s that encodes exactly as its
// canonical form would (every slice sorted by key, no nil slices), or nil
// when s is not canonical already.
func (s *Snapshot) canonicalView() *Snapshot {
	sorted := sort.SliceIsSorted(s.Policies, func(i, j int) bool { return s.Policies[i].Identity < s.Policies[j].Identity }) &&
		sort.SliceIsSorted(s.ResourceAccounts, func(i, j int) bool {
			return s.ResourceAccounts[i].UserPrincipalName < s.ResourceAccounts[j].UserPrincipalName
		}) &&
		sort.SliceIsSorted(s.Numbers, func(i, j int) bool { return s.Numbers[i].TelephoneNumber < s.Numbers[j].TelephoneNumber }) &&
		sort.SliceIsSorted(s.Locations, func(i, j int) bool { return s.Locations[i].LocationID < s.Locations[j].LocationID }) &&
		sort.SliceIsSorted(s.Users, func(i, j int) bool { return s.Users[i].UserPrincipalName < s.Users[j].UserPrincipalName }) &&
		sort.SliceIsSorted(s.GroupAssignments, func(i, j int) bool { return s.GroupAssignments[i].GroupID < s.GroupAssignments[j].GroupID })
	if !sorted || s.Policies == nil || s.ResourceAccounts == nil || s.Numbers == nil || s.Locations == nil ||
		s.Users == nil || s.GroupAssignments == nil {
		return nil
	}
	for _, p := range s.Policies {
		if p.EmergencyNumbers == nil {
			return nil
		}
	}
	for _, n := range s.Numbers {
		if n.Capability == nil {
			return nil
		}
	}
	c := *s
	return &c
}
