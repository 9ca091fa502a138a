package apply

import (
	"fmt"
	"strings"

	"github.com/callops/callops/tenant"
)

// Safety thresholds, as octoDNS has them (UPDATE_PCT_THRESHOLD and
// DELETE_PCT_THRESHOLD of 30%, MIN_EXISTING_RECORDS of 10): a configuration
// that lost most of its policies by mistake (a deleted file, a bad merge)
// must not empty the tenant without someone saying --force.
const (
	// ThresholdPercent is the share of policies deleted, or of granted users
	// revoked, above which a plan needs force.
	ThresholdPercent = 30
	// ThresholdMinObjects is how many policies (or granted users) the tenant
	// must have before the threshold applies: deleting 1 of 2 is not a mass
	// deletion.
	ThresholdMinObjects = 10
)

// ThresholdError reports a plan that deletes or revokes more than the
// thresholds allow; the caller must be told to force it.
type ThresholdError struct {
	// PoliciesDeleted of Policies (the tenant's policies, built-in Global
	// excluded) are deleted by the plan.
	PoliciesDeleted, Policies int
	// UsersRevoked of GrantedUsers (users with a direct grant) lose their
	// policy.
	UsersRevoked, GrantedUsers int
	// PoliciesExceeded and UsersExceeded say which threshold was crossed.
	PoliciesExceeded, UsersExceeded bool
}

func (e *ThresholdError) Error() string {
	var parts []string
	if e.PoliciesExceeded {
		parts = append(parts, fmt.Sprintf("the plan deletes %d of %d policies (%d%%)",
			e.PoliciesDeleted, e.Policies, percent(e.PoliciesDeleted, e.Policies)))
	}
	if e.UsersExceeded {
		parts = append(parts, fmt.Sprintf("the plan revokes the policy of %d of %d granted users (%d%%)",
			e.UsersRevoked, e.GrantedUsers, percent(e.UsersRevoked, e.GrantedUsers)))
	}
	return fmt.Sprintf("%s, more than the %d%% safety threshold; use --force to apply it anyway",
		strings.Join(parts, " and "), ThresholdPercent)
}

func percent(n, of int) int {
	if of == 0 {
		return 0
	}
	return n * 100 / of
}

// exceeds reports whether n of total crosses the threshold.
func exceeds(n, total int) bool {
	return total >= ThresholdMinObjects && n*100 > ThresholdPercent*total
}

// CheckThresholds returns a *ThresholdError when p, applied to s, deletes
// more than ThresholdPercent of s's policies or revokes the direct grant of
// more than ThresholdPercent of its granted users (each only when at least
// ThresholdMinObjects of them exist), and nil otherwise.
func CheckThresholds(p *Plan, s *tenant.Snapshot) error {
	policies := 0
	for _, pol := range s.Policies {
		if !strings.EqualFold(pol.Identity, "Global") {
			policies++
		}
	}
	granted := map[string]bool{}
	for _, u := range s.Users {
		if u.SharedCallingPolicy != "" && !strings.EqualFold(u.SharedCallingPolicy, "Global") {
			granted[strings.ToLower(u.UserPrincipalName)] = true
		}
	}
	deleted := 0
	revoked := map[string]bool{}
	for _, st := range p.Steps {
		switch st.Op.Action {
		case tenant.PolicyDelete:
			deleted++
		case tenant.GrantUser:
			// Granting Global is a revoke: the user falls back to the
			// tenant default (tenant.Snapshot.Apply).
			upn := strings.ToLower(st.Op.User)
			if granted[upn] && (st.Op.Grant == nil || strings.EqualFold(*st.Op.Grant, "Global")) {
				revoked[upn] = true
			}
		}
	}
	e := &ThresholdError{
		PoliciesDeleted: deleted, Policies: policies,
		UsersRevoked: len(revoked), GrantedUsers: len(granted),
	}
	e.PoliciesExceeded = exceeds(e.PoliciesDeleted, e.Policies)
	e.UsersExceeded = exceeds(e.UsersRevoked, e.GrantedUsers)
	if e.PoliciesExceeded || e.UsersExceeded {
		return e
	}
	return nil
}
