package schema

import "strings"

// fieldsAt lists the fields the schema allows in the struct at a path, by the
// path's shape (the schema is small and fixed, so a table is clearer than
// asking CUE). It is used to suggest a field for a misspelt one, such as the
// seed note's emergencyCallbackNumbers.
func fieldsAt(parent []string) []string {
	switch {
	case len(parent) == 0:
		return []string{"tenant", "locations", "resourceAccounts", "policies", "tenantDefault", "userNumbers"}
	case len(parent) == 1 && parent[0] == "tenant":
		return []string{"domain"}
	case len(parent) == 2 && parent[0] == "locations":
		return []string{"id", "country"}
	case len(parent) == 2 && parent[0] == "resourceAccounts":
		return []string{"number", "type", "location"}
	case len(parent) == 2 && parent[0] == "policies":
		return []string{"resourceAccount", "emergencyNumbers", "description", "users", "groups"}
	case len(parent) == 2 && parent[0] == "userNumbers":
		return []string{"number", "type"}
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
		if d := editDistance(ls, lc); d <= 2 && score < 1 {
			score = 1 - float64(d)/10
		}
		if score >= 0.6 && score > bestScore {
			best, bestScore = c, score
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
