// Package diff compares a desired state with a tenant's current state and
// returns typed changes, object by object, and renders changed objects for
// humans as unified diffs.
//
// It decides what changes, never in which order: ordering the changes into
// steps the service accepts is package apply's job. It never prints and never
// mutates the snapshot it reads.
package diff

// ChangeKind says what happens to a policy.
type ChangeKind string

// Kinds of policy change.
const (
	Create ChangeKind = "create"
	Update ChangeKind = "update"
	Delete ChangeKind = "delete"
)

// Changes is everything that differs between a desired state and a tenant's
// current state, within callops' scope of management (DESIGN.md section 2).
// Every slice is sorted by its key (policy name, UPN, number, group id), so
// consumers iterate deterministically. The zero Changes means "no changes".
type Changes struct {
	// Policies created, updated (resource account, description, emergency
	// numbers) or deleted, by name.
	Policies []PolicyChange
	// ResourceAccounts whose number or location changes (declared accounts
	// only), by UPN.
	ResourceAccounts []AccountChange
	// UserNumbers whose number changes (declared userNumbers only), by UPN.
	UserNumbers []UserNumberChange
	// Releases are numbers that leave a user or resource account the
	// desired state does not declare, because the desired state gives them
	// to another holder; by number.
	Releases []Release
	// Grants are direct policy grants of users that change, by UPN.
	Grants []GrantChange
	// Groups are group policy assignments that change, by group id.
	Groups []GroupChange
	// TenantDefault is the change of the policy granted with -Global, nil
	// when it does not change.
	TenantDefault *DefaultChange
}

// Empty reports whether c changes nothing.
func (c *Changes) Empty() bool {
	return len(c.Policies) == 0 && len(c.ResourceAccounts) == 0 && len(c.UserNumbers) == 0 &&
		len(c.Releases) == 0 && len(c.Grants) == 0 && len(c.Groups) == 0 && c.TenantDefault == nil
}

// Count is the number of changed objects in c.
func (c *Changes) Count() int {
	n := len(c.Policies) + len(c.ResourceAccounts) + len(c.UserNumbers) + len(c.Releases) + len(c.Grants) + len(c.Groups)
	if c.TenantDefault != nil {
		n++
	}
	return n
}

// PolicyFields are the managed fields of a policy.
type PolicyFields struct {
	// ResourceAccount is the account's UPN (the raw ObjectId when the
	// state names an account it does not list).
	ResourceAccount  string
	Description      string
	EmergencyNumbers []string
}

// PolicyChange is a policy that is created, updated or deleted.
//
// Emergency numbers are an ordered list (the service presents them in
// order) changed only by "add" (appends) and "remove". A change of the list
// is therefore expressed as RemoveNumbers, then AddNumbers: the numbers that
// leave, plus every kept number after the longest common prefix of the kept
// numbers and the desired list, are removed; the desired numbers after that
// prefix are added, in desired order. A pure reorder [a b c] -> [a c b]
// removes [b c] and adds [c b]. The common prefix is never touched.
type PolicyChange struct {
	Name string
	Kind ChangeKind
	// Before is the current policy, nil when it is created.
	Before *PolicyFields
	// After is the desired policy, nil when it is deleted.
	After *PolicyFields
	// ResourceAccountChanged and DescriptionChanged are set on updates
	// whose field changes.
	ResourceAccountChanged bool
	DescriptionChanged     bool
	// RemoveNumbers are removed from the policy, in current order (on a
	// delete: all of its numbers).
	RemoveNumbers []string
	// AddNumbers are added to the policy, in desired order (on a create:
	// its initial numbers).
	AddNumbers []string
}

// NumberAssignment is a number held by a resource account or user.
// Location is a LocationId; the zero value means "no number".
type NumberAssignment struct {
	Number   string
	Type     string
	Location string
}

// AccountChange is a declared resource account whose number or the
// number's location changes.
type AccountChange struct {
	UPN    string
	Before NumberAssignment // zero when the account holds no number
	After  NumberAssignment
}

// NumberChanged reports whether the account's number itself changes
// (unassign, then assign), rather than only its location.
func (a AccountChange) NumberChanged() bool { return a.Before.Number != a.After.Number }

// UserNumberChange is a declared user whose number changes.
type UserNumberChange struct {
	UPN    string
	Before NumberAssignment // zero when the user holds no number
	After  NumberAssignment
}

// Release is a number that leaves an undeclared user or resource account
// because the desired state gives it to another holder (To).
type Release struct {
	Number string
	// Holder is the UPN of the current holder.
	Holder string
	// ResourceAccount is true when Holder is a resource account, false for
	// a user.
	ResourceAccount bool
	// To names the new holder, for humans ("policy Redmond", "user
	// bob@contoso.com", "resource account ra1@contoso.com").
	To string
}

// GrantChange is a user whose direct grant changes. Before and After are
// policy names; "" means no direct grant (After "" revokes).
type GrantChange struct {
	User   string
	Before string
	After  string
}

// GroupAssignment is a group's policy assignment.
type GroupAssignment struct {
	Policy string
	Rank   int
}

// GroupChange is a group whose assignment changes. Before is nil when the
// group is newly assigned, After nil when its assignment is removed.
type GroupChange struct {
	Group  string
	Before *GroupAssignment
	After  *GroupAssignment
}

// DefaultChange is a change of the tenant default (Grant -Global). ""
// means the built-in Global instance.
type DefaultChange struct {
	Before string
	After  string
}
