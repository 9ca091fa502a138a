// Package lint checks a desired state against the service's configuration,
// emergency and number rules (DOMAIN.md "Rules"), optionally with the
// tenant's current state, and renders the findings as text, JSON, GitHub
// workflow commands or SARIF.
//
// Every rule is a table entry with its id, severity, summary and the document
// it comes from (Rules). Run reports all findings of all rules in one pass,
// sorted by position; each finding points at the offending value. The package
// never prints, never reads files and never exits: formatters write to the
// io.Writer they are given.
//
// Where DOMAIN.md leaves room, the rules decide:
//   - One problem, one finding. A number held by a policy and by an account
//     or user is emergency-number-assigned's; by two policies,
//     emergency-number-reused's; by two accounts or users, number-held-twice's.
//     A repeated listing is reported at the repeats, not at the first.
//   - An emergency number's type is known only from the inventory, so
//     policy-number-type finds nothing without a state.
//   - calling-plan-country and the account rules (number, location) concern
//     accounts used by a policy; an undeclared location key is wrong for any
//     account. A declared account is reported once, at its declaration; an
//     account known only from the state at each policy that names it.
//   - An account without a declared location keeps the location of a number
//     it already holds (as diff does); a number it gets has none.
//   - toll-free-emergency-numbers flags any toll-free account number, not only
//     Calling Plan ones: a toll-free number can't be a callback number.
//   - number-on-premises flags an on-premises number only when callops would
//     have to assign it (it is not already held by the declared holder).
//   - UPNs compare case-insensitively, numbers exactly; "+E164;ext=N" and
//     "+E164" are different numbers.
//   - Global is never "unused": it applies to every user without a policy.
package lint
