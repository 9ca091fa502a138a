package schema

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/callops/callops/internal/spell"
)

// fieldsAt lists the fields the schema allows in the struct at a path, by the
// path's shape: the schema is small and fixed, so the tables of check.go
// (pinned to it by TestCheckMatchesSchema) are clearer than asking CUE. It is
// used to suggest a field for a misspelt one, such as the seed note's
// emergencyCallbackNumbers.
func fieldsAt(parent []string) []string {
	switch {
	case len(parent) == 0:
		return tenantFieldNames
	case len(parent) == 1 && parent[0] == "tenant":
		return tenantDomainFieldNames
	case len(parent) == 2 && parent[0] == "locations":
		return locationFieldNames
	case len(parent) == 2 && parent[0] == "resourceAccounts":
		return accountFieldNames
	case len(parent) == 2 && parent[0] == "policies":
		return policyFieldNames
	case len(parent) == 2 && parent[0] == "userNumbers":
		return userNumberFieldNames
	}
	return nil
}

// unknownFieldMessage names the field that is not allowed and, when one of
// the allowed fields looks like it, suggests it.
func unknownFieldMessage(elems []string) string {
	// The error may point into the field's value (a list element): find
	// the field itself.
	i := len(elems) - 1
	for i > 0 && isIndex(elems[i]) {
		i--
	}
	field := strings.Trim(elems[i], `"`)
	key := field
	if unq, err := strconv.Unquote(elems[i]); err == nil {
		key = unq // the label as written, escapes read
	}
	if k := keyRule(elems[:i], key); k != "" {
		return k
	}
	allowed := fieldsAt(elems[:i])
	msg := "field " + field + " is not allowed"
	if len(allowed) == 0 {
		return msg
	}
	if s := closest(field, allowed); s != "" {
		return msg + " (did you mean " + s + "?)"
	}
	return msg + " (allowed: " + strings.Join(allowed, ", ") + ")"
}

// keyRule explains a key of policies, locations, resourceAccounts or
// userNumbers that the schema's key pattern refuses (CUE only says the
// field is not allowed), or returns "".
func keyRule(parent []string, key string) string {
	if len(parent) != 1 {
		return ""
	}
	switch parent[0] {
	case "policies":
		if !rePolicyName.MatchString(key) {
			return fmt.Sprintf("policy name %q is not allowed: a name cannot contain ':' (the service writes \"Tag:\" before it) or control characters", key)
		}
	case "locations":
		if !reKey.MatchString(key) {
			return fmt.Sprintf("location key %q is not allowed: a key cannot contain control characters", key)
		}
	case "resourceAccounts", "userNumbers":
		if !reUPN.MatchString(key) {
			return fmt.Sprintf("%q is not a user principal name (name@domain, without spaces or control characters)", key)
		}
	}
	return ""
}

// ValidPolicyName reports whether name can be a policy's key in the desired
// state (the schema's pattern: no ':', no control characters).
func ValidPolicyName(name string) bool { return rePolicyName.MatchString(name) }

// closest returns the candidate that shares most of its text with s (a common
// prefix and suffix covering 60% of the shorter word, or an edit distance of
// at most 2), or "".
func closest(s string, candidates []string) string {
	best, bestScore := "", 0.0
	ls := strings.ToLower(s)
	for _, c := range candidates {
		lc := strings.ToLower(c)
		short := min(len(ls), len(lc))
		if short == 0 {
			continue
		}
		p := 0
		for p < short && ls[p] == lc[p] {
			p++
		}
		q := 0
		for q < short-p && ls[len(ls)-1-q] == lc[len(lc)-1-q] {
			q++
		}
		score := float64(p+q) / float64(short)
		if d := spell.Distance(ls, lc); d <= 2 && score < 1 {
			score = 1 - float64(d)/10
		}
		if score >= 0.6 && score > bestScore {
			best, bestScore = c, score
		}
	}
	return best
}
