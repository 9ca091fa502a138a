package tenant

import (
	"maps"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"unsafe"
	"weak"
)

// The index lives beside the snapshot, not in it: Snapshot is a plain value
// that other packages compare with cmp.Diff and copy with *s, and an
// unexported field would break both. Indexes are kept in a table keyed by a
// weak pointer to the snapshot, so a snapshot that is no longer used takes
// its index with it.
//
// An index is trusted only while the snapshot's slices have the headers
// (data pointer and length) it was built from; Apply updates them as it
// mutates. A caller that edits elements in place (s.Users[3].SharedCallingPolicy
// = ...) must call Reindex.
var indexes = struct {
	sync.Mutex
	m map[weak.Pointer[Snapshot]]*index
}{m: map[weak.Pointer[Snapshot]]*index{}}

// index holds the lookups Apply and the helpers need, each O(1).
// Keys of UPNs, ObjectIds, policy identities, locations and group ids are
// lower-cased (the service compares them case-insensitively); numbers are
// keyed as written.
type index struct {
	users     map[string]int // lower UPN -> Users index
	usersByID map[string]int // lower ObjectId -> Users index
	ras       map[string]int // lower UPN -> ResourceAccounts index
	rasByID   map[string]int // lower ObjectId -> ResourceAccounts index
	numbers   map[string]int // TelephoneNumber -> Numbers index
	policies  map[string]int // lower identity -> Policies index
	locations map[string]int // lower LocationId -> Locations index
	groups    map[string]int // lower GroupId -> GroupAssignments index

	// held maps a lower holder ObjectId to the number it holds.
	held map[string]string
	// emergency maps an emergency number to the lower identity of the
	// policy that lists it (inventory or not). With a corrupt state a
	// number may be in two policies: the first wins here and
	// CheckInvariants reports the rest.
	emergency map[string]string
	// policyUsers maps a lower policy identity to the Users indexes granted
	// it directly.
	policyUsers map[string]map[int]struct{}
	// policyGroups counts group assignments per lower policy identity.
	policyGroups map[string]int
	// ranks maps a group assignment rank to its GroupAssignments index.
	ranks map[int]int

	// dups holds, per kind of key, the element whose key was the first
	// found twice while the index was built (Validate reports it; the maps
	// keep the last).
	dups map[dupKind]int

	hdr headers
	// stale forces a rebuild at the next use (Canonicalize reorders the
	// slices in place, which the headers do not show).
	stale bool
}

// headers records the slices an index was built from.
type headers [6]struct {
	p unsafe.Pointer
	n int
}

func headersOf(s *Snapshot) headers {
	var h headers
	h[0].p, h[0].n = unsafe.Pointer(unsafe.SliceData(s.Policies)), len(s.Policies)
	h[1].p, h[1].n = unsafe.Pointer(unsafe.SliceData(s.ResourceAccounts)), len(s.ResourceAccounts)
	h[2].p, h[2].n = unsafe.Pointer(unsafe.SliceData(s.Numbers)), len(s.Numbers)
	h[3].p, h[3].n = unsafe.Pointer(unsafe.SliceData(s.Locations)), len(s.Locations)
	h[4].p, h[4].n = unsafe.Pointer(unsafe.SliceData(s.Users)), len(s.Users)
	h[5].p, h[5].n = unsafe.Pointer(unsafe.SliceData(s.GroupAssignments)), len(s.GroupAssignments)
	return h
}

// ix returns the snapshot's index, building it on first use and rebuilding
// it when the snapshot's slices were replaced behind its back.
func (s *Snapshot) ix() *index {
	wp := weak.Make(s)
	indexes.Lock()
	defer indexes.Unlock()
	x := indexes.m[wp]
	switch {
	case x == nil:
		x = buildIndex(s)
		register(s, wp, x)
	case x.stale || x.hdr != headersOf(s):
		*x = *buildIndex(s)
	}
	return x
}

// setIndex makes x, built from s as it is now, the index of s, unless s has
// a current index already: that one is kept, untouched, so that Validate on
// a snapshot others are reading (through an index they got from ix) writes
// nothing they read. A stale index is replaced in the table, not
// overwritten: whoever holds the old one keeps reading the old maps.
func (s *Snapshot) setIndex(x *index) {
	wp := weak.Make(s)
	indexes.Lock()
	defer indexes.Unlock()
	old := indexes.m[wp]
	switch {
	case old == nil:
		register(s, wp, x)
	case old.stale || old.hdr != x.hdr:
		indexes.m[wp] = x
	}
}

// cloneIndex gives the clone c a copy of s's index when s has an up-to-date
// one: copying the maps costs a fraction of rebuilding them, which
// lower-cases every UPN and ObjectId of the tenant (the plan simulator
// clones a 50,000-user snapshot on every plan).
func cloneIndex(s, c *Snapshot) {
	indexes.Lock()
	defer indexes.Unlock()
	x := indexes.m[weak.Make(s)]
	if x == nil || x.stale || x.hdr != headersOf(s) {
		return
	}
	y := &index{
		users:        maps.Clone(x.users),
		usersByID:    maps.Clone(x.usersByID),
		ras:          maps.Clone(x.ras),
		rasByID:      maps.Clone(x.rasByID),
		numbers:      maps.Clone(x.numbers),
		policies:     maps.Clone(x.policies),
		locations:    maps.Clone(x.locations),
		groups:       maps.Clone(x.groups),
		held:         maps.Clone(x.held),
		emergency:    maps.Clone(x.emergency),
		policyUsers:  make(map[string]map[int]struct{}, len(x.policyUsers)),
		policyGroups: maps.Clone(x.policyGroups),
		ranks:        maps.Clone(x.ranks),
		hdr:          headersOf(c),
	}
	for k, m := range x.policyUsers {
		y.policyUsers[k] = maps.Clone(m)
	}
	register(c, weak.Make(c), y)
}

// register makes x the index of s (wp is weak.Make(s)) until s is
// collected. The caller holds indexes' lock.
func register(s *Snapshot, wp weak.Pointer[Snapshot], x *index) {
	indexes.m[wp] = x
	runtime.AddCleanup(s, func(wp weak.Pointer[Snapshot]) {
		indexes.Lock()
		delete(indexes.m, wp)
		indexes.Unlock()
	}, wp)
}

// Reindex makes the next lookup rebuild the index of s. Apply keeps the
// index up to date, replaced slices are detected and Canonicalize calls it;
// call it after changing elements of s's slices in place.
func (s *Snapshot) Reindex() {
	indexes.Lock()
	if x := indexes.m[weak.Make(s)]; x != nil {
		x.stale = true
	}
	indexes.Unlock()
}

func lower(s string) string { return strings.ToLower(s) }

// policyKey is the lookup key of a policy identity: lower-cased, without the
// "Tag:" prefix the service shows for per-user instances.
func policyKey(id string) string { return lower(PolicyName(id)) }

// dupKind is a kind of key a state must not repeat (Validate).
type dupKind int

const (
	dupPolicy dupKind = iota
	dupAccountID
	dupAccountUPN
	dupUserID
	dupUserUPN
	dupNumber
	dupLocation
	dupGroup
	numDupKinds
)

// noun names the key in Validate's message.
func (k dupKind) noun() string {
	switch k {
	case dupPolicy:
		return "policy"
	case dupAccountID, dupUserID:
		return "object id"
	case dupAccountUPN, dupUserUPN:
		return "user principal name"
	case dupNumber:
		return "number"
	case dupLocation:
		return "location"
	}
	return "group assignment"
}

// section is the state's list that holds keys of kind k.
func (k dupKind) section() string {
	switch k {
	case dupPolicy:
		return "policies"
	case dupAccountID, dupAccountUPN:
		return "resourceAccounts"
	case dupUserID, dupUserUPN:
		return "users"
	case dupNumber:
		return "numbers"
	case dupLocation:
		return "locations"
	}
	return "groupAssignments"
}

// comparedHow says, for Validate's message, how keys of kind k are
// compared ("" for numbers, compared as written).
func (k dupKind) comparedHow() string {
	switch k {
	case dupNumber:
		return ""
	case dupPolicy:
		return " (identities are compared case-insensitively, without \"Tag:\")"
	}
	return " (compared case-insensitively)"
}

// put sets m[k] = i and records k as a repeated key of its kind when m had
// it already (the first such key of each kind).
func (x *index) put(kind dupKind, m map[string]int, k string, i int) {
	n := len(m)
	m[k] = i
	if len(m) == n {
		if _, ok := x.dups[kind]; !ok {
			if x.dups == nil {
				x.dups = map[dupKind]int{}
			}
			x.dups[kind] = i
		}
	}
}

// indexBuilds counts buildIndex calls (tests check that reading a state
// builds its index once).
var indexBuilds atomic.Int64

func buildIndex(s *Snapshot) *index {
	indexBuilds.Add(1)
	x := &index{
		users:        make(map[string]int, len(s.Users)),
		usersByID:    make(map[string]int, len(s.Users)),
		ras:          make(map[string]int, len(s.ResourceAccounts)),
		rasByID:      make(map[string]int, len(s.ResourceAccounts)),
		numbers:      make(map[string]int, len(s.Numbers)),
		locations:    make(map[string]int, len(s.Locations)),
		held:         map[string]string{},
		emergency:    map[string]string{},
		policyUsers:  map[string]map[int]struct{}{},
		policyGroups: map[string]int{},
	}
	// Users name a few thousand policies: lower-case each name once, not
	// once per user (policy names have capitals, so each lowering
	// allocates).
	keys := make(map[string]string, len(s.Policies))
	for i, u := range s.Users {
		x.put(dupUserUPN, x.users, lower(u.UserPrincipalName), i)
		x.put(dupUserID, x.usersByID, lower(u.ObjectID), i)
		if p := u.SharedCallingPolicy; p != "" {
			k, ok := keys[p]
			if !ok {
				k = policyKey(p)
				keys[p] = k
			}
			x.grantUser(k, i)
		}
	}
	for i, ra := range s.ResourceAccounts {
		x.put(dupAccountUPN, x.ras, lower(ra.UserPrincipalName), i)
		x.put(dupAccountID, x.rasByID, lower(ra.ObjectID), i)
	}
	for i, n := range s.Numbers {
		x.put(dupNumber, x.numbers, n.TelephoneNumber, i)
		if t := n.AssignedPstnTargetID; t != "" && !isPolicyTarget(t) {
			if _, ok := x.held[lower(t)]; !ok {
				x.held[lower(t)] = n.TelephoneNumber
			}
		}
	}
	for i, l := range s.Locations {
		x.put(dupLocation, x.locations, lower(l.LocationID), i)
	}
	x.reindexPolicies(s)
	for _, p := range s.Policies {
		for _, e := range p.EmergencyNumbers {
			if _, ok := x.emergency[e]; !ok {
				x.emergency[e] = policyKey(p.Identity)
			}
		}
	}
	x.reindexGroups(s)
	x.hdr = headersOf(s)
	return x
}

// reindexPolicies rebuilds the identity lookup after the Policies slice
// changed shape (a create may reallocate, a delete shifts).
func (x *index) reindexPolicies(s *Snapshot) {
	x.policies = make(map[string]int, len(s.Policies))
	for i, p := range s.Policies {
		x.put(dupPolicy, x.policies, policyKey(p.Identity), i)
	}
}

// reindexGroups rebuilds the group, rank and per-policy count lookups.
func (x *index) reindexGroups(s *Snapshot) {
	x.groups = make(map[string]int, len(s.GroupAssignments))
	x.ranks = make(map[int]int, len(s.GroupAssignments))
	x.policyGroups = map[string]int{}
	for i, g := range s.GroupAssignments {
		x.put(dupGroup, x.groups, lower(g.GroupID), i)
		if _, ok := x.ranks[g.Rank]; !ok {
			x.ranks[g.Rank] = i
		}
		x.policyGroups[policyKey(g.PolicyName)]++
	}
}

func (x *index) grantUser(policy string, user int) {
	m := x.policyUsers[policy]
	if m == nil {
		m = map[int]struct{}{}
		x.policyUsers[policy] = m
	}
	m[user] = struct{}{}
}

func (x *index) revokeUser(policy string, user int) {
	if m := x.policyUsers[policy]; m != nil {
		delete(m, user)
		if len(m) == 0 {
			delete(x.policyUsers, policy)
		}
	}
}

func isPolicyTarget(t string) bool {
	return len(t) >= len(PolicyTargetPrefix) && strings.EqualFold(t[:len(PolicyTargetPrefix)], PolicyTargetPrefix)
}

// HolderKind says what kind of object holds a number.
type HolderKind int

// The kinds of holder. HolderUnknown is a number whose AssignedPstnTargetId
// names no user, resource account or policy of the snapshot (an object
// callops does not read, e.g. a conference bridge).
const (
	HolderNone HolderKind = iota
	HolderUser
	HolderResourceAccount
	HolderPolicy
	HolderUnknown
)

func (k HolderKind) String() string {
	switch k {
	case HolderNone:
		return "none"
	case HolderUser:
		return "user"
	case HolderResourceAccount:
		return "resource account"
	case HolderPolicy:
		return "policy"
	case HolderUnknown:
		return "unknown"
	}
	return "invalid"
}

// UserByUPN returns the user with that UPN or ObjectId (case-insensitive),
// or nil. The pointer is into s.Users: valid until s is changed.
func (s *Snapshot) UserByUPN(upn string) *User {
	x := s.ix()
	if i, ok := x.users[lower(upn)]; ok {
		return &s.Users[i]
	}
	if i, ok := x.usersByID[lower(upn)]; ok {
		return &s.Users[i]
	}
	return nil
}

// UserLookup returns a function that finds a user's index in s.Users by UPN
// (case-insensitive; unlike UserByUPN, never by ObjectId), reading s's index
// once: for a caller that looks up many users while s does not change (each
// UserByUPN call takes the index lock).
func (s *Snapshot) UserLookup() func(upn string) (int, bool) {
	users := s.ix().users
	return func(upn string) (int, bool) {
		i, ok := users[lower(upn)]
		return i, ok
	}
}

// UserIDLookup is UserLookup by ObjectId (case-insensitive).
func (s *Snapshot) UserIDLookup() func(objectID string) (int, bool) {
	byID := s.ix().usersByID
	return func(id string) (int, bool) {
		i, ok := byID[lower(id)]
		return i, ok
	}
}

// ResourceAccountByUPN returns the resource account with that UPN
// (case-insensitive), or nil.
func (s *Snapshot) ResourceAccountByUPN(upn string) *ResourceAccount {
	if i, ok := s.ix().ras[lower(upn)]; ok {
		return &s.ResourceAccounts[i]
	}
	return nil
}

// ResourceAccountByID returns the resource account with that ObjectId
// (case-insensitive), or nil.
func (s *Snapshot) ResourceAccountByID(id string) *ResourceAccount {
	if i, ok := s.ix().rasByID[lower(id)]; ok {
		return &s.ResourceAccounts[i]
	}
	return nil
}

// NumberByTelephone returns the inventory entry of a number, or nil.
// "+12223334444;ext=6789" and "+12223334444" are different entries.
func (s *Snapshot) NumberByTelephone(tel string) *Number {
	if i, ok := s.ix().numbers[tel]; ok {
		return &s.Numbers[i]
	}
	return nil
}

// PolicyByIdentity returns the policy with that identity (case-insensitive,
// with or without "Tag:"), or nil. The built-in Global instance is returned
// only when the snapshot lists it.
func (s *Snapshot) PolicyByIdentity(id string) *Policy {
	if i, ok := s.ix().policies[policyKey(id)]; ok {
		return &s.Policies[i]
	}
	return nil
}

// LocationByID returns the location with that LocationId
// (case-insensitive), or nil.
func (s *Snapshot) LocationByID(id string) *Location {
	if i, ok := s.ix().locations[lower(id)]; ok {
		return &s.Locations[i]
	}
	return nil
}

// GroupAssignmentByGroup returns the policy assignment of a group, or nil.
func (s *Snapshot) GroupAssignmentByGroup(group string) *GroupAssignment {
	if i, ok := s.ix().groups[lower(group)]; ok {
		return &s.GroupAssignments[i]
	}
	return nil
}

// NumberHeldBy returns the inventory entry of the number held by a user or
// resource account (UPN or ObjectId), or nil when it holds none.
func (s *Snapshot) NumberHeldBy(upnOrID string) *Number {
	id := upnOrID
	if u := s.UserByUPN(upnOrID); u != nil {
		id = u.ObjectID
	} else if ra := s.ResourceAccountByUPN(upnOrID); ra != nil {
		id = ra.ObjectID
	}
	if tel, ok := s.ix().held[lower(id)]; ok {
		return s.NumberByTelephone(tel)
	}
	return nil
}

// Holder says who holds a number: a user or resource account (name is its
// UPN), a policy (name is the policy identity; the number is one of its
// emergency numbers, in the inventory or not), an object callops does not
// know (name is the raw AssignedPstnTargetId), or nobody.
func (s *Snapshot) Holder(number string) (kind HolderKind, name string) {
	x := s.ix()
	if i, ok := x.numbers[number]; ok {
		t := s.Numbers[i].AssignedPstnTargetID
		switch {
		case t == "":
		case isPolicyTarget(t):
			if p := s.PolicyByIdentity(t[len(PolicyTargetPrefix):]); p != nil {
				return HolderPolicy, p.Identity
			}
			return HolderPolicy, t[len(PolicyTargetPrefix):]
		default:
			if j, ok := x.usersByID[lower(t)]; ok {
				return HolderUser, s.Users[j].UserPrincipalName
			}
			if j, ok := x.rasByID[lower(t)]; ok {
				return HolderResourceAccount, s.ResourceAccounts[j].UserPrincipalName
			}
			return HolderUnknown, t
		}
	}
	if p, ok := x.emergency[number]; ok {
		if j, ok := x.policies[p]; ok {
			return HolderPolicy, s.Policies[j].Identity
		}
	}
	return HolderNone, ""
}

// UsersOfPolicy returns the UPNs of the users granted a policy directly
// (case-insensitive identity), sorted.
func (s *Snapshot) UsersOfPolicy(name string) []string {
	m := s.ix().policyUsers[policyKey(name)]
	out := make([]string, 0, len(m))
	for i := range m {
		out = append(out, s.Users[i].UserPrincipalName)
	}
	sort.Strings(out)
	return out
}

// CountUsersOfPolicy is len(UsersOfPolicy(name)) without building the list.
func (s *Snapshot) CountUsersOfPolicy(name string) int {
	return len(s.ix().policyUsers[policyKey(name)])
}

// GroupsOfPolicy returns the group ids assigned a policy, sorted.
func (s *Snapshot) GroupsOfPolicy(name string) []string {
	k := policyKey(name)
	var out []string
	for _, g := range s.GroupAssignments {
		if policyKey(g.PolicyName) == k {
			out = append(out, g.GroupID)
		}
	}
	sort.Strings(out)
	return out
}
