package schema

import (
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
