package schema

import (
	"fmt"
	"sort"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
)

// Paths looked up for every policy and account, made once.
var (
	pathCountry          = cue.MakePath(cue.Str("country"))
	pathDescription      = cue.MakePath(cue.Str("description"))
	pathEmergencyNumbers = cue.MakePath(cue.Str("emergencyNumbers"))
	pathGroups           = cue.MakePath(cue.Str("groups"))
	pathID               = cue.MakePath(cue.Str("id"))
	pathLocation         = cue.MakePath(cue.Str("location"))
	pathLocations        = cue.MakePath(cue.Str("locations"))
	pathNumber           = cue.MakePath(cue.Str("number"))
	pathPolicies         = cue.MakePath(cue.Str("policies"))
	pathResourceAccount  = cue.MakePath(cue.Str("resourceAccount"))
	pathResourceAccounts = cue.MakePath(cue.Str("resourceAccounts"))
	pathTenantDefault    = cue.MakePath(cue.Str("tenantDefault"))
	pathType             = cue.MakePath(cue.Str("type"))
	pathUserNumbers      = cue.MakePath(cue.Str("userNumbers"))
	pathUsers            = cue.MakePath(cue.Str("users"))
)

// decode walks the validated value into the model. The schema has already
// checked types and required fields, so an error here means a value the
// schema allows but the model cannot hold (reported with its position).
func decode(v cue.Value) (*Desired, error) {
	d := &Desired{}
	var problems []Problem
	bad := func(val cue.Value, path string, err error) {
		problems = append(problems, Problem{Pos: fromToken(val.Pos()), Path: path, Message: err.Error()})
	}
	str := func(val cue.Value, path string) (string, Pos) {
		s, err := val.String()
		if err != nil {
			bad(val, path, err)
		}
		return s, valuePos(val)
	}

	dom := v.LookupPath(cue.ParsePath("tenant.domain"))
	d.Domain, d.DomainPos = str(dom, "tenant.domain")

	if l := v.LookupPath(pathLocations); l.Exists() {
		eachField(l, func(key string, fv cue.Value) {
			loc := Location{Key: key, Pos: keyPos(fv)}
			loc.ID, loc.IDPos = str(fv.LookupPath(pathID), Path("locations", key, "id"))
			loc.Country, loc.CountryPos = str(fv.LookupPath(pathCountry), Path("locations", key, "country"))
			d.Locations = append(d.Locations, loc)
		})
	}
	if l := v.LookupPath(pathResourceAccounts); l.Exists() {
		eachField(l, func(key string, fv cue.Value) {
			ra := ResourceAccount{UPN: key, Pos: keyPos(fv)}
			ra.Number, ra.NumberPos = str(fv.LookupPath(pathNumber), Path("resourceAccounts", key, "number"))
			ra.Type, ra.TypePos = str(fv.LookupPath(pathType), Path("resourceAccounts", key, "type"))
			if lv := fv.LookupPath(pathLocation); lv.Exists() {
				ra.Location, ra.LocationPos = str(lv, Path("resourceAccounts", key, "location"))
			}
			d.ResourceAccounts = append(d.ResourceAccounts, ra)
		})
	}
	if l := v.LookupPath(pathPolicies); l.Exists() {
		eachField(l, func(key string, fv cue.Value) {
			p := Policy{Name: key, Pos: keyPos(fv)}
			p.ResourceAccount, p.ResourceAccountPos = str(fv.LookupPath(pathResourceAccount), Path("policies", key, "resourceAccount"))
			if dv := fv.LookupPath(pathDescription); dv.Exists() {
				p.Description, p.DescriptionPos = str(dv, Path("policies", key, "description"))
			}
			p.EmergencyNumbers = strList(fv.LookupPath(pathEmergencyNumbers), Path("policies", key, "emergencyNumbers"), bad)
			p.Users = strList(fv.LookupPath(pathUsers), Path("policies", key, "users"), bad)
			for i, u := range p.Users {
				if !IsUPN(u.Value) {
					problems = append(problems, Problem{Pos: u.Pos, Path: Path("policies", key, "users", i),
						Message: fmt.Sprintf("%q is not a user principal name (name@domain)", u.Value)})
				}
			}
			if gv := fv.LookupPath(pathGroups); gv.Exists() {
				eachField(gv, func(gid string, rv cue.Value) {
					rank, err := rv.Int64()
					if err != nil {
						bad(rv, Path("policies", key, "groups", gid), err)
					}
					p.Groups = append(p.Groups, GroupGrant{GroupID: gid, Rank: int(rank), Pos: valuePos(rv)})
				})
				sort.Slice(p.Groups, func(i, j int) bool { return p.Groups[i].GroupID < p.Groups[j].GroupID })
			}
			d.Policies = append(d.Policies, p)
		})
	}
	if tv := v.LookupPath(pathTenantDefault); tv.Exists() {
		d.TenantDefault, d.TenantDefaultPos = str(tv, "tenantDefault")
	}
	if l := v.LookupPath(pathUserNumbers); l.Exists() {
		eachField(l, func(key string, fv cue.Value) {
			u := UserNumber{UPN: key, Pos: keyPos(fv)}
			u.Number, u.NumberPos = str(fv.LookupPath(pathNumber), Path("userNumbers", key, "number"))
			u.Type, u.TypePos = str(fv.LookupPath(pathType), Path("userNumbers", key, "type"))
			d.UserNumbers = append(d.UserNumbers, u)
		})
	}
	if len(problems) > 0 {
		return nil, &LoadError{Problems: sortProblems(problems)}
	}
	return d, nil
}

// eachField calls fn for every regular field of a struct value, in order.
func eachField(v cue.Value, fn func(key string, fv cue.Value)) {
	it, err := v.Fields()
	if err != nil {
		return
	}
	for it.Next() {
		fn(it.Selector().Unquoted(), it.Value())
	}
}

func strList(v cue.Value, path string, bad func(cue.Value, string, error)) []Located {
	if !v.Exists() {
		return nil
	}
	it, err := v.List()
	if err != nil {
		bad(v, path, err)
		return nil
	}
	var out []Located
	for i := 0; it.Next(); i++ {
		ev := it.Value()
		s, err := ev.String()
		if err != nil {
			bad(ev, fmt.Sprintf("%s[%d]", path, i), err)
			continue
		}
		out = append(out, Located{Value: s, Pos: valuePos(ev)})
	}
	return out
}

func sortProblems(ps []Problem) []Problem {
	sort.SliceStable(ps, func(i, j int) bool {
		if ps[i].Pos != ps[j].Pos {
			return ps[i].Pos.Less(ps[j].Pos)
		}
		return ps[i].Message < ps[j].Message
	})
	return ps
}

// valuePos is the position of a value in the user's files. A struct unified
// with the schema reports the schema's position, so the conjuncts are asked
// for the first one written by the user (the field's label).
func valuePos(v cue.Value) Pos {
	// A value written once by the user has its syntax at hand: a field's
	// value (not its label) is where a finding should point.
	switch src := v.Source().(type) {
	case *ast.Field:
		if p := fromToken(src.Value.Pos()); p.IsValid() {
			return p
		}
	case nil:
	default:
		if p := fromToken(src.Pos()); p.IsValid() {
			return p
		}
	}
	if p := fromToken(v.Pos()); p.IsValid() {
		return p
	}
	_, conj := v.Expr()
	for _, c := range conj {
		if p := fromToken(c.Pos()); p.IsValid() {
			return p
		}
	}
	return Pos{}
}

// keyPos is the position of the label of the field holding v (a policy's or
// account's key), falling back to the value's position.
func keyPos(v cue.Value) Pos {
	if f, ok := v.Source().(*ast.Field); ok {
		if p := fromToken(f.Label.Pos()); p.IsValid() {
			return p
		}
	}
	return valuePos(v)
}

// IsUPN reports whether s has the shape of a user principal name: one '@'
// with text on both sides and no white space (the schema's #UPN).
func IsUPN(s string) bool {
	at := strings.IndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.IndexByte(s[at+1:], '@') >= 0 {
		return false
	}
	return !strings.ContainsAny(s, " \t\r\n\v\f")
}
