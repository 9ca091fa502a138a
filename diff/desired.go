package diff

// Desired against desired: what a pull request changes in a desired state,
// object by object, for `callops diff --base REV`. Unlike Compute, no
// current state is involved and nothing is ordered: this is for review.

import (
	"sort"
	"strconv"
	"strings"

	"github.com/callops/callops/schema"
)

// DesiredChanges is what changes from one desired state (Base, e.g. a pull
// request's base commit) to another (Head). Every slice is sorted by its key
// (policy name, number, UPN, location key), so rendering is deterministic.
type DesiredChanges struct {
	// Domain is set when the tenant's domain changes.
	Domain *DesiredValueChange
	// Policies added, removed or changed (resource account, description,
	// emergency numbers, group grants), by name. Direct user grants are in
	// Users.
	Policies []DesiredPolicyChange
	// NumberMoves are numbers held on both sides by different holders
	// (policy, resource account or user): an emergency number moving from
	// one policy to another, a number moving from a policy to a user, ...
	NumberMoves []DesiredNumberMove
	// Users are users whose direct grant changes, by UPN (compared case
	// insensitively, as the service does). Before or After is "" when the
	// user is listed by no policy on that side.
	Users []GrantChange
	// ResourceAccounts declared on either side whose number, type or
	// location changes, by UPN.
	ResourceAccounts []DesiredAccountChange
	// Locations added, removed or changed, by key.
	Locations []DesiredLocationChange
	// UserNumbers (declared user numbers) added, removed or changed, by UPN.
	UserNumbers []DesiredUserNumberChange
	// TenantDefault is set when the policy granted with -Global changes
	// ("" is the built-in Global instance).
	TenantDefault *DefaultChange
}

// DesiredValueChange is a scalar that changes.
type DesiredValueChange struct {
	Before, After string
}

// DesiredPolicyChange is a policy added (Kind Create), removed (Delete) or
// whose fields change (Update). Before and After are the policy's canonical
// text (PolicyCanonicalText), "" on the side where it does not exist.
// UsersBefore and UsersAfter count its direct grants.
type DesiredPolicyChange struct {
	Name                    string
	Kind                    ChangeKind
	Before, After           string
	UsersBefore, UsersAfter int
}

// Unified is the change as a unified diff of the canonical texts, named
// base/policies/NAME and head/policies/NAME (/dev/null for the missing
// side, as git shows added and deleted files).
func (pc DesiredPolicyChange) Unified() string {
	oldName, newName := "base/policies/"+pc.Name, "head/policies/"+pc.Name
	if pc.Kind == Create {
		oldName = "/dev/null"
	}
	if pc.Kind == Delete {
		newName = "/dev/null"
	}
	return Unified(oldName, newName, pc.Before, pc.After, DefaultContext)
}

// DesiredNumberMove is a number whose holder changes. From and To name holders as
// people read them: "policy Redmond", "resource account ra1@contoso.com",
// "user carol@contoso.com".
type DesiredNumberMove struct {
	Number   string
	From, To string
}

// DesiredAccount is what a desired state says of a resource account.
type DesiredAccount struct {
	Number, Type, Location string
}

// DesiredAccountChange is a resource account declared on one side only
// (Create: callops starts managing it; Delete: it stops, the account is not
// deleted) or whose declaration changes (Update).
type DesiredAccountChange struct {
	UPN           string
	Kind          ChangeKind
	Before, After DesiredAccount // zero on the side where it is not declared
}

// DesiredLocation is a declared emergency location.
type DesiredLocation struct {
	ID, Country string
}

// DesiredLocationChange is a location key added, removed or changed.
type DesiredLocationChange struct {
	Key           string
	Kind          ChangeKind
	Before, After DesiredLocation
}

// DesiredNumber is a declared user number.
type DesiredNumber struct {
	Number, Type string
}

// DesiredUserNumberChange is a userNumbers entry added, removed or changed.
type DesiredUserNumberChange struct {
	UPN           string
	Kind          ChangeKind
	Before, After DesiredNumber
}

// Empty reports whether the two desired states declare the same thing.
func (c *DesiredChanges) Empty() bool {
	return c.Domain == nil && len(c.Policies) == 0 && len(c.NumberMoves) == 0 && len(c.Users) == 0 &&
		len(c.ResourceAccounts) == 0 && len(c.Locations) == 0 && len(c.UserNumbers) == 0 && c.TenantDefault == nil
}

// CompareDesired returns what changes from base to head. Either may be nil
// (no desired state on that side, e.g. a directory a pull request adds).
// It never fails: two desired states that lint would reject still compare
// (a user listed by two policies counts under the first by name).
func CompareDesired(base, head *schema.Desired) *DesiredChanges {
	if base == nil {
		base = &schema.Desired{}
	}
	if head == nil {
		head = &schema.Desired{}
	}
	c := &DesiredChanges{}
	if base.Domain != head.Domain {
		c.Domain = &DesiredValueChange{Before: base.Domain, After: head.Domain}
	}
	c.Policies = desiredPolicies(base, head)
	c.NumberMoves = desiredNumberMoves(base, head)
	c.Users = desiredUserMoves(base, head)
	c.ResourceAccounts = desiredAccounts(base, head)
	c.Locations = desiredLocations(base, head)
	c.UserNumbers = desiredUserNumbers(base, head)
	if base.TenantDefault != head.TenantDefault {
		c.TenantDefault = &DefaultChange{Before: base.TenantDefault, After: head.TenantDefault}
	}
	return c
}

// PolicyCanonicalText writes a policy's fields (all but its user grants,
// which change in bulk and are counted instead) one per line, in a fixed
// order and CUE-like syntax, so that two versions diff line by line:
// emergency numbers keep their order (the service presents them in order),
// groups are sorted by id.
func PolicyCanonicalText(p *schema.Policy) string {
	var b strings.Builder
	b.WriteString("resourceAccount: " + strconv.Quote(p.ResourceAccount) + "\n")
	b.WriteString("description: " + strconv.Quote(p.Description) + "\n")
	if len(p.EmergencyNumbers) == 0 {
		b.WriteString("emergencyNumbers: []\n")
	} else {
		b.WriteString("emergencyNumbers: [\n")
		for _, n := range p.EmergencyNumbers {
			b.WriteString("  " + strconv.Quote(n.Value) + ",\n")
		}
		b.WriteString("]\n")
	}
	groups := append([]schema.GroupGrant(nil), p.Groups...)
	sort.Slice(groups, func(i, j int) bool { return groups[i].GroupID < groups[j].GroupID })
	if len(groups) == 0 {
		b.WriteString("groups: {}\n")
	} else {
		b.WriteString("groups: {\n")
		for _, g := range groups {
			b.WriteString("  " + strconv.Quote(g.GroupID) + ": " + strconv.Itoa(g.Rank) + "\n")
		}
		b.WriteString("}\n")
	}
	return b.String()
}

func desiredPolicies(base, head *schema.Desired) []DesiredPolicyChange {
	before := map[string]*schema.Policy{}
	for i := range base.Policies {
		before[base.Policies[i].Name] = &base.Policies[i]
	}
	after := map[string]*schema.Policy{}
	for i := range head.Policies {
		after[head.Policies[i].Name] = &head.Policies[i]
	}
	var out []DesiredPolicyChange
	for _, name := range desiredKeys(before, after) {
		b, a := before[name], after[name]
		pc := DesiredPolicyChange{Name: name}
		if b != nil {
			pc.Before, pc.UsersBefore = PolicyCanonicalText(b), len(b.Users)
		}
		if a != nil {
			pc.After, pc.UsersAfter = PolicyCanonicalText(a), len(a.Users)
		}
		switch {
		case b == nil:
			pc.Kind = Create
		case a == nil:
			pc.Kind = Delete
		case pc.Before != pc.After:
			pc.Kind = Update
		default:
			continue
		}
		out = append(out, pc)
	}
	return out
}

// desiredKeys returns the keys of two maps, sorted and without duplicates.
func desiredKeys[V any](a, b map[string]V) []string {
	keys := make([]string, 0, len(a)+len(b))
	for k := range a {
		keys = append(keys, k)
	}
	for k := range b {
		if _, ok := a[k]; !ok {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	return keys
}

// desiredHolders maps every number of d to its holder's name; a number
// declared twice (a lint error) keeps its first holder in the order policies,
// resource accounts, users.
func desiredHolders(d *schema.Desired) map[string]string {
	h := map[string]string{}
	add := func(number, holder string) {
		if _, ok := h[number]; !ok && number != "" {
			h[number] = holder
		}
	}
	for _, p := range d.Policies {
		for _, n := range p.EmergencyNumbers {
			add(n.Value, "policy "+p.Name)
		}
	}
	for _, ra := range d.ResourceAccounts {
		add(ra.Number, "resource account "+ra.UPN)
	}
	for _, u := range d.UserNumbers {
		add(u.Number, "user "+u.UPN)
	}
	return h
}

func desiredNumberMoves(base, head *schema.Desired) []DesiredNumberMove {
	before, after := desiredHolders(base), desiredHolders(head)
	var out []DesiredNumberMove
	for n, from := range before {
		if to, ok := after[n]; ok && to != from {
			out = append(out, DesiredNumberMove{Number: n, From: from, To: to})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Number < out[j].Number })
	return out
}

// desiredGrants maps each user (lower-cased UPN) to its policy and the UPN
// as written.
func desiredGrants(d *schema.Desired) map[string][2]string {
	g := map[string][2]string{}
	for _, p := range d.Policies { // sorted by name: the first policy wins
		for _, u := range p.Users {
			k := strings.ToLower(u.Value)
			if _, ok := g[k]; !ok {
				g[k] = [2]string{p.Name, u.Value}
			}
		}
	}
	return g
}

func desiredUserMoves(base, head *schema.Desired) []GrantChange {
	before, after := desiredGrants(base), desiredGrants(head)
	var out []GrantChange
	for _, k := range desiredKeys(before, after) {
		b, a := before[k], after[k]
		if b[0] == a[0] {
			continue
		}
		upn := a[1]
		if upn == "" {
			upn = b[1]
		}
		out = append(out, GrantChange{User: upn, Before: b[0], After: a[0]})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].User < out[j].User })
	return out
}

func desiredKind(inBase, inHead bool) ChangeKind {
	switch {
	case !inBase:
		return Create
	case !inHead:
		return Delete
	}
	return Update
}

// compareKeyed compares two keyed collections, each built by collect from
// one side, and returns a change, made by change, for every key added,
// removed or whose value differs, in key order.
func compareKeyed[V comparable, C any](base, head *schema.Desired, collect func(*schema.Desired) map[string]V,
	change func(key string, kind ChangeKind, before, after V) C) []C {
	before, after := collect(base), collect(head)
	var out []C
	for _, k := range desiredKeys(before, after) {
		b, inB := before[k]
		a, inA := after[k]
		if inB && inA && a == b {
			continue
		}
		out = append(out, change(k, desiredKind(inB, inA), b, a))
	}
	return out
}

func desiredAccounts(base, head *schema.Desired) []DesiredAccountChange {
	return compareKeyed(base, head, func(d *schema.Desired) map[string]DesiredAccount {
		m := map[string]DesiredAccount{}
		for _, ra := range d.ResourceAccounts {
			m[ra.UPN] = DesiredAccount{Number: ra.Number, Type: ra.Type, Location: ra.Location}
		}
		return m
	}, func(k string, kind ChangeKind, b, a DesiredAccount) DesiredAccountChange {
		return DesiredAccountChange{UPN: k, Kind: kind, Before: b, After: a}
	})
}

func desiredLocations(base, head *schema.Desired) []DesiredLocationChange {
	return compareKeyed(base, head, func(d *schema.Desired) map[string]DesiredLocation {
		m := map[string]DesiredLocation{}
		for _, l := range d.Locations {
			m[l.Key] = DesiredLocation{ID: l.ID, Country: l.Country}
		}
		return m
	}, func(k string, kind ChangeKind, b, a DesiredLocation) DesiredLocationChange {
		return DesiredLocationChange{Key: k, Kind: kind, Before: b, After: a}
	})
}

func desiredUserNumbers(base, head *schema.Desired) []DesiredUserNumberChange {
	return compareKeyed(base, head, func(d *schema.Desired) map[string]DesiredNumber {
		m := map[string]DesiredNumber{}
		for _, u := range d.UserNumbers {
			m[u.UPN] = DesiredNumber{Number: u.Number, Type: u.Type}
		}
		return m
	}, func(k string, kind ChangeKind, b, a DesiredNumber) DesiredUserNumberChange {
		return DesiredUserNumberChange{UPN: k, Kind: kind, Before: b, After: a}
	})
}
