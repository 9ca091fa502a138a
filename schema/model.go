package schema

import "sort"

// Number types a number can have, as the service spells them (NumberType of
// Get-CsPhoneNumberAssignment, -PhoneNumberType of Set-CsPhoneNumberAssignment).
const (
	CallingPlan     = "CallingPlan"
	OperatorConnect = "OperatorConnect"
	DirectRouting   = "DirectRouting"
)

// GlobalPolicy is the identity of the built-in tenant-wide policy instance. It
// always exists and is never created or deleted.
const GlobalPolicy = "Global"

// Located is a string value of the desired state together with where it was
// written. Emergency numbers and user grants are lists of them.
type Located struct {
	Value string
	Pos   Pos
}

// Desired is the desired state of a tenant's Shared Calling configuration, as
// declared in one CUE package. All slices are sorted by their key (location
// key, UPN, policy name) so that every consumer iterates deterministically;
// lists inside a policy keep the order they were written in.
type Desired struct {
	Domain    string
	DomainPos Pos

	Locations        []Location
	ResourceAccounts []ResourceAccount
	Policies         []Policy

	// TenantDefault is the policy granted with -Global; empty when the
	// configuration does not declare one (the built-in Global instance).
	TenantDefault    string
	TenantDefaultPos Pos

	UserNumbers []UserNumber

	// Digest identifies the source: "sha256:" and the hex digest of the
	// names and contents of the files the state was loaded from.
	Digest string
	// Files lists the loaded files, relative to the loaded directory.
	Files []string

	index *index
}

// Location is an emergency location (an existing LIS LocationId) given a short
// key that resource accounts refer to.
type Location struct {
	Key        string
	ID         string
	Country    string
	Pos        Pos // the location's key
	IDPos      Pos
	CountryPos Pos
}

// ResourceAccount is a resource account whose number and location callops
// manages. callops never creates or deletes resource accounts.
type ResourceAccount struct {
	UPN         string
	Number      string
	Type        string
	Location    string // key of Desired.Locations; empty if not declared
	Pos         Pos    // the account's key
	NumberPos   Pos
	TypePos     Pos
	LocationPos Pos
}

// Policy is a Shared Calling routing policy (TeamsSharedCallingRoutingPolicy)
// and its grants. Name is the policy identity without the "Tag:" prefix.
type Policy struct {
	Name               string
	ResourceAccount    string // UPN of the resource account
	ResourceAccountPos Pos
	Description        string
	DescriptionPos     Pos
	EmergencyNumbers   []Located
	Users              []Located // UPNs granted the policy directly
	Groups             []GroupGrant
	Pos                Pos // the policy's key
}

// GroupGrant grants a policy to a group (Grant-CsTeamsSharedCallingRoutingPolicy
// -Group -Rank).
type GroupGrant struct {
	GroupID string
	Rank    int
	Pos     Pos
}

// UserNumber is a number held by a user, managed because it is declared.
// Number may carry ";ext=digits" (Direct Routing extension dialing).
type UserNumber struct {
	UPN       string
	Number    string
	Type      string
	Pos       Pos // the user's key
	NumberPos Pos
	TypePos   Pos
}

type index struct {
	locations map[string]int
	accounts  map[string]int
	policies  map[string]int
	users     map[string]int
}

func (d *Desired) idx() *index {
	if d.index != nil {
		return d.index
	}
	ix := &index{
		locations: make(map[string]int, len(d.Locations)),
		accounts:  make(map[string]int, len(d.ResourceAccounts)),
		policies:  make(map[string]int, len(d.Policies)),
		users:     make(map[string]int, len(d.UserNumbers)),
	}
	for i, l := range d.Locations {
		ix.locations[l.Key] = i
	}
	for i, ra := range d.ResourceAccounts {
		ix.accounts[ra.UPN] = i
	}
	for i, p := range d.Policies {
		ix.policies[p.Name] = i
	}
	for i, u := range d.UserNumbers {
		ix.users[u.UPN] = i
	}
	d.index = ix
	return ix
}

// Location returns the location with the given key.
func (d *Desired) Location(key string) (*Location, bool) {
	i, ok := d.idx().locations[key]
	if !ok {
		return nil, false
	}
	return &d.Locations[i], true
}

// ResourceAccount returns the declared resource account with the given UPN.
func (d *Desired) ResourceAccount(upn string) (*ResourceAccount, bool) {
	i, ok := d.idx().accounts[upn]
	if !ok {
		return nil, false
	}
	return &d.ResourceAccounts[i], true
}

// Policy returns the declared policy with the given name.
func (d *Desired) Policy(name string) (*Policy, bool) {
	i, ok := d.idx().policies[name]
	if !ok {
		return nil, false
	}
	return &d.Policies[i], true
}

// UserNumber returns the declared number of the user with the given UPN.
func (d *Desired) UserNumber(upn string) (*UserNumber, bool) {
	i, ok := d.idx().users[upn]
	if !ok {
		return nil, false
	}
	return &d.UserNumbers[i], true
}

// Sort puts every slice in key order and drops the lookup index. The loader
// calls it; code that builds a Desired by hand should call it too.
func (d *Desired) Sort() {
	sort.Slice(d.Locations, func(i, j int) bool { return d.Locations[i].Key < d.Locations[j].Key })
	sort.Slice(d.ResourceAccounts, func(i, j int) bool { return d.ResourceAccounts[i].UPN < d.ResourceAccounts[j].UPN })
	sort.Slice(d.Policies, func(i, j int) bool { return d.Policies[i].Name < d.Policies[j].Name })
	sort.Slice(d.UserNumbers, func(i, j int) bool { return d.UserNumbers[i].UPN < d.UserNumbers[j].UPN })
	d.index = nil
}
