package tenant

import "fmt"

// Action is the kind of an operation on the tenant. Its string form is the
// wire form used in plan JSON ("number.assign", ...). The set is closed:
// switch on it exhaustively.
type Action string

// The operations the service accepts (DESIGN.md section 4, action table).
const (
	NumberUnassign        Action = "number.unassign"
	NumberAssign          Action = "number.assign"
	NumberSetLocation     Action = "number.set-location"
	PolicyCreate          Action = "policy.create"
	PolicyUpdate          Action = "policy.update"
	PolicyRemoveEmergency Action = "policy.remove-emergency-numbers"
	PolicyAddEmergency    Action = "policy.add-emergency-numbers"
	PolicyDelete          Action = "policy.delete"
	GrantUser             Action = "grant.user"
	GrantGroup            Action = "grant.group"
	GrantGlobal           Action = "grant.global"
)

// Actions lists every Action in a fixed order.
var Actions = []Action{
	NumberUnassign, NumberAssign, NumberSetLocation,
	PolicyCreate, PolicyUpdate, PolicyRemoveEmergency, PolicyAddEmergency, PolicyDelete,
	GrantUser, GrantGroup, GrantGlobal,
}

// Valid reports whether a is one of the known actions.
func (a Action) Valid() bool {
	for _, b := range Actions {
		if a == b {
			return true
		}
	}
	return false
}

// Op is one operation on the tenant, with the fields of its action (DESIGN.md
// section 4). Only the fields of Action are meaningful:
//
//	number.unassign                  Number, Holder
//	number.assign                    Number, Holder, NumberType, Location (optional)
//	number.set-location              Number, Location
//	policy.create                    Policy, ResourceAccount, Description, Numbers
//	policy.update                    Policy, ResourceAccount and/or Description (non-nil = changes)
//	policy.remove-emergency-numbers  Policy, Numbers
//	policy.add-emergency-numbers     Policy, Numbers
//	policy.delete                    Policy
//	grant.user                       User, Grant (nil revokes)
//	grant.group                      Group, Grant (nil removes the assignment), Rank
//	grant.global                     Grant (nil clears)
//
// Holder, User and ResourceAccount are UPNs; Location is a LocationId.
type Op struct {
	Action     Action
	Number     string
	Holder     string
	NumberType string
	Location   string

	Policy          string
	ResourceAccount string
	Description     string
	// UpdateResourceAccount and UpdateDescription say which fields a
	// policy.update changes.
	UpdateResourceAccount bool
	UpdateDescription     bool
	Numbers               []string

	User  string
	Group string
	Rank  int
	// Grant is the policy granted by grant.user, grant.group and
	// grant.global; nil revokes, removes or clears.
	Grant *string
}

// RefusedError is returned when the service would refuse an operation. Rule
// is a short id of the service rule that was broken, Reason the service's
// reason in words.
type RefusedError struct {
	Op     Op
	Rule   string
	Reason string
}

func (e *RefusedError) Error() string {
	return fmt.Sprintf("%s refused: %s", e.Op.Action, e.Reason)
}
