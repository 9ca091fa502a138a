package lint

// Rule is one lint rule. Source names the document the rule comes from, so
// that a user who disagrees with a finding can read why it exists.
type Rule struct {
	ID       string
	Severity Severity
	Summary  string
	Source   string
	// NeedsState marks rules that compare the desired state with the
	// tenant's current state; Run skips them without a state.
	NeedsState bool

	// check reports the rule's findings through the Context. It is nil for
	// the schema rule, whose findings come from the loader.
	check func(*Context)
}

// RuleSchema is the id of the rule whose findings are the CUE schema's own
// errors (see SchemaFindings).
const RuleSchema = "schema"

// Document sources, named once so that rules cite them the same way.
const (
	srcSetupConfig    = "Teams/shared-calling-setup.md (Configuration rules)"
	srcSetupEmergency = "Teams/shared-calling-setup.md (Emergency calling rules)"
	srcSetupExtension = "Teams/shared-calling-setup.md (Step 10: extension dialing with Direct Routing)"
	srcPlan           = "Teams/shared-calling-plan.md (Calling Plan service numbers by country)"
	srcAssignment     = "teams-ps Set-CsPhoneNumberAssignment / Get-CsPhoneNumberAssignment"
	srcGrant          = "teams-ps Grant-CsTeamsSharedCallingRoutingPolicy"
	srcScope          = "DESIGN.md section 2 (callops never creates resource accounts, users, groups or locations)"
)

var schemaRule = Rule{
	ID:       RuleSchema,
	Severity: Error,
	Summary:  "the desired state matches callops' CUE schema (types, required fields, unknown fields)",
	Source:   "schema/tenant.cue (the #Tenant schema callops embeds)",
}

// allRules lists every rule, in the order of DOMAIN.md's rule list.
var allRules = concatRules(configRules, emergencyRules, numberRules, []Rule{schemaRule})

func concatRules(lists ...[]Rule) []Rule {
	var out []Rule
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// Rules returns every rule (for `callops rules` and SARIF's rule table), in a
// fixed order: configuration, emergency, numbers and assignment, schema.
func Rules() []Rule {
	return append([]Rule(nil), allRules...)
}

// RuleByID returns the rule with the given id.
func RuleByID(id string) (Rule, bool) {
	for _, r := range allRules {
		if r.ID == id {
			return r, true
		}
	}
	return Rule{}, false
}
