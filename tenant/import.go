package tenant

import (
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/callops/callops/internal/phone"
)

// The files of a PowerShell export, as scripts/Export-CallopsState.ps1 writes
// them (DESIGN.md section 3): one file per cmdlet, ConvertTo-Json -Depth 5.
const (
	ExportPolicies         = "policies.json"          // Get-CsTeamsSharedCallingRoutingPolicy
	ExportNumbers          = "numbers.json"           // Get-CsPhoneNumberAssignment, all pages
	ExportResourceAccounts = "resource-accounts.json" // Get-CsOnlineApplicationInstance
	ExportLocations        = "locations.json"         // Get-CsOnlineLisLocation
	ExportUsers            = "users.json"             // Get-CsOnlineUser
	ExportGroupAssignments = "group-assignments.json" // Get-CsGroupPolicyAssignment
	ExportTenant           = "tenant.json"            // domain, tenant default, the Global instance
)

// ImportSerial is the serial of a freshly imported snapshot: the import is
// the first write of a new lineage, so a state file that was never applied
// to has serial 1 and 0 stays "no state".
const ImportSerial = 1

// Warning is something Import read but could not map onto the snapshot, or
// mapped by a guess the operator should check. Nothing is dropped silently:
// every skipped or doubtful value gives a Warning.
type Warning struct {
	File    string // the export file, e.g. "numbers.json"
	Message string
}

// String is the warning as callops prints it. Messages quote values from
// the export, which can hold anything: control characters, bidirectional
// overrides and invalid UTF-8 are escaped, so a warning cannot rewrite the
// terminal it is printed on.
func (w Warning) String() string {
	if w.File == "" {
		return Printable(w.Message)
	}
	return Printable(w.File + ": " + w.Message)
}

// Printable escapes, as \xHH or \u+HHHH, what a terminal would act on
// instead of showing: control characters, Unicode's bidirectional controls,
// and bytes that are not UTF-8.
func Printable(s string) string {
	clean := func(r rune) bool {
		return r != utf8.RuneError && !unicode.IsControl(r) && !isBidiControl(r)
	}
	ok := true
	for _, r := range s {
		if !clean(r) {
			ok = false
			break
		}
	}
	if ok {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			fmt.Fprintf(&b, "\\x%02x", s[i])
		case unicode.IsControl(r) && r < 0x100:
			fmt.Fprintf(&b, "\\x%02x", r)
		case !clean(r):
			fmt.Fprintf(&b, "\\u+%04X", r)
		default:
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}

// isBidiControl reports the characters that reorder the text around them
// (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069) or break its line
// (U+2028, U+2029).
func isBidiControl(r rune) bool {
	return r == 0x061c || r == 0x200e || r == 0x200f || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) ||
		r == 0x2028 || r == 0x2029 // line and paragraph separators: a line break to some terminals
}

// ImportError is a file of an export that Import cannot read. Line is 1-based,
// 0 when unknown.
type ImportError struct {
	File string
	Line int
	Err  error
}

func (e *ImportError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

func (e *ImportError) Unwrap() error { return e.Err }

// Enum values as Windows PowerShell 5.1 writes them: ConvertTo-Json writes an
// enum as its integer value. The MicrosoftTeams documentation lists the names
// but not the values; callops assumes the values follow the order in which
// the cmdlet pages list the names (Get-CsPhoneNumberAssignment, DOMAIN.md) and
// warns once per file when it had to use this table. The export script
// writes enums as strings in both PowerShell editions, so the table is only a
// fallback for hand-made exports.
var (
	numberTypeEnum   = []string{TypeCallingPlan, TypeOperatorConnect, TypeDirectRouting}
	assignStatusEnum = []string{StatusUnassigned, StatusUserAssigned, "ConferenceAssigned", StatusVoiceAppAssigned, "ThirdPartyAppAssigned", StatusPolicyAssigned}
	numberSourceEnum = []string{"Online", "OnPremises"}
	capabilityEnum   = []string{"UserAssignment", "VoiceApplicationAssignment", "ConferenceAssignment"}
)

// importer collects warnings while mapping the files.
type importer struct {
	dir      string
	s        *Snapshot
	warnings []Warning
	// enumWarned records files whose enums were mapped from integers.
	enumWarned map[string]bool
	// lines holds each user's LineUri (normalized), keyed by lower
	// ObjectId, for the cross-check with the number inventory.
	lines map[string]string
	// unknown counts enum values callops does not know, reported once
	// each in the order first seen (unknownValue).
	unknown      map[unknownKey]int
	unknownOrder []unknownKey
}

func (im *importer) warn(file, format string, args ...any) {
	im.warnings = append(im.warnings, Warning{File: file, Message: fmt.Sprintf(format, args...)})
}

// Import reads a directory of PowerShell exports (see the Export* file names)
// into a callops-state/v1 snapshot with a new random lineage and serial
// ImportSerial. It takes real output as it comes (see readExportFile; also
// PascalCase or camelCase property names, enums as strings or integers,
// "tel:" and "Tag:" prefixes, empty or all-zero GUIDs for "no location",
// ";ext=" suffixes, the Global policy instance). Properties it does not use
// are ignored. What it cannot map (a number held by an object that is not a
// user, resource account or policy of the export; a grant of a policy that
// does not exist; a row without its key) is returned as a Warning.
//
// group-assignments.json and tenant.json may be missing (a warning each);
// the other files are required. An error names the file and, for a JSON
// syntax error, the line (*ImportError).
func Import(dir string) (*Snapshot, []Warning, error) {
	im := &importer{dir: dir, enumWarned: map[string]bool{}}
	lineage, err := newLineage()
	if err != nil {
		return nil, nil, fmt.Errorf("importing %s: %w", dir, err)
	}
	im.s = &Snapshot{Format: Format, Lineage: lineage, Serial: ImportSerial}

	read := func(name string, required bool) ([]psObject, bool, error) {
		objs, err := readExportFile(filepath.Join(dir, name))
		if err != nil {
			if errors.Is(err, fs.ErrNotExist) {
				if required {
					return nil, false, &ImportError{File: name, Err: errors.New("missing from the export directory (run scripts/Export-CallopsState.ps1)")}
				}
				return nil, false, nil
			}
			ie := &ImportError{File: name, Err: err}
			var pe *ParseError
			if errors.As(err, &pe) {
				ie.Line, ie.Err = pe.Line, errors.New(pe.Msg)
			}
			return nil, false, ie
		}
		return objs, true, nil
	}

	type source struct {
		name     string
		required bool
		objs     []psObject
		found    bool
	}
	sources := []*source{
		{name: ExportResourceAccounts, required: true},
		{name: ExportUsers, required: true},
		{name: ExportLocations, required: true},
		{name: ExportPolicies, required: true},
		{name: ExportNumbers, required: true},
		{name: ExportGroupAssignments},
		{name: ExportTenant},
	}
	for _, src := range sources {
		src.objs, src.found, err = read(src.name, src.required)
		if err != nil {
			return nil, nil, fmt.Errorf("importing %s: %w", dir, err)
		}
	}
	steps := []func([]psObject) error{
		im.resourceAccounts, im.users, im.locations, im.policies, im.numbers, im.groupAssignments, im.tenant,
	}
	for i, src := range sources {
		if !src.found && !src.required {
			switch src.name {
			case ExportGroupAssignments:
				im.warn(src.name, "missing: no group assignments imported")
			case ExportTenant:
				im.warn(src.name, "missing: tenant default left as the built-in Global instance")
			}
		}
		if err := steps[i](src.objs); err != nil {
			return nil, nil, fmt.Errorf("importing %s: %w", dir, &ImportError{File: src.name, Err: err})
		}
	}
	im.warnUnknownValues()
	im.crossCheck()
	if err := im.s.Validate(); err != nil {
		if pe, ok := err.(*ParseError); ok && !pe.shared && exportFiles[pe.section] != "" {
			err = &ImportError{File: exportFiles[pe.section], Err: errors.New(pe.Msg)}
		}
		return nil, nil, fmt.Errorf("importing %s: %w", dir, err)
	}
	im.inconsistencies()
	im.s.Canonicalize()
	// Canonicalize sorts in place, behind the lookup index's back.
	im.s.Reindex()
	return im.s, im.warnings, nil
}

// isCountryCode reports whether c is two ASCII capital letters, the shape
// of an ISO 3166-1 alpha-2 code.
func isCountryCode(c string) bool {
	return len(c) == 2 && c[0] >= 'A' && c[0] <= 'Z' && c[1] >= 'A' && c[1] <= 'Z'
}

// exportFiles maps a state's lists to the export files they come from.
var exportFiles = map[string]string{
	"policies":         ExportPolicies,
	"resourceAccounts": ExportResourceAccounts,
	"users":            ExportUsers,
	"numbers":          ExportNumbers,
	"locations":        ExportLocations,
	"groupAssignments": ExportGroupAssignments,
}

// inconsistencies warns about what in the export breaks the rules the
// service always keeps (Snapshot.Inconsistencies): the files were written
// while the tenant changed (numbers.json after a move, policies.json
// before it), or by hand. The state keeps what the files say; a plan that
// cannot be verified through it is refused, naming the same problems.
func (im *importer) inconsistencies() {
	for _, v := range im.s.Inconsistencies() {
		if v.Rule == RuleNumberHeldTwice {
			if kind, _ := im.s.Holder(v.Number); kind == HolderUser {
				// A user can have a private line beside the main one;
				// callops knows one number per user.
				im.warn(ExportNumbers, "%s [%s]: kept as exported; a plan that changes this user's numbers may be refused", v.Message, v.Rule)
				continue
			}
		}
		file := ExportPolicies
		if v.Rule == RuleNumberHeldTwice {
			file = ExportNumbers
		}
		im.warn(file, "%s [%s]: the service never allows this, so the export was probably taken while the tenant changed; kept as exported (export again, or a plan through it will be refused)", v.Message, v.Rule)
	}
}

var guidRE = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)

// newLineage returns a random (version 4) UUID.
func newLineage() (string, error) {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16]), nil
}

// enum maps an enum property given as a string or as Windows PowerShell
// 5.1's integer.
func (im *importer) enum(file string, o psObject, prop string, table []string) string {
	v := o[prop]
	if n, ok := v.(interface{ Int64() (int64, error) }); ok {
		i, err := n.Int64()
		if err != nil || i < 0 || int(i) >= len(table) {
			im.unknownValue(file, prop, fmt.Sprint(v))
			s, _ := o.str(prop)
			return s
		}
		im.warnEnum(file)
		return table[i]
	}
	s, _ := o.str(prop)
	for _, name := range table {
		if strings.EqualFold(s, name) {
			return name
		}
	}
	if s != "" {
		im.unknownValue(file, prop, strconv.Quote(s))
	}
	return s
}

// unknownValue counts a value of an enum property callops does not know
// (a new number type, say): warnUnknownValues reports each once, with how
// many entries have it, not once per number of a large inventory.
func (im *importer) unknownValue(file, prop, value string) {
	k := unknownKey{file, prop, value}
	if im.unknown[k] == 0 {
		im.unknownOrder = append(im.unknownOrder, k)
	}
	if im.unknown == nil {
		im.unknown = map[unknownKey]int{}
	}
	im.unknown[k]++
}

type unknownKey struct{ file, prop, value string }

func (im *importer) warnUnknownValues() {
	for _, k := range im.unknownOrder {
		n := im.unknown[k]
		entries := "entries"
		if n == 1 {
			entries = "entry"
		}
		im.warn(k.file, "%s value %s is not one callops knows (%d %s); kept as written", k.prop, k.value, n, entries)
	}
}

func (im *importer) warnEnum(file string) {
	if im.enumWarned[file] {
		return
	}
	im.enumWarned[file] = true
	im.warn(file, "enums written as integers (Windows PowerShell 5.1): mapped by callops' assumed numbering, check the imported state or export with PowerShell 7")
}

// normalizeGUID lower-cases a GUID and strips braces; an empty or all-zero
// GUID is "" (the service's "none").
func normalizeGUID(id string) string {
	id = strings.Trim(strings.TrimSpace(id), "{}")
	if noLocation(id) {
		return ""
	}
	return strings.ToLower(id)
}

// normalizeNumber strips "tel:" and writes a number in E.164 with its
// extension; ok is false (and the trimmed input returned) when it is not a
// number.
func normalizeNumber(s string) (string, bool) {
	t := strings.TrimSpace(s)
	if n, err := phone.Normalize(t); err == nil {
		return n, true
	}
	if len(t) >= 4 && strings.EqualFold(t[:4], "tel:") {
		t = t[4:]
	}
	return t, false
}

func (im *importer) resourceAccounts(objs []psObject) error {
	const file = ExportResourceAccounts
	for i, o := range objs {
		id, _ := o.str("objectid", "identity", "id")
		upn, _ := o.str("userprincipalname")
		if id == "" || upn == "" {
			im.warn(file, "entry %d has no ObjectId or UserPrincipalName: skipped", i+1)
			continue
		}
		name, _ := o.str("displayname")
		if !strings.Contains(upn, "@") {
			im.warn(file, "resource account %s has UserPrincipalName %q, not name@domain: kept as written", id, upn)
		}
		im.s.ResourceAccounts = append(im.s.ResourceAccounts, ResourceAccount{ObjectID: strings.ToLower(id), UserPrincipalName: upn, DisplayName: name})
	}
	// Each section is built before the next one looks anything up: the
	// snapshot's lookup index is rebuilt whenever a slice grows.
	return nil
}

func (im *importer) users(objs []psObject) error {
	const file = ExportUsers
	im.s.Users = make([]User, 0, len(objs))
	for i, o := range objs {
		upn, _ := o.str("userprincipalname")
		id, _ := o.str("objectid", "identity")
		if upn == "" || id == "" {
			im.warn(file, "entry %d has no UserPrincipalName or Identity: skipped", i+1)
			continue
		}
		if !guidRE.MatchString(strings.Trim(id, "{}")) {
			im.warn(file, "user %s has Identity %q, not an object id: numbers assigned to the user will not be matched", upn, id)
		}
		ev, _ := o.boolean("enterprisevoiceenabled")
		pol, _ := o.str("teamssharedcallingroutingpolicy")
		u := User{ObjectID: strings.ToLower(id), UserPrincipalName: upn, EnterpriseVoiceEnabled: ev, SharedCallingPolicy: PolicyName(pol)}
		if strings.EqualFold(u.SharedCallingPolicy, GlobalPolicy) {
			// A direct grant of Global is no grant: the user follows the
			// tenant default (see Apply).
			u.SharedCallingPolicy = ""
		}
		im.s.Users = append(im.s.Users, u)
		if line, _ := o.str("lineuri"); line != "" {
			if im.lines == nil {
				im.lines = map[string]string{}
			}
			n, _ := normalizeNumber(line)
			im.lines[u.ObjectID] = n
		}
	}
	return nil
}

func (im *importer) locations(objs []psObject) error {
	const file = ExportLocations
	for i, o := range objs {
		raw, _ := o.str("locationid")
		id := normalizeGUID(raw)
		if id == "" {
			im.warn(file, "entry %d has no LocationId: skipped", i+1)
			continue
		}
		if !guidRE.MatchString(id) {
			im.warn(file, "entry %d has LocationId %q, not a GUID: kept as written", i+1, raw)
		}
		country, _ := o.str("countryorregion", "country")
		desc, _ := o.str("description")
		if desc == "" {
			desc, _ = o.str("location")
		}
		country = strings.ToUpper(strings.TrimSpace(country))
		if !isCountryCode(country) {
			im.warn(file, "location %s has CountryOrRegion %q, not a two-letter ISO 3166 code: kept as written", id, country)
		}
		im.s.Locations = append(im.s.Locations, Location{LocationID: id, CountryOrRegion: country, Description: desc})
	}
	return nil
}

func (im *importer) policies(objs []psObject) error {
	const file = ExportPolicies
	var out []Policy
	defer func() { im.s.Policies = out }()
	for i, o := range objs {
		raw, _ := o.str("identity", "name")
		name := PolicyName(raw)
		if name == "" {
			im.warn(file, "entry %d has no Identity: skipped", i+1)
			continue
		}
		desc, _ := o.str("description")
		ra, _ := o.str("resourceaccount")
		ra = strings.Trim(strings.TrimSpace(ra), "{}")
		p := Policy{Identity: name, Description: desc, EmergencyNumbers: []string{}}
		if ra != "" {
			if acc := im.s.ResourceAccountByID(ra); acc != nil {
				p.ResourceAccount = acc.ObjectID
			} else if acc := im.s.ResourceAccountByUPN(ra); acc != nil {
				p.ResourceAccount = acc.ObjectID
			} else {
				p.ResourceAccount = strings.ToLower(ra)
				im.warn(file, "policy %s names resource account %s, which is not in %s: kept as written", name, ra, ExportResourceAccounts)
			}
		}
		for _, e := range o.list("emergencynumbers") {
			s, ok := scalarString(e)
			if !ok || strings.TrimSpace(s) == "" {
				continue
			}
			n, valid := normalizeNumber(s)
			if !valid {
				im.warn(file, "policy %s: emergency number %q is not an E.164 number: kept as written", name, s)
			}
			if containsExact(p.EmergencyNumbers, n) {
				// "tel:+1..." and "+1..." are one number to the service.
				im.warn(file, "policy %s lists emergency number %s twice: kept once", name, n)
				continue
			}
			p.EmergencyNumbers = append(p.EmergencyNumbers, n)
		}
		if strings.EqualFold(name, GlobalPolicy) {
			p.Identity = GlobalPolicy
			if p.ResourceAccount == "" {
				// The built-in instance as it comes: nothing configured.
				if len(p.EmergencyNumbers) > 0 || p.Description != "" {
					im.warn(file, "the Global instance has emergency numbers or a description but no resource account: not imported")
				}
				continue
			}
		}
		if p.ResourceAccount == "" {
			im.warn(file, "policy %s has no ResourceAccount, which the service requires: kept without one", name)
		}
		out = append(out, p)
	}
	return nil
}

func (im *importer) numbers(objs []psObject) error {
	const file = ExportNumbers
	out := make([]Number, 0, len(objs))
	defer func() { im.s.Numbers = out }()
	for i, o := range objs {
		raw, _ := o.str("telephonenumber")
		if raw == "" {
			im.warn(file, "entry %d has no TelephoneNumber: skipped", i+1)
			continue
		}
		tel, valid := normalizeNumber(raw)
		if !valid {
			im.warn(file, "%q is not an E.164 number: kept as written", raw)
		}
		n := Number{
			TelephoneNumber:      tel,
			NumberType:           im.enum(file, o, "numbertype", numberTypeEnum),
			PstnAssignmentStatus: im.enum(file, o, "pstnassignmentstatus", assignStatusEnum),
			NumberSource:         im.enum(file, o, "numbersource", numberSourceEnum),
			Capability:           []string{},
		}
		cc, _ := o.str("isocountrycode")
		n.IsoCountryCode = strings.ToUpper(cc)
		loc, _ := o.str("locationid")
		n.LocationID = normalizeGUID(loc)
		for _, c := range o.list("capability") {
			if num, ok := c.(interface{ Int64() (int64, error) }); ok {
				k, err := num.Int64()
				if err == nil && k >= 0 && int(k) < len(capabilityEnum) {
					im.warnEnum(file)
					n.Capability = append(n.Capability, capabilityEnum[k])
					continue
				}
				im.unknownValue(file, "Capability", fmt.Sprint(c))
			}
			if s, ok := scalarString(c); ok && s != "" {
				n.Capability = append(n.Capability, s)
			}
		}
		target, _ := o.str("assignedpstntargetid")
		n.AssignedPstnTargetID = im.target(tel, target)
		if n.LocationID != "" && im.s.LocationByID(n.LocationID) == nil {
			im.warn(file, "%s has location %s, which is not in %s: kept as written", tel, n.LocationID, ExportLocations)
		}
		out = append(out, n)
	}
	return nil
}

// target maps an AssignedPstnTargetId: a user's or resource account's
// ObjectId (lower-cased), or the policy target with the policy's identity as
// stored. An unknown target is kept (the number is held by something callops
// does not read, such as a conference bridge) and reported.
func (im *importer) target(tel, raw string) string {
	const file = ExportNumbers
	t := strings.TrimSpace(raw)
	if t == "" || noLocation(t) {
		return ""
	}
	if i := strings.IndexByte(t, '|'); i >= 0 {
		kind, name := t[:i], PolicyName(t[i+1:])
		if strings.EqualFold(kind, "TeamsSharedCallingRoutingPolicy") {
			if p := im.s.PolicyByIdentity(name); p != nil {
				return PolicyTargetPrefix + p.Identity
			}
			// A policy that is not in the export: crossCheck repairs
			// the number once every policy's list is known.
			return PolicyTargetPrefix + name
		}
		im.warn(file, "%s is held by %s, which callops does not manage: kept as written", tel, t)
		return t
	}
	id := strings.ToLower(strings.Trim(t, "{}"))
	// UserByUPN finds a user by UPN or ObjectId: either way the state
	// records the holder's ObjectId.
	if u := im.s.UserByUPN(id); u != nil {
		return u.ObjectID
	}
	if ra := im.s.ResourceAccountByID(id); ra != nil {
		return ra.ObjectID
	}
	if ra := im.s.ResourceAccountByUPN(t); ra != nil {
		return ra.ObjectID
	}
	im.warn(file, "%s is assigned to %s, which is no user, resource account or policy of the export: kept as held by an unknown object", tel, t)
	return id
}

func (im *importer) groupAssignments(objs []psObject) error {
	const file = ExportGroupAssignments
	var out []GroupAssignment
	defer func() { im.s.GroupAssignments = out }()
	for i, o := range objs {
		if pt, ok := o.str("policytype"); ok && pt != "" && !strings.EqualFold(pt, "TeamsSharedCallingRoutingPolicy") {
			im.warn(file, "entry %d is a %s assignment, not a Shared Calling one: skipped", i+1, pt)
			continue
		}
		gid, _ := o.str("groupid")
		gid = strings.ToLower(strings.Trim(strings.TrimSpace(gid), "{}"))
		pol, _ := o.str("policyname")
		if gid == "" || pol == "" {
			im.warn(file, "entry %d has no GroupId or PolicyName: skipped", i+1)
			continue
		}
		rank, ok := o.integer("rank")
		switch raw := o["rank"]; {
		case raw == nil:
			im.warn(file, "group %s has no Rank: recorded as rank 0", gid)
			rank = 0
		case !ok:
			im.warn(file, "group %s has Rank %v, not a whole number callops can hold: recorded as rank 0", gid, raw)
			rank = 0
		case rank < 1:
			im.warn(file, "group %s has Rank %d; ranks start at 1: kept as written", gid, rank)
		}
		name := PolicyName(pol)
		if strings.EqualFold(name, GlobalPolicy) {
			// The service does not assign Global to a group (Apply
			// refuses it, policy-global): the group follows the default.
			im.warn(file, "group %s is assigned the Global instance, which is no group assignment: skipped", gid)
			continue
		}
		if p := im.s.PolicyByIdentity(name); p != nil {
			name = p.Identity
		} else {
			im.warn(file, "group %s is assigned policy %s, which is not in %s: kept as written", gid, name, ExportPolicies)
		}
		out = append(out, GroupAssignment{GroupID: gid, PolicyName: name, Rank: rank})
	}
	return nil
}

func (im *importer) tenant(objs []psObject) error {
	const file = ExportTenant
	if len(objs) > 1 {
		im.warn(file, "%d objects: only the first is read", len(objs))
	}
	if len(objs) > 0 {
		o := objs[0]
		im.s.Tenant.Domain, _ = o.str("domain", "tenantdomain")
		def, _ := o.str("globalpolicy", "tenantdefault")
		def = PolicyName(def)
		switch {
		case def == "", strings.EqualFold(def, GlobalPolicy):
		case im.s.PolicyByIdentity(def) != nil:
			im.s.Tenant.GlobalPolicy = im.s.PolicyByIdentity(def).Identity
		default:
			im.warn(file, "the tenant default is policy %s, which is not in %s: kept as written", def, ExportPolicies)
			im.s.Tenant.GlobalPolicy = def
		}
	}
	if im.s.Tenant.Domain == "" {
		// No guess is recorded: the domain is what plans, imports and
		// scripts compare to tell one tenant from another, and a guess
		// (a UPN suffix) would make the right tenant look like another.
		// Over a state that has a domain, the state's is kept
		// (ReplaceState); export guesses one for the files, with a
		// warning.
		im.warn(file, "no tenant domain: the state records none, so callops can't tell this tenant from another (the export script writes it)")
	}
	return nil
}

// GuessDomain is the most common domain of the resource accounts' and
// users' UPNs (ties broken by name), "" when there is none: a stand-in for
// a state without a tenant domain, never recorded in one.
func GuessDomain(s *Snapshot) string {
	count := map[string]int{}
	add := func(upn string) {
		if i := strings.LastIndexByte(upn, '@'); i >= 0 {
			count[strings.ToLower(upn[i+1:])]++
		}
	}
	for _, ra := range s.ResourceAccounts {
		add(ra.UserPrincipalName)
	}
	for _, u := range s.Users {
		add(u.UserPrincipalName)
	}
	var names []string
	for d := range count {
		names = append(names, d)
	}
	sort.Strings(names)
	best := ""
	for _, d := range names {
		if best == "" || count[d] > count[best] {
			best = d
		}
	}
	return best
}

// policyLists reports whether the policy named name exists and lists e as
// an emergency number.
func (im *importer) policyLists(name, e string) bool {
	p := im.s.PolicyByIdentity(name)
	return p != nil && containsExact(p.EmergencyNumbers, e)
}

// crossCheck reports what the files say about each other that callops
// cannot keep: grants of policies that do not exist, emergency numbers the
// inventory shows as held by someone else, numbers the inventory shows as
// held by a policy that does not list them (repaired), users whose LineUri
// is not a number the inventory gives them.
func (im *importer) crossCheck() {
	s := im.s
	for i := range s.Users {
		u := &s.Users[i]
		if u.SharedCallingPolicy == "" {
			continue
		}
		if p := s.PolicyByIdentity(u.SharedCallingPolicy); p != nil {
			u.SharedCallingPolicy = p.Identity
		} else {
			im.warn(ExportUsers, "user %s is granted policy %s, which is not in %s: kept as written", u.UserPrincipalName, u.SharedCallingPolicy, ExportPolicies)
		}
	}
	for _, p := range s.Policies {
		for _, e := range p.EmergencyNumbers {
			n := s.NumberByTelephone(e)
			if n == nil {
				continue
			}
			switch t := n.AssignedPstnTargetID; {
			case t == "":
				// The inventory has not caught up with the policy (number
				// operations are asynchronous): the policy's list is what
				// the service uses.
				n.AssignedPstnTargetID = PolicyTargetPrefix + p.Identity
				n.PstnAssignmentStatus = StatusPolicyAssigned
				im.warn(ExportNumbers, "%s is an emergency number of policy %s but shows no assignment: recorded as held by the policy", e, p.Identity)
			case isPolicyTarget(t) && policyKey(t[len(PolicyTargetPrefix):]) == policyKey(p.Identity):
			case isPolicyTarget(t) && !im.policyLists(t[len(PolicyTargetPrefix):], e):
				// The inventory names a policy that does not list the
				// number (or does not exist): it lags behind a move.
				n.AssignedPstnTargetID = PolicyTargetPrefix + p.Identity
				n.PstnAssignmentStatus = StatusPolicyAssigned
				im.warn(ExportNumbers, "%s is an emergency number of policy %s but shows it held by policy %s, which does not list it: recorded as held by policy %s",
					e, p.Identity, t[len(PolicyTargetPrefix):], p.Identity)
			default:
				// Held by a user, account or unknown object: reported
				// with the holder's name by inconsistencies.
			}
		}
	}
	// A number the inventory shows held by a policy that is not in the
	// export, or that does not list it, and that no policy lists: a state
	// file can't keep the dangling holder (tenant.Snapshot.Validate), and
	// the policies' lists are what the service uses, so it is free.
	for i := range s.Numbers {
		n := &s.Numbers[i]
		if !isPolicyTarget(n.AssignedPstnTargetID) {
			continue
		}
		name := n.AssignedPstnTargetID[len(PolicyTargetPrefix):]
		if im.policyLists(name, n.TelephoneNumber) {
			continue
		}
		if s.PolicyByIdentity(name) == nil {
			im.warn(ExportNumbers, "%s is held by policy %s, which is not in %s: recorded as unassigned", n.TelephoneNumber, name, ExportPolicies)
		} else {
			im.warn(ExportNumbers, "%s is held by policy %s, whose emergency numbers do not list it: recorded as unassigned", n.TelephoneNumber, name)
		}
		n.AssignedPstnTargetID = ""
		n.PstnAssignmentStatus = StatusUnassigned
	}
	held := make(map[string][]string, len(s.Numbers)) // holder -> numbers, in inventory order
	for _, n := range s.Numbers {
		if n.AssignedPstnTargetID != "" {
			held[n.AssignedPstnTargetID] = append(held[n.AssignedPstnTargetID], n.TelephoneNumber)
		}
	}
	ids := make([]string, 0, len(im.lines))
	for id := range im.lines {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	for _, id := range ids {
		line := im.lines[id]
		if containsExact(held[id], line) {
			continue
		}
		u := s.UserByUPN(id)
		if len(held[id]) == 0 {
			im.warn(ExportUsers, "user %s has LineUri %q, which the number inventory does not assign to them: not imported", u.UserPrincipalName, line)
		} else {
			im.warn(ExportUsers, "user %s has LineUri %q but the number inventory assigns them %s: the inventory is kept", u.UserPrincipalName, line, strings.Join(held[id], ", "))
		}
	}
	s.Reindex()
}
