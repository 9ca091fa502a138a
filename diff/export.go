package diff

import (
	"bytes"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// DesiredFromSnapshot returns the desired state that matches the tenant s as
// it is: computing changes from it against s gives none. It is what
// `callops export` writes, the starting point of a configuration and the
// target of a rollback.
//
// What it declares:
//   - tenant.domain and tenantDefault (only when a policy other than the
//     built-in Global instance is the tenant default; absent leaves it alone).
//   - every location with a valid country, and every location a declared
//     resource account's number uses; keys come from the description (or the
//     LocationId), lower-case letters, digits and '_', unique.
//   - every policy (the Global instance only when it has a resource
//     account) with its resource account's UPN (the ObjectId as stored when
//     the account is not in s, which the schema refuses: ExportIssues lists
//     these and AnnotateExport marks them in the files for the user to fix),
//     description, emergency numbers in order, direct users sorted, and
//     group assignments.
//   - the resource accounts policies use, with their number, its type and
//     its location.
//   - userNumbers: the numbers held by users who are granted a policy
//     directly. Other users' numbers are outside Shared Calling and stay
//     undeclared (so unmanaged): declaring every numbered user of a large
//     tenant would make one CUE struct of tens of thousands of fields, whose
//     evaluation cost grows quadratically.
//
// The result has no positions, is sorted (Desired.Sort) and never aliases s.
func DesiredFromSnapshot(s *tenant.Snapshot) *schema.Desired {
	d := &schema.Desired{Domain: s.Tenant.Domain}
	if d.Domain == "" {
		d.Domain = tenant.GuessDomain(s) // ExportIssues says so
	}

	usedRA := usedAccounts(s)
	usedLoc := usedLocations(s, usedRA)

	locKey := locationKeys(s.Locations, usedLoc)
	for _, l := range s.Locations {
		key, ok := locKey[strings.ToLower(l.LocationID)]
		if !ok {
			continue
		}
		d.Locations = append(d.Locations, schema.Location{Key: key, ID: l.LocationID, Country: strings.ToUpper(l.CountryOrRegion)})
	}

	for _, ra := range s.ResourceAccounts {
		if !usedRA[strings.ToLower(ra.ObjectID)] {
			continue
		}
		n := s.NumberHeldBy(ra.ObjectID)
		if n == nil {
			// No number to declare: the schema requires one, and leaving
			// the account out leaves it as it is.
			continue
		}
		out := schema.ResourceAccount{UPN: ra.UserPrincipalName, Number: n.TelephoneNumber, Type: exportType(n.NumberType)}
		if n.LocationID != "" {
			out.Location = locKey[strings.ToLower(n.LocationID)]
		}
		d.ResourceAccounts = append(d.ResourceAccounts, out)
	}

	groups := map[string][]schema.GroupGrant{} // lower policy identity
	for _, g := range s.GroupAssignments {
		k := strings.ToLower(g.PolicyName)
		groups[k] = append(groups[k], schema.GroupGrant{GroupID: g.GroupID, Rank: g.Rank})
	}
	usersOf := map[string][]schema.Located{} // lower policy identity
	granted := map[string]bool{}             // lower ObjectId
	for _, u := range s.Users {
		if u.SharedCallingPolicy == "" {
			continue
		}
		k := strings.ToLower(u.SharedCallingPolicy)
		usersOf[k] = append(usersOf[k], schema.Located{Value: u.UserPrincipalName})
		granted[strings.ToLower(u.ObjectID)] = true
	}
	for _, p := range s.Policies {
		if strings.EqualFold(p.Identity, schema.GlobalPolicy) && p.ResourceAccount == "" {
			continue
		}
		k := strings.ToLower(p.Identity)
		out := schema.Policy{Name: p.Identity, Description: p.Description, ResourceAccount: p.ResourceAccount}
		if ra := s.ResourceAccountByID(p.ResourceAccount); ra != nil {
			out.ResourceAccount = ra.UserPrincipalName
		}
		for _, e := range p.EmergencyNumbers {
			out.EmergencyNumbers = append(out.EmergencyNumbers, schema.Located{Value: e})
		}
		out.Users = usersOf[k]
		sort.Slice(out.Users, func(i, j int) bool { return out.Users[i].Value < out.Users[j].Value })
		out.Groups = groups[k]
		sort.Slice(out.Groups, func(i, j int) bool { return out.Groups[i].GroupID < out.Groups[j].GroupID })
		d.Policies = append(d.Policies, out)
	}

	if g := s.Tenant.GlobalPolicy; g != "" && !strings.EqualFold(g, schema.GlobalPolicy) {
		// As the policy is written (the tenant may report the default
		// in another case than the policy's identity). A default the
		// state has no policy for is left out (ExportIssues says so):
		// the desired state could not name it, and plan leaves an
		// undeclared default as it is.
		if p := s.PolicyByIdentity(g); p != nil {
			d.TenantDefault = p.Identity
		}
	}

	for _, n := range s.Numbers {
		t := n.AssignedPstnTargetID
		if t == "" || !granted[strings.ToLower(t)] {
			continue
		}
		u := s.UserByUPN(t)
		if u == nil {
			continue
		}
		d.UserNumbers = append(d.UserNumbers, schema.UserNumber{UPN: u.UserPrincipalName, Number: n.TelephoneNumber, Type: exportType(n.NumberType)})
	}

	d.Sort()
	return d
}

var countryRE = regexp.MustCompile(`^[A-Za-z]{2}$`)

// locationKeys gives each exported location a key: the slug of its
// description ("Redmond HQ" -> "redmond_hq"), else "location_" and the
// first eight hex digits of its LocationId; a key already taken gets "_2",
// "_3", ... in LocationId order. Locations without a valid country are left
// out unless used.
func locationKeys(locs []tenant.Location, used map[string]bool) map[string]string {
	sorted := append([]tenant.Location(nil), locs...)
	sort.Slice(sorted, func(i, j int) bool {
		return strings.ToLower(sorted[i].LocationID) < strings.ToLower(sorted[j].LocationID)
	})
	keys := make(map[string]string, len(sorted))
	taken := map[string]bool{}
	for _, l := range sorted {
		id := strings.ToLower(l.LocationID)
		if id == "" || (!countryRE.MatchString(l.CountryOrRegion) && !used[id]) {
			continue
		}
		base := slug(l.Description)
		if base == "" {
			hex := strings.ReplaceAll(id, "-", "")
			if len(hex) > 8 {
				hex = hex[:8]
			}
			base = "location_" + hex
		}
		key := base
		for i := 2; taken[key]; i++ {
			key = base + "_" + strconv.Itoa(i)
		}
		taken[key] = true
		keys[id] = key
	}
	return keys
}

// slug turns a description into a key: ASCII letters and digits lower-cased,
// runs of anything else one '_', no leading or trailing '_', a leading digit
// prefixed with "location_", at most 40 characters.
func slug(s string) string {
	var b strings.Builder
	sep := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			if sep && b.Len() > 0 {
				b.WriteByte('_')
			}
			sep = false
			b.WriteRune(r)
		default:
			sep = true
		}
		if b.Len() >= 40 {
			break
		}
	}
	out := strings.TrimRight(b.String(), "_")
	if out != "" && out[0] >= '0' && out[0] <= '9' {
		out = "location_" + out
	}
	return out
}

// exportType spells a number type as the schema does ("callingplan" is
// CallingPlan: the service compares types without case, the schema does
// not); a type the schema does not know is written as the state has it.
func exportType(t string) string {
	for _, k := range []string{schema.CallingPlan, schema.OperatorConnect, schema.DirectRouting} {
		if strings.EqualFold(t, k) {
			return k
		}
	}
	return t
}

// usedAccounts are the resource accounts (lower ObjectIds) the state's
// policies use.
func usedAccounts(s *tenant.Snapshot) map[string]bool {
	used := map[string]bool{}
	for _, p := range s.Policies {
		if p.ResourceAccount != "" {
			used[strings.ToLower(p.ResourceAccount)] = true
		}
	}
	return used
}

// usedLocations are the LocationIds (lower case) of the numbers held by the
// resource accounts in usedRA (lower ObjectIds): the locations the export
// writes whatever their country.
func usedLocations(s *tenant.Snapshot, usedRA map[string]bool) map[string]bool {
	used := map[string]bool{}
	for _, ra := range s.ResourceAccounts {
		if !usedRA[strings.ToLower(ra.ObjectID)] {
			continue
		}
		if n := s.NumberHeldBy(ra.ObjectID); n != nil && n.LocationID != "" {
			used[strings.ToLower(n.LocationID)] = true
		}
	}
	return used
}

// ExportIssue is something of a state that DesiredFromSnapshot can't
// declare as the schema wants, so that the export does not lint clean until
// the user fixes it: a policy whose resource account is not among the
// state's resource accounts is exported with the account's ObjectId, where
// the schema wants a UPN; a policy whose name the schema refuses as a key.
type ExportIssue struct {
	// Policy is the policy concerned.
	Policy string
	// ResourceAccount is the account's ObjectId as the state stores it
	// ("" for an issue of the policy's name).
	ResourceAccount string
	// Message says what is wrong and what to do, for a warning.
	Message string
}

// ExportIssues lists the issues of exporting s, in policy order.
func ExportIssues(s *tenant.Snapshot) []ExportIssue {
	var out []ExportIssue
	for _, p := range s.Policies {
		if name := tenant.PolicyName(p.Identity); !schema.ValidPolicyName(name) {
			out = append(out, ExportIssue{
				Policy: p.Identity,
				Message: fmt.Sprintf("policy %q: its name cannot be a key of the desired state (it holds ':' or control characters), so the export does not lint: "+
					"rename the policy in Teams and import again, or remove it from the exported files", p.Identity),
			})
		}
		if p.ResourceAccount == "" || s.ResourceAccountByID(p.ResourceAccount) != nil {
			continue
		}
		out = append(out, ExportIssue{
			Policy:          p.Identity,
			ResourceAccount: p.ResourceAccount,
			Message: fmt.Sprintf("policy %s: its resource account %s is not in the state, so the export names it by ObjectId, which does not lint: "+
				"replace it with the account's UPN (Get-CsOnlineApplicationInstance -Identity %s), or re-import the state", p.Identity, p.ResourceAccount, p.ResourceAccount),
		})
	}
	if s.Tenant.Domain == "" {
		msg := "the state records no tenant domain, and the export found no user principal name to take one from: write tenant.domain (the tenant's *.onmicrosoft.com domain)"
		if g := tenant.GuessDomain(s); g != "" {
			msg = fmt.Sprintf("the state records no tenant domain, so the export writes %s, the most common domain of its user principal names: "+
				"check it (the tenant's *.onmicrosoft.com domain is best), and import an export that has one", g)
		}
		out = append(out, ExportIssue{Message: msg})
	}
	if g := s.Tenant.GlobalPolicy; g != "" && !strings.EqualFold(g, schema.GlobalPolicy) && s.PolicyByIdentity(g) == nil {
		out = append(out, ExportIssue{
			Policy: g,
			Message: fmt.Sprintf("the tenant default %q is not a policy of the state, so the export leaves tenantDefault out (a plan of it leaves the default as it is): "+
				"import the tenant again, or write tenantDefault yourself", g),
		})
	}
	used := usedLocations(s, usedAccounts(s))
	for _, l := range s.Locations {
		if used[strings.ToLower(l.LocationID)] && !countryRE.MatchString(l.CountryOrRegion) {
			out = append(out, ExportIssue{
				Message: fmt.Sprintf("location %s: its country %q is not a two-letter ISO 3166 code, and a resource account's number uses it, so the export writes it and does not lint: "+
					"write the two-letter code (US for USA)", l.LocationID, l.CountryOrRegion),
			})
		}
	}
	out = append(out, orphanGrants(s)...)
	for _, v := range s.Inconsistencies() {
		if v.Rule == tenant.RuleNumberHeldTwice {
			if kind, _ := s.Holder(v.Number); kind == tenant.HolderUser {
				// A private line: the export writes a user's number only
				// for a granted user, which lint reports (user-has-number).
				continue
			}
		}
		out = append(out, ExportIssue{
			Policy: v.Policy,
			Message: fmt.Sprintf("the state breaks a rule the service keeps: %s [%s]; the export writes what the state says, so lint or a plan of it "+
				"will refuse it or change it: export and import the tenant again once it is quiet", v.Message, v.Rule),
		})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Policy < out[j].Policy })
	return out
}

// orphanGrants are the issues of grants (users, groups) of policies the
// export does not write (not in the state, or the built-in Global instance
// with nothing configured): the desired state cannot hold them, so the
// export leaves them out, and a plan of the export would revoke them.
func orphanGrants(s *tenant.Snapshot) []ExportIssue {
	exported := map[string]bool{}
	for _, p := range s.Policies {
		if !(strings.EqualFold(p.Identity, schema.GlobalPolicy) && p.ResourceAccount == "") {
			exported[strings.ToLower(p.Identity)] = true
		}
	}
	type grants struct {
		name          string
		users, groups []string
	}
	byPolicy := map[string]*grants{}
	at := func(name string) *grants {
		k := strings.ToLower(name)
		if byPolicy[k] == nil {
			byPolicy[k] = &grants{name: name}
		}
		return byPolicy[k]
	}
	for _, u := range s.Users {
		if u.SharedCallingPolicy != "" && !exported[strings.ToLower(u.SharedCallingPolicy)] {
			g := at(u.SharedCallingPolicy)
			g.users = append(g.users, u.UserPrincipalName)
		}
	}
	for _, ga := range s.GroupAssignments {
		if !exported[strings.ToLower(ga.PolicyName)] {
			g := at(ga.PolicyName)
			g.groups = append(g.groups, ga.GroupID)
		}
	}
	var out []ExportIssue
	for _, g := range byPolicy {
		var who []string
		if len(g.users) > 0 {
			who = append(who, countNames(g.users, "user", "users"))
		}
		if len(g.groups) > 0 {
			who = append(who, countNames(g.groups, "group", "groups"))
		}
		out = append(out, ExportIssue{
			Policy: g.name,
			Message: fmt.Sprintf("policy %q is granted to %s but is not in the state, so the export leaves those grants out and a plan of it would revoke them: "+
				"import a state that has the policy, or write the grants under another policy", g.name, strings.Join(who, " and ")),
		})
	}
	return out
}

// countNames is "1 user (a)", "2 users (a, b)", "5 users (a, b, c and 2
// more)", names sorted.
func countNames(names []string, one, many string) string {
	sort.Strings(names)
	noun := many
	if len(names) == 1 {
		noun = one
	}
	shown := names
	more := ""
	if len(names) > 3 {
		shown, more = names[:3], fmt.Sprintf(" and %d more", len(names)-3)
	}
	return fmt.Sprintf("%d %s (%s%s)", len(names), noun, strings.Join(shown, ", "), more)
}

// AnnotateExport returns data (a file Encode or EncodeFiles wrote from
// DesiredFromSnapshot) with a comment above each resourceAccount field that
// an issue concerns, saying what to fix, so that the user finds it where
// lint reports it. A file without such fields is returned as it is.
func AnnotateExport(data []byte, issues []ExportIssue) []byte {
	done := map[string]bool{}
	for _, is := range issues {
		if is.ResourceAccount == "" || done[is.ResourceAccount] {
			continue // policies sharing an account: one comment each already
		}
		done[is.ResourceAccount] = true
		re := regexp.MustCompile(`(?m)^([ \t]*)resourceAccount:[ \t]+` + regexp.QuoteMeta(strconv.Quote(is.ResourceAccount)) + `[ \t]*$`)
		comment := fmt.Sprintf("// TODO(callops export): resource account %s is not in the state: write its UPN here.", is.ResourceAccount)
		data = re.ReplaceAllFunc(data, func(line []byte) []byte {
			indent := line[:len(line)-len(bytes.TrimLeft(line, " \t"))]
			out := append(append([]byte{}, indent...), comment...)
			out = append(out, '\n')
			return append(out, line...)
		})
	}
	return data
}
