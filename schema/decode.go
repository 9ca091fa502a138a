package schema

import (
	"fmt"
	"regexp"
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
	pathTenant           = cue.MakePath(cue.Str("tenant"))
	pathTenantDomain     = cue.MakePath(cue.Str("tenant"), cue.Str("domain"))
	pathTenantDefault    = cue.MakePath(cue.Str("tenantDefault"))
	pathType             = cue.MakePath(cue.Str("type"))
	pathUserNumbers      = cue.MakePath(cue.Str("userNumbers"))
	pathUsers            = cue.MakePath(cue.Str("users"))
)

// decode walks the validated value into the model. The schema has already
// checked types and required fields, so an error here means a value the
// schema allows but the model cannot hold (reported with its position).
func decode(v cue.Value) (*Desired, error) {
	d, _, err := decodeWith(v, false)
	return d, err
}

// decodeChecked decodes a value that was not unified with the schema,
// checking the schema's constraints in Go on the way (check.go). ok is false
// when the value breaks one of them: the caller then unifies with the
// schema, for CUE's verdict and its messages.
func decodeChecked(v cue.Value) (d *Desired, ok bool, err error) {
	return decodeWith(v, true)
}

func decodeWith(v cue.Value, strict bool) (*Desired, bool, error) {
	d := &Desired{}
	c := checker{strict: strict}
	var problems []Problem
	bad := func(val cue.Value, path string, err error) {
		c.fail()
		problems = append(problems, Problem{Pos: fromToken(val.Pos()), Path: path, Message: err.Error()})
	}
	str := func(val cue.Value, path string) (string, Pos) {
		s, err := val.String()
		if err != nil {
			bad(val, path, err)
		}
		return s, valuePos(val)
	}
	// field reads the field of a struct that the schema declares, checking in
	// strict mode that it holds a string matching re (nil: any string).
	field := func(fv cue.Value, re *regexp.Regexp, path ...any) (string, Pos) {
		c.isString(fv)
		s, p := str(fv, Path(path...))
		c.match(re, s)
		return s, p
	}

	c.closed(v, tenantFields, true)
	dom := v.LookupPath(pathTenantDomain)
	c.closed(v.LookupPath(pathTenant), tenantDomainFields, false)
	d.Domain, d.DomainPos = field(dom, reDomain, "tenant", "domain")

	if l := v.LookupPath(pathLocations); l.Exists() {
		c.isStruct(l)
		eachField(l, func(key string, fv cue.Value) {
			c.closed(fv, locationFields, false)
			loc := Location{Key: key, Pos: keyPos(fv)}
			loc.ID, loc.IDPos = field(fv.LookupPath(pathID), reGUID, "locations", key, "id")
			loc.Country, loc.CountryPos = field(fv.LookupPath(pathCountry), reCountry, "locations", key, "country")
			d.Locations = append(d.Locations, loc)
		})
	}
	if l := v.LookupPath(pathResourceAccounts); l.Exists() {
		c.isStruct(l)
		eachField(l, func(key string, fv cue.Value) {
			c.match(reUPN, key)
			c.closed(fv, accountFields, false)
			ra := ResourceAccount{UPN: key, Pos: keyPos(fv)}
			ra.Number, ra.NumberPos = field(fv.LookupPath(pathNumber), reNumber, "resourceAccounts", key, "number")
			ra.Type, ra.TypePos = field(fv.LookupPath(pathType), nil, "resourceAccounts", key, "type")
			c.numberType(ra.Type)
			if lv := fv.LookupPath(pathLocation); lv.Exists() {
				ra.Location, ra.LocationPos = field(lv, nil, "resourceAccounts", key, "location")
			}
			d.ResourceAccounts = append(d.ResourceAccounts, ra)
		})
	}
	if l := v.LookupPath(pathPolicies); l.Exists() {
		c.isStruct(l)
		eachField(l, func(key string, fv cue.Value) {
			c.match(rePolicyName, key)
			c.closed(fv, policyFields, false)
			p := Policy{Name: key, Pos: keyPos(fv)}
			p.ResourceAccount, p.ResourceAccountPos = field(fv.LookupPath(pathResourceAccount), reUPN, "policies", key, "resourceAccount")
			if dv := fv.LookupPath(pathDescription); dv.Exists() {
				p.Description, p.DescriptionPos = field(dv, nil, "policies", key, "description")
			}
			p.EmergencyNumbers = strList(fv.LookupPath(pathEmergencyNumbers), Path("policies", key, "emergencyNumbers"), bad)
			for _, e := range p.EmergencyNumbers {
				c.match(reNumber, e.Value)
			}
			p.Users = strList(fv.LookupPath(pathUsers), Path("policies", key, "users"), bad)
			for i, u := range p.Users {
				if !IsUPN(u.Value) {
					problems = append(problems, Problem{Pos: u.Pos, Path: Path("policies", key, "users", i),
						Message: fmt.Sprintf("%q is not a user principal name (name@domain)", u.Value)})
				}
			}
			if gv := fv.LookupPath(pathGroups); gv.Exists() {
				c.isStruct(gv)
				eachField(gv, func(gid string, rv cue.Value) {
					c.match(reGUID, gid)
					c.rank(rv)
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
		d.TenantDefault, d.TenantDefaultPos = field(tv, nil, "tenantDefault")
		c.nonEmpty(d.TenantDefault)
	}
	if l := v.LookupPath(pathUserNumbers); l.Exists() {
		c.isStruct(l)
		eachField(l, func(key string, fv cue.Value) {
			c.match(reUPN, key)
			c.closed(fv, userNumberFields, false)
			u := UserNumber{UPN: key, Pos: keyPos(fv)}
			u.Number, u.NumberPos = field(fv.LookupPath(pathNumber), reNumber, "userNumbers", key, "number")
			u.Type, u.TypePos = field(fv.LookupPath(pathType), nil, "userNumbers", key, "type")
			c.numberType(u.Type)
			d.UserNumbers = append(d.UserNumbers, u)
		})
	}
	if strict && c.deviant {
		return nil, false, nil
	}
	if len(problems) > 0 {
		return nil, true, &LoadError{Problems: sortProblems(problems)}
	}
	return d, true, nil
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
