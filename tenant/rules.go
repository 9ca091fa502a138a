package tenant

// Rule ids carried by *RefusedError and Violation. Where a lint rule of
// DOMAIN.md states the same fact, the id is the lint rule's id.
const (
	// RuleInvalidOp: the operation is malformed (unknown action, a
	// required field missing).
	RuleInvalidOp = "invalid-operation"

	// Numbers.
	RuleNumberUnknown    = "number-unknown"       // not in the inventory
	RuleNumberOnPremises = "number-on-premises"   // NumberSource OnPremises
	RuleNumberType       = "number-type-mismatch" // declared type != inventory type
	RuleNumberHeld       = "number-held"          // the number already has a holder
	RuleNumberNotHeld    = "number-not-held"      // unassign of a number the holder does not hold
	RuleNumberCapability = "number-capability"    // Capability forbids this kind of holder
	RuleNumberFormat     = "number-format"        // not plain E.164
	RuleHolderUnknown    = "holder-unknown"       // no such user or resource account
	RuleHolderHasNumber  = "holder-has-number"    // the holder already holds a number
	RuleNumberHeldTwice  = "number-held-twice"    // invariant: a holder with two numbers
	RuleLocationUnknown  = "location-unknown"     // no such LocationId

	// Policies.
	RulePolicyExists      = "policy-exists"
	RulePolicyUnknown     = "policy-unknown"
	RulePolicyGlobal      = "policy-global" // Global can't be created, deleted or assigned to a group
	RulePolicyInUse       = "policy-in-use" // delete while granted to users, groups or the tenant
	RulePolicyHasNumbers  = "policy-has-emergency-numbers"
	RuleResourceAccount   = "policy-resource-account"   // the policy's RA does not exist
	RuleRANumber          = "resource-account-number"   // the RA has no number of a usable type
	RuleRALocation        = "resource-account-location" // the RA's number has no known location
	RulePolicyNumberType  = "policy-number-type"
	RulePolicyNumberCntry = "policy-number-country"

	// Emergency numbers.
	RuleEmergencyDuplicate   = "emergency-number-duplicate"
	RuleEmergencyExtension   = "emergency-number-extension"
	RuleEmergencyAssigned    = "emergency-number-assigned" // held by a user or RA
	RuleEmergencyReused      = "emergency-number-reused"   // in another policy
	RuleEmergencyInTenant    = "emergency-number-in-tenant"
	RuleEmergencyNotListed   = "emergency-number-not-in-policy" // remove of a number the policy does not list
	RuleEmergencyTargetDrift = "emergency-number-target"        // invariant: inventory and policy disagree

	// Grants.
	RuleUserUnknown     = "user-unknown"
	RuleGrantUnknown    = "grant-unknown-policy" // invariant: a grant names a missing policy
	RuleGroupLimit      = "group-limit"          // more than 64 group assignments
	RuleGroupRank       = "group-rank"           // rank < 1 or used by another group
	RuleGroupUnassigned = "group-assignment-unknown"
)

// MaxGroupAssignments is the service's limit of group policy assignments per
// policy type (Get-CsGroupPolicyAssignment; DOMAIN.md rule group-limit).
const MaxGroupAssignments = 64

// Number types a resource account's number may have to serve a Shared
// Calling policy (shared-calling-setup.md, step 2).
const (
	TypeCallingPlan     = "CallingPlan"
	TypeOperatorConnect = "OperatorConnect"
	TypeDirectRouting   = "DirectRouting"
)

// GlobalPolicy is the identity of the built-in policy instance, which always
// exists and can't be created or deleted.
const GlobalPolicy = "Global"
