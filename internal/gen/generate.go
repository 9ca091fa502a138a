package gen

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"

	"github.com/callops/callops/tenant"
)

// Options says what tenant to generate.
type Options struct {
	// Policies is the number of policies of the desired state (>= 1).
	Policies int
	// UsersPerPolicy is the number of users granted each policy directly.
	UsersPerPolicy int
	// Seed makes the output reproducible: the same Options give the same
	// tenant, byte for byte.
	Seed int64
	// Drift is the fraction (0 to 1) of policies and grants that differ
	// between the desired and the current state: Drift of the grants move
	// users to another policy, Drift of the policies get an emergency number
	// changed, and Drift/5 of the policies are created (and as many deleted).
	Drift float64
}

// Limits of Options, so that a typo cannot ask for a tenant that fills the
// disk.
const (
	MaxPolicies       = 100000
	MaxUsersPerPolicy = 10000
	MaxUsers          = 5000000
)

// DefaultDomain is the tenant domain of generated tenants; users and
// resource accounts have UPNs in UPNDomain.
const (
	DefaultDomain = "contoso.onmicrosoft.com"
	UPNDomain     = "contoso.com"
)

// Location is a generated emergency location.
type Location struct {
	Key, ID, Country, Description string
}

// ResourceAccount is a generated resource account as the desired state
// declares it. ObjectID is its id in the current state.
type ResourceAccount struct {
	UPN, ObjectID, Number, Type, Location string
}

// GroupGrant grants a policy to a group.
type GroupGrant struct {
	GroupID string
	Rank    int
}

// Policy is a generated policy as the desired state declares it.
type Policy struct {
	Name             string
	ResourceAccount  string // UPN
	Description      string
	EmergencyNumbers []string
	Users            []string // UPNs, in the order written
	Groups           []GroupGrant
}

// UserNumber is a number held by a user, declared in userNumbers.
type UserNumber struct {
	UPN, Number, Type string
}

// DriftStats counts the differences between the desired and current state.
type DriftStats struct {
	MovedUsers       int // users granted another policy in the desired state
	ChangedEmergency int // policies with an emergency number replaced
	CreatedPolicies  int // policies only in the desired state
	DeletedPolicies  int // policies only in the current state
}

// Tenant is a generated desired state and the current state it is planned
// against. Slices are in generation order (policies by name).
type Tenant struct {
	Options Options
	Domain  string

	Locations        []Location
	ResourceAccounts []ResourceAccount
	Policies         []Policy
	TenantDefault    string
	UserNumbers      []UserNumber

	// State is the current state, consistent on its own (it keeps the
	// service's invariants) and differing from the desired state by Drift.
	State *tenant.Snapshot
	Drift DriftStats
}

// Users returns the number of users granted a policy in the desired state.
func (t *Tenant) Users() int {
	n := 0
	for _, p := range t.Policies {
		n += len(p.Users)
	}
	return n
}

// Generate builds a tenant. It fails only for Options out of range.
func Generate(opts Options) (*Tenant, error) {
	switch {
	case opts.Policies < 1 || opts.Policies > MaxPolicies:
		return nil, fmt.Errorf("generating tenant: policies must be 1 to %d, not %d", MaxPolicies, opts.Policies)
	case opts.UsersPerPolicy < 0 || opts.UsersPerPolicy > MaxUsersPerPolicy:
		return nil, fmt.Errorf("generating tenant: users per policy must be 0 to %d, not %d", MaxUsersPerPolicy, opts.UsersPerPolicy)
	case opts.Policies*opts.UsersPerPolicy > MaxUsers:
		return nil, fmt.Errorf("generating tenant: %d users is more than the limit of %d", opts.Policies*opts.UsersPerPolicy, MaxUsers)
	case math.IsNaN(opts.Drift) || opts.Drift < 0 || opts.Drift > 1:
		return nil, errors.New("generating tenant: drift must be between 0 and 1")
	}
	g := &generator{
		opts: opts,
		rng:  rand.New(rand.NewPCG(uint64(opts.Seed), 0x9e3779b97f4a7c15)),
		t:    &Tenant{Options: opts, Domain: DefaultDomain},
	}
	for _, s := range sites {
		g.pools = append(g.pools, newNumberPool(s))
	}
	if err := g.build(); err != nil {
		return nil, fmt.Errorf("generating tenant: %w", err)
	}
	return g.t, nil
}

// generator holds the state of one Generate call.
type generator struct {
	opts  Options
	rng   *rand.Rand
	pools []*numberPool
	t     *Tenant

	state    *tenant.Snapshot
	userSeq  int
	locIDs   []string // LocationId per site
	policies []*policySpec
}

// policySpec is one policy of either state, before drift is applied.
type policySpec struct {
	name, description string
	site              int
	numberType        string
	ra                ResourceAccount
	emergency         []string // as the current state has them
	users             []string // as the current state grants them
	inDesired         bool
	inState           bool
	// desiredEmergency and desiredUsers are what the desired state says.
	desiredEmergency []string
	desiredUsers     []string
	groups           []GroupGrant
}

// guid returns a random version 4 GUID, lower case.
func (g *generator) guid() string {
	a, b := g.rng.Uint64(), g.rng.Uint64()
	return fmt.Sprintf("%08x-%04x-4%03x-%04x-%012x",
		a>>32, (a>>16)&0xffff, a&0xfff, 0x8000|(b>>48)&0x3fff, b&0xffffffffffff)
}

func (g *generator) number(site int) (string, error) {
	return g.pools[site].next()
}

func (g *generator) user() string {
	g.userSeq++
	return fmt.Sprintf("user%07d@%s", g.userSeq, UPNDomain)
}

func (g *generator) build() error {
	o := g.opts
	t := g.t
	g.state = &tenant.Snapshot{Format: tenant.Format, Serial: 1, Tenant: tenant.Info{Domain: t.Domain}}
	g.state.Lineage = g.guid()

	for _, s := range sites {
		id := g.guid()
		g.locIDs = append(g.locIDs, id)
		desc := s.name + " office"
		t.Locations = append(t.Locations, Location{Key: s.key, ID: id, Country: s.country, Description: desc})
		g.state.Locations = append(g.state.Locations, tenant.Location{LocationID: id, CountryOrRegion: s.country, Description: desc})
	}

	// Policies 0..common-1 are in both states, common..P-1 only in the
	// desired state (created), P..P+churn-1 only in the current state
	// (deleted). Created policy k takes the users of deleted policy k.
	churn := int(math.Round(o.Drift * float64(o.Policies) / 5))
	churn = min(churn, o.Policies/2)
	common := o.Policies - churn
	for i := 0; i < o.Policies+churn; i++ {
		site := i % len(sites)
		s := sites[site]
		p := &policySpec{
			name:        fmt.Sprintf("%s-%05d", s.name, i+1),
			description: fmt.Sprintf("Shared line %d for %s", i+1, s.name),
			site:        site,
			numberType:  tenant.TypeCallingPlan,
			inDesired:   i < o.Policies,
			inState:     i < common || i >= o.Policies,
		}
		if i%6 == 5 {
			p.numberType = tenant.TypeOperatorConnect
		}
		num, err := g.number(site)
		if err != nil {
			return err
		}
		p.ra = ResourceAccount{
			UPN:      fmt.Sprintf("ra-%s-%05d@%s", s.key, i+1, UPNDomain),
			ObjectID: g.guid(),
			Number:   num,
			Type:     p.numberType,
			Location: s.key,
		}
		for e := 0; e < 2; e++ {
			n, err := g.number(site)
			if err != nil {
				return err
			}
			p.emergency = append(p.emergency, n)
		}
		p.desiredEmergency = append([]string(nil), p.emergency...)
		switch {
		case i < common:
			for u := 0; u < o.UsersPerPolicy; u++ {
				p.users = append(p.users, g.user())
			}
		case i >= o.Policies:
			for u := 0; u < o.UsersPerPolicy; u++ {
				p.users = append(p.users, g.user())
			}
			g.policies[common+(i-o.Policies)].desiredUsers = p.users
		}
		g.policies = append(g.policies, p)
	}
	for _, p := range g.policies[:common] {
		p.desiredUsers = p.users
	}

	if err := g.driftEmergency(common); err != nil {
		return err
	}
	g.driftGrants(common)
	g.t.Drift.CreatedPolicies, g.t.Drift.DeletedPolicies = churn, churn

	// Group grants: a few, with unique ranks, on policies of both states.
	groups := min(40, o.Policies/50)
	for j := 0; j < groups && common > 0; j++ {
		p := g.policies[j*common/groups]
		gg := GroupGrant{GroupID: g.guid(), Rank: j + 1}
		p.groups = append(p.groups, gg)
		g.state.GroupAssignments = append(g.state.GroupAssignments, tenant.GroupAssignment{GroupID: gg.GroupID, PolicyName: p.name, Rank: gg.Rank})
	}
	if common > 0 {
		t.TenantDefault = g.policies[0].name
		g.state.Tenant.GlobalPolicy = t.TenantDefault
	}
	if err := g.userNumbers(); err != nil {
		return err
	}
	g.assemble()
	t.State = g.state
	return nil
}

// driftEmergency replaces the second emergency number of Drift of the
// common policies by a free number of the tenant (same site, so same type
// and country).
func (g *generator) driftEmergency(common int) error {
	n := min(int(math.Round(g.opts.Drift*float64(g.opts.Policies))), common)
	for _, i := range g.rng.Perm(common)[:n] {
		p := g.policies[i]
		num, err := g.number(p.site)
		if err != nil {
			return err
		}
		p.desiredEmergency = []string{p.emergency[0], num}
		g.freeNumber(num, p.numberType, p.site)
	}
	// Created policies' emergency numbers are free in the current state.
	for _, p := range g.policies {
		if p.inDesired && !p.inState {
			for _, e := range p.emergency {
				g.freeNumber(e, p.numberType, p.site)
			}
		}
	}
	g.t.Drift.ChangedEmergency = n
	return nil
}

// driftGrants moves Drift of the grants of common policies to another
// common policy in the desired state.
func (g *generator) driftGrants(common int) {
	total := common * g.opts.UsersPerPolicy
	n := min(int(math.Round(g.opts.Drift*float64(g.opts.Policies*g.opts.UsersPerPolicy))), total)
	if common < 2 || n == 0 {
		return
	}
	moved := make(map[int]int, n) // user index (policy*UPP+j) -> destination policy
	for _, k := range g.rng.Perm(total)[:n] {
		from := k / g.opts.UsersPerPolicy
		to := g.rng.IntN(common - 1)
		if to >= from {
			to++
		}
		moved[k] = to
	}
	incoming := make([][]string, common)
	for k := 0; k < total; k++ { // in index order, so the result is deterministic
		if to, ok := moved[k]; ok {
			from := k / g.opts.UsersPerPolicy
			incoming[to] = append(incoming[to], g.policies[from].users[k%g.opts.UsersPerPolicy])
		}
	}
	for i, p := range g.policies[:common] {
		kept := make([]string, 0, len(p.users)+len(incoming[i]))
		for j, u := range p.users {
			if _, ok := moved[i*g.opts.UsersPerPolicy+j]; !ok {
				kept = append(kept, u)
			}
		}
		p.desiredUsers = append(kept, incoming[i]...)
	}
	g.t.Drift.MovedUsers = n
}

// freeNumber adds an unassigned number to the inventory.
func (g *generator) freeNumber(num, typ string, site int) {
	g.state.Numbers = append(g.state.Numbers, tenant.Number{
		TelephoneNumber: num, NumberType: typ, IsoCountryCode: sites[site].country,
		PstnAssignmentStatus: tenant.StatusUnassigned, Capability: []string{"UserAssignment"}, NumberSource: "Online",
	})
}

// userNumbers declares a few users who hold a number and are granted no
// policy (user-has-number): a small, bounded struct, whatever the size.
func (g *generator) userNumbers() error {
	n := min(20, g.opts.Policies/100+1)
	for j := 0; j < n; j++ {
		site := j % len(sites)
		num, err := g.number(site)
		if err != nil {
			return err
		}
		upn := fmt.Sprintf("voice%03d@%s", j+1, UPNDomain)
		id := g.guid()
		g.t.UserNumbers = append(g.t.UserNumbers, UserNumber{UPN: upn, Number: num, Type: tenant.TypeCallingPlan})
		g.state.Users = append(g.state.Users, tenant.User{ObjectID: id, UserPrincipalName: upn, EnterpriseVoiceEnabled: true})
		g.state.Numbers = append(g.state.Numbers, tenant.Number{
			TelephoneNumber: num, NumberType: tenant.TypeCallingPlan, IsoCountryCode: sites[site].country,
			LocationID: g.locIDs[site], AssignedPstnTargetID: id, PstnAssignmentStatus: tenant.StatusUserAssigned,
			Capability: []string{"UserAssignment"}, NumberSource: "Online",
		})
	}
	return nil
}

// assemble writes the policy specs into the desired model and the current
// state.
func (g *generator) assemble() {
	t, s := g.t, g.state
	for _, p := range g.policies {
		site := sites[p.site]
		// Every resource account exists in the tenant with its number
		// assigned and located, whether a policy uses it or not.
		s.ResourceAccounts = append(s.ResourceAccounts, tenant.ResourceAccount{
			ObjectID: p.ra.ObjectID, UserPrincipalName: p.ra.UPN, DisplayName: p.name + " shared line",
		})
		s.Numbers = append(s.Numbers, tenant.Number{
			TelephoneNumber: p.ra.Number, NumberType: p.numberType, IsoCountryCode: site.country,
			LocationID: g.locIDs[p.site], AssignedPstnTargetID: p.ra.ObjectID,
			PstnAssignmentStatus: tenant.StatusVoiceAppAssigned, Capability: []string{"VoiceApplicationAssignment"},
			NumberSource: "Online",
		})
		if p.inDesired {
			t.ResourceAccounts = append(t.ResourceAccounts, p.ra)
			t.Policies = append(t.Policies, Policy{
				Name: p.name, ResourceAccount: p.ra.UPN, Description: p.description,
				EmergencyNumbers: p.desiredEmergency, Users: p.desiredUsers, Groups: p.groups,
			})
		}
		for _, u := range p.users {
			pol := ""
			if p.inState {
				pol = p.name
			}
			s.Users = append(s.Users, tenant.User{ObjectID: g.guid(), UserPrincipalName: u, EnterpriseVoiceEnabled: true, SharedCallingPolicy: pol})
		}
		if p.inState {
			s.Policies = append(s.Policies, tenant.Policy{
				Identity: p.name, Description: p.description, ResourceAccount: p.ra.ObjectID,
				EmergencyNumbers: append([]string(nil), p.emergency...),
			})
			for _, e := range p.emergency {
				s.Numbers = append(s.Numbers, tenant.Number{
					TelephoneNumber: e, NumberType: p.numberType, IsoCountryCode: site.country,
					AssignedPstnTargetID: tenant.PolicyTargetPrefix + p.name, PstnAssignmentStatus: tenant.StatusPolicyAssigned,
					Capability: []string{"UserAssignment"}, NumberSource: "Online",
				})
			}
		}
	}
	s.Canonicalize()
}
