package schema

import (
	"regexp"

	"cuelang.org/go/cue"
)

// The schema in Go. Unifying a large desired state with #Tenant makes CUE
// evaluate every value a second time (the user's package is evaluated when
// it is built), which cost about a third of a lint. So the loader first
// decodes the user's own value checking the schema's constraints here, and
// unifies with #Tenant only when one of them fails, for CUE's verdict and
// its messages (load.go). This file must be at least as strict as
// tenant.cue: anything it lets through must be something the schema accepts.
// TestCheckMatchesSchema pins every pattern below to the text of
// tenant.cue, and TestFastPathAgrees and FuzzFastPath compare the two paths
// on valid and invalid desired states.

// Patterns of tenant.cue, compiled by Go's regexp as CUE's =~ is.
var (
	reNumber     = regexp.MustCompile(patNumber)
	reGUID       = regexp.MustCompile(patGUID)
	reUPN        = regexp.MustCompile(patUPN)
	reCountry    = regexp.MustCompile(patCountry)
	reDomain     = regexp.MustCompile(patDomain)
	rePolicyName = regexp.MustCompile(patPolicyName)
	reKey        = regexp.MustCompile(patKey)
)

// The patterns as written in tenant.cue (without CUE's string escaping).
const (
	patNumber     = `^\+[0-9]{8,15}(;ext=[0-9]{1,15})?$`
	patGUID       = `^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`
	patUPN        = `^[^@\s\x00-\x1f\x7f-\x9f]+@[^@\s\x00-\x1f\x7f-\x9f]+$`
	patCountry    = `^[A-Z]{2}$`
	patDomain     = `^[^\s\x00-\x1f\x7f-\x9f]+$`
	patPolicyName = `^[^:\x00-\x1f\x7f-\x9f]+$`
	patKey        = `^[^\x00-\x1f\x7f-\x9f]+$`
)

// numberTypes is #NumberType.
var numberTypes = map[string]bool{CallingPlan: true, OperatorConnect: true, DirectRouting: true}

// The fields each closed struct of the schema declares, in the schema's
// order (unknown-field messages list them; suggest.go), and as sets.
var (
	tenantFieldNames       = []string{"tenant", "locations", "resourceAccounts", "policies", "tenantDefault", "userNumbers"}
	tenantDomainFieldNames = []string{"domain"}
	locationFieldNames     = []string{"id", "country"}
	accountFieldNames      = []string{"number", "type", "location"}
	policyFieldNames       = []string{"resourceAccount", "emergencyNumbers", "description", "users", "groups"}
	userNumberFieldNames   = []string{"number", "type"}

	tenantFields       = fieldSet(tenantFieldNames...)
	tenantDomainFields = fieldSet(tenantDomainFieldNames...)
	locationFields     = fieldSet(locationFieldNames...)
	accountFields      = fieldSet(accountFieldNames...)
	policyFields       = fieldSet(policyFieldNames...)
	userNumberFields   = fieldSet(userNumberFieldNames...)
)

func fieldSet(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// checker records whether a value decoded without the schema breaks it. Its
// methods do nothing unless strict, and nothing more once the value is
// known to break it.
type checker struct {
	strict  bool
	deviant bool
}

func (c *checker) on() bool { return c.strict && !c.deviant }

// fail records a value the decoder could not read as the schema says.
func (c *checker) fail() {
	if c.strict {
		c.deviant = true
	}
}

// match checks a string against a pattern (nil: any string).
func (c *checker) match(re *regexp.Regexp, s string) {
	if c.on() && re != nil && !re.MatchString(s) {
		c.deviant = true
	}
}

// numberType checks #NumberType.
func (c *checker) numberType(s string) {
	if c.on() && !numberTypes[s] {
		c.deviant = true
	}
}

// nonEmpty checks tenantDefault's !="".
func (c *checker) nonEmpty(s string) {
	if c.on() && s == "" {
		c.deviant = true
	}
}

// isString checks a value's kind before it is read as a string.
func (c *checker) isString(v cue.Value) {
	if c.on() && kind(v) != cue.StringKind {
		c.deviant = true
	}
}

// rank checks a group grant's int & >=1.
func (c *checker) rank(v cue.Value) {
	if !c.on() {
		return
	}
	if kind(v) != cue.IntKind {
		c.deviant = true
		return
	}
	if n, err := v.Int64(); err != nil || n < 1 {
		c.deviant = true
	}
}

// kind is the kind of v's default if it has one (*"a" | "b"), as the
// decoder reads it.
func kind(v cue.Value) cue.Kind {
	if d, ok := v.Default(); ok {
		return d.Kind()
	}
	return v.Kind()
}

// allOpts lists every kind of field, so that strict checks see them all.
var allOpts = []cue.Option{cue.Optional(true), cue.Definitions(true), cue.Hidden(true)}

// fields calls fn for each regular field of the struct v, once. In strict
// mode it checks that v is a struct whose regular fields are all declared
// by the schema (allowed). Inside the schema's definitions, any other kind
// of field (optional, hidden, a definition) is left to CUE: it is allowed
// there, but the checks here stay simple by not reasoning about it. At the
// top level (top), hidden fields and definitions are the user's own helpers
// and CUE allows them; an optional field is still left to CUE.
func (c *checker) fields(v cue.Value, allowed map[string]bool, top bool, fn func(name string, fv cue.Value)) {
	if !c.strict {
		it, err := v.Fields()
		if err != nil {
			return
		}
		for it.Next() {
			fn(it.Selector().Unquoted(), it.Value())
		}
		return
	}
	if kind(v) != cue.StructKind {
		c.deviant = true
		return
	}
	it, err := v.Fields(allOpts...)
	if err != nil {
		c.deviant = true
		return
	}
	for it.Next() && !c.deviant {
		sel := it.Selector()
		switch {
		case sel.ConstraintType() != 0:
			c.deviant = true // optional or required (a ? or ! field)
		case sel.LabelType() != cue.StringLabel:
			c.deviant = !top // hidden, a definition, or both
		case allowed != nil && !allowed[sel.Unquoted()]:
			c.deviant = true
		default:
			fn(sel.Unquoted(), it.Value())
		}
	}
}

// entries calls fn for each entry of a map of the schema ([key]: #X), when
// the map exists; in strict mode it checks that it is a struct of regular
// fields whose keys match key (nil: any).
func (c *checker) entries(v cue.Value, key *regexp.Regexp, fn func(key string, fv cue.Value)) {
	if !v.Exists() {
		return
	}
	c.fields(v, nil, false, func(k string, fv cue.Value) {
		c.match(key, k)
		if !c.deviant {
			fn(k, fv)
		}
	})
}

// require records a required field of the schema that is missing.
func (c *checker) require(present bool) {
	if !present {
		c.fail()
	}
}
