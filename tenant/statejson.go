package tenant

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// A reader for state documents as callops and the export script write them,
// without reflection: encoding/json spent a fifth of a 2,000-policy plan
// decoding the 13 MB state. decodeState accepts only what it can decode
// exactly as encoding/json would into a Snapshot (with DisallowUnknownFields):
// exact field names, each at most once, values of the field's JSON type,
// integers without fraction or exponent. Anything else (null, a field named
// in another case, a duplicate, a syntax error) makes it give up, and Parse
// decodes the document with encoding/json, which accepts or words the error
// as before. TestDecodeStateAgrees and FuzzDecodeState compare the two.

// stateReader walks a JSON document. Its methods return false when the
// input is not what the fast path handles; the position is then meaningless.
type stateReader struct {
	b []byte
	i int
}

// decodeState decodes data (a state document without a byte-order mark) or
// reports false.
func decodeState(data []byte) (*Snapshot, bool) {
	r := stateReader{b: data}
	var s Snapshot
	if !r.snapshot(&s) {
		return nil, false
	}
	r.ws()
	if r.i != len(r.b) {
		return nil, false // trailing data: encoding/json says where
	}
	return &s, true
}

func (r *stateReader) ws() {
	for r.i < len(r.b) {
		switch r.b[r.i] {
		case ' ', '\t', '\n', '\r':
			r.i++
		default:
			return
		}
	}
}

// next skips white space and consumes c.
func (r *stateReader) next(c byte) bool {
	r.ws()
	if r.i < len(r.b) && r.b[r.i] == c {
		r.i++
		return true
	}
	return false
}

// peek skips white space and reports whether the next byte is c, without
// consuming it.
func (r *stateReader) peek(c byte) bool {
	r.ws()
	return r.i < len(r.b) && r.b[r.i] == c
}

// str reads a string. Plain ASCII and valid UTF-8 are taken as they are; a
// string with escapes or invalid UTF-8 is handed to encoding/json, whose
// unescaping and replacement of bad bytes it must match.
func (r *stateReader) str(out *string) bool {
	if !r.next('"') {
		return false
	}
	start := r.i
	plain, ascii := true, true
	for r.i < len(r.b) {
		c := r.b[r.i]
		switch {
		case c == '"':
			raw := r.b[start:r.i]
			r.i++
			if plain && (ascii || utf8.Valid(raw)) {
				*out = string(raw)
				return true
			}
			return json.Unmarshal(r.b[start-1:r.i], out) == nil
		case c == '\\':
			plain = false
			r.i += 2
			continue
		case c < 0x20:
			return false // invalid JSON
		case c >= 0x80:
			ascii = false
		}
		r.i++
	}
	return false
}

// integer reads a JSON integer (no fraction, no exponent) that fits in 64
// bits.
func (r *stateReader) integer(out *int64) bool {
	r.ws()
	start := r.i
	if r.i < len(r.b) && r.b[r.i] == '-' {
		r.i++
	}
	digits := r.i
	for r.i < len(r.b) && r.b[r.i] >= '0' && r.b[r.i] <= '9' {
		r.i++
	}
	n := r.i - digits
	if n == 0 || (n > 1 && r.b[digits] == '0') {
		return false
	}
	if r.i < len(r.b) && (r.b[r.i] == '.' || r.b[r.i] == 'e' || r.b[r.i] == 'E') {
		return false
	}
	v, err := strconv.ParseInt(string(r.b[start:r.i]), 10, 64)
	if err != nil {
		return false
	}
	*out = v
	return true
}

func (r *stateReader) boolean(out *bool) bool {
	r.ws()
	switch {
	case len(r.b)-r.i >= 4 && string(r.b[r.i:r.i+4]) == "true":
		r.i += 4
		*out = true
	case len(r.b)-r.i >= 5 && string(r.b[r.i:r.i+5]) == "false":
		r.i += 5
		*out = false
	default:
		return false
	}
	return true
}

// object reads an object, calling field for each member with the bit that
// names it (fields lists the names the object may have; a name outside it,
// or one given twice, gives up).
func (r *stateReader) object(fields []string, field func(int) bool) bool {
	if !r.next('{') {
		return false
	}
	if r.next('}') {
		return true
	}
	var seen uint64
	for {
		var key string
		if !r.str(&key) || !r.next(':') {
			return false
		}
		k := -1
		for i, f := range fields {
			if f == key {
				k = i
				break
			}
		}
		if k < 0 || seen&(1<<k) != 0 {
			return false
		}
		seen |= 1 << k
		if !field(k) {
			return false
		}
		if r.next(',') {
			continue
		}
		return r.next('}')
	}
}

// array reads an array, calling elem for each element. An empty array still
// calls none, and the caller makes its slice non-nil, as encoding/json does.
func (r *stateReader) array(elem func() bool) bool {
	if !r.next('[') {
		return false
	}
	if r.next(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if r.next(',') {
			continue
		}
		return r.next(']')
	}
}

// list reads an array of T into *out with read, non-nil even when empty.
func list[T any](r *stateReader, out *[]T, read func(*T) bool) bool {
	if r.peek('[') && *out == nil {
		*out = []T{}
	}
	var zero T
	return r.array(func() bool {
		// Read in place: a local passed to read would escape, one heap
		// object per element (125,000 users).
		*out = append(*out, zero)
		return read(&(*out)[len(*out)-1])
	})
}

func (r *stateReader) strings(out *[]string) bool {
	return list(r, out, r.str)
}

var snapshotFields = []string{"format", "lineage", "serial", "tenant", "policies", "resourceAccounts", "numbers", "locations", "users", "groupAssignments"}

func (r *stateReader) snapshot(s *Snapshot) bool {
	return r.object(snapshotFields, func(k int) bool {
		switch k {
		case 0:
			return r.str(&s.Format)
		case 1:
			return r.str(&s.Lineage)
		case 2:
			return r.integer(&s.Serial)
		case 3:
			return r.object([]string{"domain", "globalPolicy"}, func(k int) bool {
				if k == 0 {
					return r.str(&s.Tenant.Domain)
				}
				return r.str(&s.Tenant.GlobalPolicy)
			})
		case 4:
			return list(r, &s.Policies, r.policy)
		case 5:
			return list(r, &s.ResourceAccounts, r.resourceAccount)
		case 6:
			return list(r, &s.Numbers, r.number)
		case 7:
			return list(r, &s.Locations, r.location)
		case 8:
			return list(r, &s.Users, r.user)
		default:
			return list(r, &s.GroupAssignments, r.groupAssignment)
		}
	})
}

var policyFields = []string{"identity", "description", "resourceAccount", "emergencyNumbers"}

func (r *stateReader) policy(p *Policy) bool {
	return r.object(policyFields, func(k int) bool {
		switch k {
		case 0:
			return r.str(&p.Identity)
		case 1:
			return r.str(&p.Description)
		case 2:
			return r.str(&p.ResourceAccount)
		default:
			return r.strings(&p.EmergencyNumbers)
		}
	})
}

var resourceAccountFields = []string{"objectId", "userPrincipalName", "displayName"}

func (r *stateReader) resourceAccount(ra *ResourceAccount) bool {
	return r.object(resourceAccountFields, func(k int) bool {
		switch k {
		case 0:
			return r.str(&ra.ObjectID)
		case 1:
			return r.str(&ra.UserPrincipalName)
		default:
			return r.str(&ra.DisplayName)
		}
	})
}

var numberFields = []string{"telephoneNumber", "numberType", "isoCountryCode", "locationId", "assignedPstnTargetId", "pstnAssignmentStatus", "capability", "numberSource"}

func (r *stateReader) number(n *Number) bool {
	return r.object(numberFields, func(k int) bool {
		switch k {
		case 0:
			return r.str(&n.TelephoneNumber)
		case 1:
			return r.str(&n.NumberType)
		case 2:
			return r.str(&n.IsoCountryCode)
		case 3:
			return r.str(&n.LocationID)
		case 4:
			return r.str(&n.AssignedPstnTargetID)
		case 5:
			return r.str(&n.PstnAssignmentStatus)
		case 6:
			return r.strings(&n.Capability)
		default:
			return r.str(&n.NumberSource)
		}
	})
}

var locationFields = []string{"locationId", "countryOrRegion", "description"}

func (r *stateReader) location(l *Location) bool {
	return r.object(locationFields, func(k int) bool {
		switch k {
		case 0:
			return r.str(&l.LocationID)
		case 1:
			return r.str(&l.CountryOrRegion)
		default:
			return r.str(&l.Description)
		}
	})
}

var userFields = []string{"objectId", "userPrincipalName", "enterpriseVoiceEnabled", "sharedCallingPolicy"}

func (r *stateReader) user(u *User) bool {
	return r.object(userFields, func(k int) bool {
		switch k {
		case 0:
			return r.str(&u.ObjectID)
		case 1:
			return r.str(&u.UserPrincipalName)
		case 2:
			return r.boolean(&u.EnterpriseVoiceEnabled)
		default:
			return r.str(&u.SharedCallingPolicy)
		}
	})
}

var groupAssignmentFields = []string{"groupId", "policyName", "rank"}

func (r *stateReader) groupAssignment(g *GroupAssignment) bool {
	return r.object(groupAssignmentFields, func(k int) bool {
		switch k {
		case 0:
			return r.str(&g.GroupID)
		case 1:
			return r.str(&g.PolicyName)
		default:
			var n int64
			if !r.integer(&n) {
				return false
			}
			g.Rank = int(n)
			return true
		}
	})
}
