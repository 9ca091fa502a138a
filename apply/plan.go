// Package apply turns changes into an ordered plan in which no step is one
// the service would refuse, verifies the plan by simulating it on the current
// state, saves and loads plans, and executes them against a backend.
//
// It never prints and never exits.
package apply

import "github.com/callops/callops/tenant"

// PlanFormat is the format tag of plan JSON and plan files.
const PlanFormat = "callops-plan/v1"

// Plan is an ordered, verified list of steps that takes the tenant from the
// state it was made against (State) to the desired state of Source. A Plan is
// a value: it is rendered, saved, loaded and applied; apply executes exactly
// its steps.
type Plan struct {
	Format  string   `json:"format"`
	Tool    string   `json:"tool"`
	Source  Source   `json:"source"`
	State   StateRef `json:"state"`
	Steps   []Step   `json:"steps"`
	Hazards []Hazard `json:"hazards"`
	Summary Summary  `json:"summary"`
}

// Source identifies the desired state a plan was made from.
type Source struct {
	Dir    string `json:"dir"`
	Commit string `json:"commit"` // git commit sha, empty outside git
	Dirty  bool   `json:"dirty"`  // the work tree had uncommitted changes under Dir
	Digest string `json:"digest"` // schema.Desired.Digest
}

// StateRef identifies the current state a plan was made against; apply
// refuses a plan whose StateRef no longer matches the state (stale).
type StateRef struct {
	Lineage string `json:"lineage"`
	Serial  int64  `json:"serial"`
	Digest  string `json:"digest"`
}

// Step is one operation of a plan. Index is 1-based. Reason says why the step
// is there and why here (e.g. "+14255556677 moves to user bob@contoso.com").
// In JSON a step has "index", "action", exactly the fields of its action
// (DESIGN.md section 4) and "reason".
type Step struct {
	Index  int
	Op     tenant.Op
	Reason string
}

// HazardKind names a kind of hazard.
type HazardKind string

// Hazard kinds.
const (
	// HazardOutboundOutage: between Steps[0] and Steps[1] a resource account
	// used by policies has no (located) number; outbound calls of Users users
	// fail.
	HazardOutboundOutage HazardKind = "outbound-outage"
)

// Hazard is a window of the plan in which users are affected.
type Hazard struct {
	Kind    HazardKind `json:"kind"`
	Steps   []int      `json:"steps"`
	Users   int        `json:"users"`
	Message string     `json:"message"`
}

// Summary counts what a plan does.
type Summary struct {
	Steps           int `json:"steps"`
	PoliciesCreated int `json:"policiesCreated"`
	PoliciesUpdated int `json:"policiesUpdated"`
	PoliciesDeleted int `json:"policiesDeleted"`
	Grants          int `json:"grants"`
	Revokes         int `json:"revokes"`
	AffectedUsers   int `json:"affectedUsers"`
}

// HasChanges reports whether the plan has any step.
func (p *Plan) HasChanges() bool { return len(p.Steps) > 0 }
