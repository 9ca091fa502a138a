package tenant

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// SameContent reports whether s and o hold the same tenant content, ignoring
// format, lineage, serial and the order of the slices (emergency number
// lists keep their order: it matters to the service).
func (s *Snapshot) SameContent(o *Snapshot) bool {
	return len(s.ContentDiff(o)) == 0
}

// ContentDiff lists, one line an object, where o's tenant content differs
// from s's: "policy Redmond: {...} -> {...}", "+ number +14255550100: {...}",
// "- user bob@contoso.com: {...}". Objects are keyed as the service keys
// them (UPNs, identities, ids compared case-insensitively; numbers as
// written). The lines are sorted; nil when the content is the same. It is
// meant for messages ("the plan does not reach the desired state: ...").
func (s *Snapshot) ContentDiff(o *Snapshot) []string {
	var out []string
	if s.Tenant != o.Tenant {
		out = append(out, fmt.Sprintf("tenant: %s -> %s", js(s.Tenant), js(o.Tenant)))
	}
	out = diffKeyed(out, "policy", s.Policies, o.Policies, func(p Policy) string { return policyKey(p.Identity) })
	out = diffKeyed(out, "resource account", s.ResourceAccounts, o.ResourceAccounts, func(r ResourceAccount) string { return lower(r.UserPrincipalName) })
	out = diffKeyed(out, "number", s.Numbers, o.Numbers, func(n Number) string { return n.TelephoneNumber })
	out = diffKeyed(out, "location", s.Locations, o.Locations, func(l Location) string { return lower(l.LocationID) })
	out = diffKeyed(out, "user", s.Users, o.Users, func(u User) string { return lower(u.UserPrincipalName) })
	out = diffKeyed(out, "group assignment", s.GroupAssignments, o.GroupAssignments, func(g GroupAssignment) string { return lower(g.GroupID) })
	sort.Strings(out)
	return out
}

// diffKeyed compares two lists of objects by key; nil and empty slices
// inside objects are equal.
func diffKeyed[T any](out []string, kind string, a, b []T, key func(T) string) []string {
	am := make(map[string]T, len(a))
	for _, v := range a {
		am[key(v)] = v
	}
	seen := make(map[string]bool, len(b))
	for _, v := range b {
		k := key(v)
		seen[k] = true
		old, ok := am[k]
		switch {
		case !ok:
			out = append(out, fmt.Sprintf("+ %s %s: %s", kind, k, js(v)))
		case js(old) != js(v):
			out = append(out, fmt.Sprintf("%s %s: %s -> %s", kind, k, js(old), js(v)))
		}
	}
	for _, v := range a {
		if k := key(v); !seen[k] {
			out = append(out, fmt.Sprintf("- %s %s: %s", kind, k, js(v)))
		}
	}
	return out
}

// js is the compact JSON of an object with nil slices written as [], so
// that nil and empty compare equal.
func js(v any) string {
	rv := reflect.ValueOf(&v).Elem().Elem()
	c := reflect.New(rv.Type()).Elem()
	c.Set(rv)
	if c.Kind() == reflect.Struct {
		for i := 0; i < c.NumField(); i++ {
			if f := c.Field(i); f.Kind() == reflect.Slice && f.IsNil() && f.CanSet() {
				f.Set(reflect.MakeSlice(f.Type(), 0, 0))
			}
		}
	}
	b, err := json.Marshal(c.Interface())
	if err != nil {
		return strings.TrimSpace(fmt.Sprint(v))
	}
	return string(b)
}
