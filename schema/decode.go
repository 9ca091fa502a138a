package schema

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
	"unicode"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
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
	// str reads a string field the schema declares, checking in strict mode
	// its kind and that it matches re (nil: any string). The path is built
	// only for an error.
	str := func(fv cue.Value, re *regexp.Regexp, path ...any) (string, Pos) {
		c.isString(fv)
		s, err := fv.String()
		if err != nil {
			bad(fv, Path(path...), err)
		}
		c.match(re, s)
		return s, valuePos(fv)
	}

	var locations, accounts, policies, userNumbers cue.Value
	haveDomain := false
	c.fields(v, tenantFields, true, func(name string, fv cue.Value) {
		switch name {
		case "tenant":
			c.fields(fv, tenantDomainFields, false, func(_ string, dv cue.Value) {
				d.Domain, d.DomainPos = str(dv, reDomain, "tenant", "domain")
				haveDomain = true
			})
		case "locations":
			locations = fv
		case "resourceAccounts":
			accounts = fv
		case "policies":
			policies = fv
		case "tenantDefault":
			d.TenantDefault, d.TenantDefaultPos = str(fv, nil, "tenantDefault")
			c.nonEmpty(d.TenantDefault)
		case "userNumbers":
			userNumbers = fv
		}
	})
	c.require(haveDomain)

	c.entries(locations, reKey, func(key string, fv cue.Value) {
		loc := Location{Key: key, Pos: keyPos(fv)}
		var id, country bool
		c.fields(fv, locationFields, false, func(name string, x cue.Value) {
			switch name {
			case "id":
				loc.ID, loc.IDPos = str(x, reGUID, "locations", key, "id")
				id = true
			case "country":
				loc.Country, loc.CountryPos = str(x, reCountry, "locations", key, "country")
				country = true
			}
		})
		c.require(id && country)
		d.Locations = append(d.Locations, loc)
	})
	c.entries(accounts, reUPN, func(key string, fv cue.Value) {
		ra := ResourceAccount{UPN: key, Pos: keyPos(fv)}
		var number, typ bool
		c.fields(fv, accountFields, false, func(name string, x cue.Value) {
			switch name {
			case "number":
				ra.Number, ra.NumberPos = str(x, reNumber, "resourceAccounts", key, "number")
				number = true
			case "type":
				ra.Type, ra.TypePos = str(x, nil, "resourceAccounts", key, "type")
				c.numberType(ra.Type)
				typ = true
			case "location":
				ra.Location, ra.LocationPos = str(x, nil, "resourceAccounts", key, "location")
			}
		})
		c.require(number && typ)
		d.ResourceAccounts = append(d.ResourceAccounts, ra)
	})
	c.entries(policies, rePolicyName, func(key string, fv cue.Value) {
		p := Policy{Name: key, Pos: keyPos(fv)}
		var ra bool
		c.fields(fv, policyFields, false, func(name string, x cue.Value) {
			switch name {
			case "resourceAccount":
				p.ResourceAccount, p.ResourceAccountPos = str(x, reUPN, "policies", key, "resourceAccount")
				ra = true
			case "description":
				p.Description, p.DescriptionPos = str(x, nil, "policies", key, "description")
			case "emergencyNumbers":
				p.EmergencyNumbers = strList(x, Path("policies", key, "emergencyNumbers"), bad)
				for _, e := range p.EmergencyNumbers {
					c.match(reNumber, e.Value)
				}
			case "users":
				p.Users = strList(x, Path("policies", key, "users"), bad)
				for i, u := range p.Users {
					if !IsUPN(u.Value) {
						problems = append(problems, Problem{Pos: u.Pos, Path: Path("policies", key, "users", i),
							Message: fmt.Sprintf("%q is not a user principal name (name@domain)", u.Value)})
					}
				}
			case "groups":
				c.entries(x, reGUID, func(gid string, rv cue.Value) {
					c.rank(rv)
					rank, err := rv.Int64()
					if err != nil {
						if rv.Kind() == cue.IntKind {
							// CUE's own message is "value was rounded down".
							err = fmt.Errorf("group rank %v is too large: ranks order the groups of a policy type, 1 first, and fit in 64 bits", rv)
						}
						bad(rv, Path("policies", key, "groups", gid), err)
					}
					p.Groups = append(p.Groups, GroupGrant{GroupID: gid, Rank: int(rank), Pos: valuePos(rv)})
				})
				sort.Slice(p.Groups, func(i, j int) bool { return p.Groups[i].GroupID < p.Groups[j].GroupID })
			}
		})
		c.require(ra)
		d.Policies = append(d.Policies, p)
	})
	c.entries(userNumbers, reUPN, func(key string, fv cue.Value) {
		u := UserNumber{UPN: key, Pos: keyPos(fv)}
		var number, typ bool
		c.fields(fv, userNumberFields, false, func(name string, x cue.Value) {
			switch name {
			case "number":
				u.Number, u.NumberPos = str(x, reNumber, "userNumbers", key, "number")
				number = true
			case "type":
				u.Type, u.TypePos = str(x, nil, "userNumbers", key, "type")
				c.numberType(u.Type)
				typ = true
			}
		})
		c.require(number && typ)
		d.UserNumbers = append(d.UserNumbers, u)
	})
	if strict && c.deviant {
		return nil, false, nil
	}
	if len(problems) > 0 {
		return nil, true, &LoadError{Problems: sortProblems(problems)}
	}
	return d, true, nil
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
	return !strings.ContainsAny(s, " \t\r\n\v\f") && strings.IndexFunc(s, unicode.IsControl) < 0
}
