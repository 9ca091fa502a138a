package schema

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"testing"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/parser"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

// fastPathCases are desired states that the Go checks must judge as
// tenant.cue does: valid ones (which must take the fast path) and ones that
// break each constraint of the schema, or use what the Go checks leave to
// CUE.
var fastPathCases = []struct {
	name string
	src  string
	fast bool // the fast path decodes it (false: left to CUE)
}{
	{"contoso", contoso, true},
	{"helpers at the top", "package tenant\n#Site: {resourceAccount: string}\n_n: 2\ntenant: domain: \"x.com\"\npolicies: P: #Site & {resourceAccount: \"r@x.com\"}\n", true},
	{"default value", "package tenant\ntenant: domain: *\"x.com\" | \"y.com\"\n", true},
	{"no package", "tenant: domain: \"x.com\"\n", true},
	{"comprehension", "package tenant\ntenant: domain: \"x.com\"\npolicies: {for n in [\"A\", \"B\"] {(n): resourceAccount: \"r@x.com\"}}\n", true},
	{"user not a upn", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", users: [\"a@x\", \"bob\"]}\n", true},
	{"unknown top field", "package tenant\ntenant: domain: \"x\"\npolicy: {}\n", false},
	{"optional top field", "package tenant\ntenant: domain: \"x\"\nfoo?: int\n", false},
	{"unknown policy field", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", emergencyCallbackNumbers: [\"+14255550100\"]}\n", false},
	{"hidden policy field", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", _d: 1}\n", false},
	{"optional policy field", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", z?: int}\n", false},
	{"definition in policy", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", #d: 1}\n", false},
	{"unknown tenant field", "package tenant\ntenant: {domain: \"x\", id: \"y\"}\n", false},
	{"missing tenant", "package tenant\npolicies: P: resourceAccount: \"r@x\"\n", false},
	{"domain with space", "package tenant\ntenant: domain: \"x y\"\n", false},
	{"domain not a string", "package tenant\ntenant: domain: 5\n", false},
	{"domain bytes", "package tenant\ntenant: domain: 'x.com'\n", false},
	{"incomplete domain", "package tenant\ntenant: domain: string\n", false},
	{"tenant null", "package tenant\ntenant: null\n", false},
	{"bad location id", "package tenant\ntenant: domain: \"x\"\nlocations: l: {id: \"nope\", country: \"US\"}\n", false},
	{"bad country", "package tenant\ntenant: domain: \"x\"\nlocations: l: {id: \"407c17ae-8c41-431e-894a-38787c682f68\", country: \"us\"}\n", false},
	{"missing country", "package tenant\ntenant: domain: \"x\"\nlocations: l: {id: \"407c17ae-8c41-431e-894a-38787c682f68\"}\n", false},
	{"locations a list", "package tenant\ntenant: domain: \"x\"\nlocations: []\n", false},
	{"account key not a upn", "package tenant\ntenant: domain: \"x\"\nresourceAccounts: ra: {number: \"+14255550100\", type: \"CallingPlan\"}\n", false},
	{"account bad number", "package tenant\ntenant: domain: \"x\"\nresourceAccounts: \"ra@x\": {number: \"14255550100\", type: \"CallingPlan\"}\n", false},
	{"account number with extension", "package tenant\ntenant: domain: \"x\"\nresourceAccounts: \"ra@x\": {number: \"+14255550100;ext=12\", type: \"CallingPlan\"}\n", true},
	{"account bad type", "package tenant\ntenant: domain: \"x\"\nresourceAccounts: \"ra@x\": {number: \"+14255550100\", type: \"Calling\"}\n", false},
	{"account location not a string", "package tenant\ntenant: domain: \"x\"\nresourceAccounts: \"ra@x\": {number: \"+14255550100\", type: \"CallingPlan\", location: 1}\n", false},
	{"account missing type", "package tenant\ntenant: domain: \"x\"\nresourceAccounts: \"ra@x\": {number: \"+14255550100\"}\n", false},
	{"policy name with colon", "package tenant\ntenant: domain: \"x\"\npolicies: \"Tag:P\": {resourceAccount: \"r@x\"}\n", false},
	// Control characters (an escape sequence would reach the terminal
	// that shows a plan or a finding) are refused in every name.
	{"policy name with an escape", "package tenant\ntenant: domain: \"x\"\npolicies: \"Van\\u001b[31m\": {resourceAccount: \"r@x\"}\n", false},
	{"policy name with a line break", "package tenant\ntenant: domain: \"x\"\npolicies: \"Van\\ncouver\": {resourceAccount: \"r@x\"}\n", false},
	{"policy name with a C1 control", "package tenant\ntenant: domain: \"x\"\npolicies: \"Van\\u009bcouver\": {resourceAccount: \"r@x\"}\n", false},
	{"location key with an escape", "package tenant\ntenant: domain: \"x\"\nlocations: \"hq\\u001b\": {id: \"407c17ae-8c41-431e-894a-38787c682f68\", country: \"US\"}\n", false},
	{"account upn with an escape", "package tenant\ntenant: domain: \"x\"\nresourceAccounts: \"ra\\u001b@x\": {number: \"+14255550100\", type: \"CallingPlan\"}\n", false},
	{"policy ra with a bell", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\\u0007\"}\n", false},
	{"domain with an escape", "package tenant\ntenant: domain: \"x\\u001b\"\n", false},
	{"policy name with unicode letters", "package tenant\ntenant: domain: \"x\"\npolicies: \"Zürich Büro 2\": {resourceAccount: \"r@x\"}\n", true},
	{"policy ra not a upn", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r\"}\n", false},
	{"policy missing ra", "package tenant\ntenant: domain: \"x\"\npolicies: P: {description: \"d\"}\n", false},
	{"emergency number pattern", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", emergencyNumbers: [\"425-555-0100\"]}\n", false},
	{"emergency numbers not a list", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", emergencyNumbers: \"+14255550100\"}\n", false},
	{"emergency number not a string", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", emergencyNumbers: [14255550100]}\n", false},
	{"open emergency list", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", emergencyNumbers: [\"+14255550100\", ...string]}\n", true},
	{"description not a string", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", description: 1}\n", false},
	{"users not strings", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", users: [1]}\n", false},
	{"group rank zero", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", groups: {\"0c6f1b7e-1111-2222-3333-444455556666\": 0}}\n", false},
	{"group rank float", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", groups: {\"0c6f1b7e-1111-2222-3333-444455556666\": 1.0}}\n", false},
	{"group rank string", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", groups: {\"0c6f1b7e-1111-2222-3333-444455556666\": \"1\"}}\n", false},
	{"group key not a guid", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", groups: {sales: 1}}\n", false},
	{"groups a list", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", groups: [1]}\n", false},
	{"empty tenant default", "package tenant\ntenant: domain: \"x\"\ntenantDefault: \"\"\n", false},
	{"tenant default not a string", "package tenant\ntenant: domain: \"x\"\ntenantDefault: true\n", false},
	{"user number key not a upn", "package tenant\ntenant: domain: \"x\"\nuserNumbers: carol: {number: \"+14255550100\", type: \"CallingPlan\"}\n", false},
	{"user number unknown field", "package tenant\ntenant: domain: \"x\"\nuserNumbers: \"c@x\": {number: \"+14255550100\", type: \"CallingPlan\", location: \"l\"}\n", false},
	{"user number bad type", "package tenant\ntenant: domain: \"x\"\nuserNumbers: \"c@x\": {number: \"+14255550100\", type: \"DirectRoute\"}\n", false},
	{"conflict in a hidden field", "package tenant\ntenant: domain: \"x\"\n_h: 1 & 2\n", false},
	{"incomplete hidden field", "package tenant\ntenant: domain: \"x\"\n_h: int\n", true},
	{"conflict in a definition", "package tenant\ntenant: domain: \"x\"\n#D: {a: 1 & 2}\n", false},
	{"default type the schema rules out", "package tenant\ntenant: domain: \"x\"\nresourceAccounts: \"ra@x\": {number: \"+14255550100\", type: *\"Bad\" | \"CallingPlan\"}\n", false},
	{"empty default tenant default", "package tenant\ntenant: domain: \"x\"\ntenantDefault: *\"\" | \"P\"\npolicies: P: resourceAccount: \"r@x\"\n", false},
	{"default rank zero", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", groups: {\"0c6f1b7e-1111-2222-3333-444455556666\": *0 | 2}}\n", false},
	{"default policy the schema rules out", "package tenant\ntenant: domain: \"x\"\npolicies: P: *{resourceAccount: \"bad\"} | {resourceAccount: \"r@x\"}\n", false},
	{"default list for policies", "package tenant\ntenant: domain: \"x\"\npolicies: *[] | {P: resourceAccount: \"r@x\"}\n", false},
	{"default emergency number the schema rules out", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", emergencyNumbers: [*\"911\" | \"+14255550100\"]}\n", false},
	{"default user number the schema rules out", "package tenant\ntenant: domain: \"x\"\nuserNumbers: \"c@x\": {number: *\"+1425\" | \"+14255550100\", type: \"CallingPlan\"}\n", false},
	{"default policy key with a colon", "package tenant\ntenant: domain: \"x\"\npolicies: *{\"Tag:P\": {resourceAccount: \"r@x\"}} | {P: {resourceAccount: \"r@x\"}}\n", false},
	{"default tenant with an unknown field", "package tenant\ntenant: *{domain: \"x\", id: 1} | {domain: \"y\"}\n", false},
	{"valid default", "package tenant\ntenant: domain: \"x\"\nresourceAccounts: \"ra@x\": {number: \"+14255550100\", type: *\"CallingPlan\" | \"Bad\"}\n", true},
	{"bytes emergency number", "package tenant\ntenant: domain: \"x\"\npolicies: P: {resourceAccount: \"r@x\", emergencyNumbers: ['+14255550100']}\n", false},
	{"top-level definition value", "package tenant\ntenant: domain: \"x\"\n#Foo: 1\n", true},
}

// TestSchemaResolvesDefaults: where the user's default is one the schema
// rules out, CUE resolves the disjunction to the other value, and so must
// the model (both paths read it from the unified value; the user's own
// value holds the default the schema refuses).
func TestSchemaResolvesDefaults(t *testing.T) {
	byName := map[string]string{}
	for _, tt := range fastPathCases {
		byName[tt.name] = tt.src
	}
	for name, check := range map[string]func(*Desired) string{
		"default type the schema rules out":   func(d *Desired) string { return d.ResourceAccounts[0].Type },
		"empty default tenant default":        func(d *Desired) string { return d.TenantDefault },
		"default rank zero":                   func(d *Desired) string { return fmt.Sprint(d.Policies[0].Groups[0].Rank) },
		"default policy the schema rules out": func(d *Desired) string { return d.Policies[0].ResourceAccount },
		"default list for policies":           func(d *Desired) string { return fmt.Sprint(len(d.Policies)) },
		"default emergency number the schema rules out": func(d *Desired) string {
			return d.Policies[0].EmergencyNumbers[0].Value
		},
		"default user number the schema rules out": func(d *Desired) string { return d.UserNumbers[0].Number },
		"default policy key with a colon":          func(d *Desired) string { return d.Policies[0].Name },
		"default tenant with an unknown field":     func(d *Desired) string { return d.Domain },
	} {
		want := map[string]string{
			"default type the schema rules out":             "CallingPlan",
			"empty default tenant default":                  "P",
			"default rank zero":                             "2",
			"default policy the schema rules out":           "r@x",
			"default list for policies":                     "1",
			"default emergency number the schema rules out": "+14255550100",
			"default user number the schema rules out":      "+14255550100",
			"default policy key with a colon":               "P",
			"default tenant with an unknown field":          "y",
		}[name]
		for _, fast := range []bool{true, false} {
			d, err := load(files("a.cue", byName[name]), fast)
			if err != nil {
				t.Errorf("%s (fast %v): %v", name, fast, err)
				continue
			}
			if diff := cmp.Diff(want, check(d)); diff != "" {
				t.Errorf("%s (fast %v): (-want +got):\n%s", name, fast, diff)
			}
		}
	}
}

// buildUser evaluates src as the user's package alone, as load does before
// the schema is involved.
func buildUser(t testing.TB, src string) (cue.Value, bool) {
	t.Helper()
	af, err := parser.ParseFile("a.cue", src, parser.ParseComments)
	if err != nil {
		return cue.Value{}, false
	}
	inst := build.NewContext().NewInstance("", nil)
	if err := inst.AddSyntax(af); err != nil {
		return cue.Value{}, false
	}
	v := cuecontext.New().BuildInstance(inst)
	return v, v.Err() == nil
}

// TestFastPathAgrees loads every case both ways: with the Go checks, and
// always unifying with #Tenant. The results (model or problems) must be
// the same, and the valid cases must really take the fast path (otherwise
// large tenants silently pay for the second evaluation again).
func TestFastPathAgrees(t *testing.T) {
	for _, tt := range fastPathCases {
		t.Run(tt.name, func(t *testing.T) {
			fs := files("a.cue", tt.src)
			fast, ferr := load(fs, true)
			slow, serr := load(fs, false)
			if diff := cmp.Diff(errProblems(serr), errProblems(ferr)); diff != "" {
				t.Errorf("errors differ (-unified +fast):\n%s", diff)
			}
			if diff := cmp.Diff(slow, fast, cmp.AllowUnexported(Desired{})); diff != "" {
				t.Errorf("models differ (-unified +fast):\n%s", diff)
			}
			v, ok := buildUser(t, tt.src)
			if !ok {
				// An error of the user's own package: both paths stop
				// before the schema is involved.
				if tt.fast {
					t.Fatal("case does not build")
				}
				return
			}
			d, err := decodeFast(v)
			if took := d != nil || err != nil; took != tt.fast {
				t.Errorf("fast path taken = %v, want %v (slow: %v)", took, tt.fast, serr)
			}
		})
	}
}

func errProblems(err error) []string {
	if err == nil {
		return nil
	}
	var le *LoadError
	if !errors.As(err, &le) {
		return []string{"error: " + err.Error()}
	}
	var out []string
	for _, p := range le.Problems {
		out = append(out, fmt.Sprintf("%s %s %s", p.Pos, p.Path, p.Message))
	}
	return out
}

// TestCheckMatchesSchema pins the Go copy of the schema (check.go) to
// tenant.cue: every pattern, every closed struct's fields and the number
// types. Changing tenant.cue without check.go fails here.
func TestCheckMatchesSchema(t *testing.T) {
	for _, pat := range []string{patNumber, patGUID, patUPN, patCountry, patDomain, patPolicyName, patKey} {
		quoted := `=~"` + strings.ReplaceAll(pat, `\`, `\\`) + `"`
		if !strings.Contains(Source, quoted) {
			t.Errorf("tenant.cue has no %s", quoted)
		}
	}
	if n := strings.Count(Source, "=~"); n != 7 {
		// #Number, #GUID, #UPN, #Country, the domain, the policy key
		// and the location key.
		t.Errorf("tenant.cue has %d patterns; check.go knows 7", n)
	}

	ctx := cuecontext.New()
	s := ctx.CompileString(Source)
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
	for def, want := range map[string]map[string]bool{
		"#Tenant":          tenantFields,
		"#Tenant.tenant":   tenantDomainFields,
		"#Location":        locationFields,
		"#ResourceAccount": accountFields,
		"#Policy":          policyFields,
		"#UserNumber":      userNumberFields,
	} {
		v := s.LookupPath(cue.ParsePath(def))
		it, err := v.Fields(cue.Optional(true))
		if err != nil {
			t.Fatalf("%s: %v", def, err)
		}
		var got, wantNames []string
		for it.Next() {
			got = append(got, it.Selector().Unquoted())
		}
		for n := range want {
			wantNames = append(wantNames, n)
		}
		sort.Strings(got)
		sort.Strings(wantNames)
		if diff := cmp.Diff(wantNames, got); diff != "" {
			t.Errorf("fields of %s (-check.go +tenant.cue):\n%s", def, diff)
		}
	}

	nt := s.LookupPath(cue.ParsePath("#NumberType"))
	for _, typ := range []string{CallingPlan, OperatorConnect, DirectRouting, "Calling", ""} {
		accepted := nt.Unify(ctx.CompileString(fmt.Sprintf("%q", typ))).Validate(cue.Concrete(true)) == nil
		if accepted != numberTypes[typ] {
			t.Errorf("#NumberType accepts %q = %v, check.go %v", typ, accepted, numberTypes[typ])
		}
	}
}

// FuzzFastPath: on any input, the fast path and the unified path agree.
func FuzzFastPath(f *testing.F) {
	for _, tt := range fastPathCases {
		f.Add(tt.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		fs := files("a.cue", src)
		fast, ferr := load(fs, true)
		slow, serr := load(fs, false)
		if diff := cmp.Diff(errProblems(serr), errProblems(ferr)); diff != "" {
			t.Fatalf("errors differ (-unified +fast):\n%s", diff)
		}
		if diff := cmp.Diff(slow, fast, cmp.AllowUnexported(Desired{})); diff != "" {
			t.Fatalf("models differ (-unified +fast):\n%s", diff)
		}
		if serr == nil {
			checkModelAccepted(t, src, slow)
		}
	})
}

// randomDesired builds a desired state from fragments chosen by r: most
// fields valid, some of every kind the schema refuses or the Go checks
// leave to CUE (wrong kinds, patterns, unknown, optional, hidden and
// definition fields, missing required fields, defaults, references).
func randomDesired(r *rand.Rand) string {
	// The first choice is valid; it is taken most of the time, so that
	// whole states are often valid.
	pick := func(xs ...string) string {
		if r.Float64() < 0.85 {
			return xs[0]
		}
		return xs[r.IntN(len(xs))]
	}
	maybe := func(p float64, s string) string {
		if r.Float64() < p {
			return s
		}
		return ""
	}
	number := func() string {
		return pick(`"+14255550100"`, `"+14255550101"`, `"+442079460123"`, `"+14255550100;ext=12"`, `"14255550100"`, `"+1425"`, `5`, `string`, `*"+14255550102" | "+14255550103"`, `*"911" | "+14255550104"`)
	}
	upn := func() string {
		return pick(`"a@x.com"`, `"b@x.com"`, `"ra@x.com"`, `"bob"`, `"a b@x.com"`, `"A@X.COM"`)
	}
	guid := func() string {
		return pick(`"407c17ae-8c41-431e-894a-38787c682f68"`, `"0c6f1b7e-1111-2222-3333-444455556666"`, `"nope"`, `"407C17AE-8C41-431E-894A-38787C682F68"`)
	}
	typ := func() string {
		return pick(`"CallingPlan"`, `"DirectRouting"`, `"OperatorConnect"`, `"Calling"`, `1`, `*"Calling" | "DirectRouting"`)
	}
	var b strings.Builder
	b.WriteString("package tenant\n\n")
	b.WriteString(pick(`tenant: domain: "x.com"`, `tenant: domain: "x y"`, `tenant: {domain: "x.com", id: 1}`, `tenant: domain: string`, `tenant: {}`, "", `tenant: domain: _d`+"\n_d: \"x.com\"") + "\n")
	b.WriteString(maybe(0.15, pick(`#Site: {resourceAccount: string}`, `_h: 1`, `_h: 1 & 2`, `foo?: int`, `extra: 1`, `#D: {a: 1 & 2}`)) + "\n")
	if r.Float64() < 0.7 {
		b.WriteString("locations: {\n")
		for i := r.IntN(3); i > 0; i-- {
			fmt.Fprintf(&b, "\tl%d: {id: %s, country: %s%s}\n", i, guid(), pick(`"US"`, `"GB"`, `"us"`, `1`), maybe(0.1, `, extra: 1`))
		}
		b.WriteString("}\n")
	}
	if r.Float64() < 0.7 {
		b.WriteString("resourceAccounts: {\n")
		for i := r.IntN(3); i > 0; i-- {
			fmt.Fprintf(&b, "\t%s: {number: %s, type: %s%s%s}\n", pick(`"ra@x.com"`, `"rb@x.com"`, `ra`, `"r c@x.com"`),
				number(), typ(), maybe(0.5, `, location: `+pick(`"l1"`, `1`)), maybe(0.1, pick(`, z?: int`, `, _z: 1`, `, #z: 1`)))
		}
		b.WriteString("}\n")
	}
	if r.Float64() < 0.8 {
		b.WriteString("policies: {\n")
		for i := r.IntN(4); i > 0; i-- {
			fmt.Fprintf(&b, "\t%s: {\n", pick(`P1`, `P2`, `"Tag:P"`, `"P 3"`, `[string]`))
			b.WriteString(maybe(0.9, "\t\tresourceAccount: "+upn()+"\n"))
			b.WriteString(maybe(0.5, "\t\temergencyNumbers: "+pick("["+number()+"]", "["+number()+", "+number()+"]", "[]", number(), "[...string]")+"\n"))
			b.WriteString(maybe(0.3, "\t\tdescription: "+pick(`"d"`, `1`, `string`, `*1 | "e"`)+"\n"))
			b.WriteString(maybe(0.6, "\t\tusers: "+pick("["+upn()+"]", "["+upn()+", "+upn()+"]", "[]", upn(), "[1]")+"\n"))
			b.WriteString(maybe(0.3, "\t\tgroups: "+pick("{"+guid()+": "+pick("1", "0", "2.0", `"1"`, "int", "*0 | 3")+"}", "[1]", "{}")+"\n"))
			b.WriteString(maybe(0.1, "\t\t"+pick(`emergencyCallbackNumbers: []`, `z?: int`, `_z: 1`, `#z: 1`)+"\n"))
			// A default policy the schema rules out, beside one it accepts.
			b.WriteString("\t}" + maybe(0.1, ` | *{resourceAccount: "bad"}`) + "\n")
		}
		b.WriteString("}\n")
	}
	b.WriteString(maybe(0.3, "tenantDefault: "+pick(`"P1"`, `""`, `1`, `"Global"`, `*"" | "P2"`)+"\n"))
	if r.Float64() < 0.5 {
		fmt.Fprintf(&b, "userNumbers: %s: {number: %s, type: %s%s}\n", upn(), number(), typ(), maybe(0.1, `, location: "l1"`))
	}
	return b.String()
}

// TestFastPathRandom compares the two paths on 1,500 generated desired
// states (FuzzFastPath mutates bytes and mostly finds syntax errors; these
// are well-formed CUE that breaks the schema in every way it can).
func TestFastPathRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	n := 1500
	if testing.Short() {
		n = 300
	}
	fast := 0
	for i := 0; i < n; i++ {
		src := randomDesired(r)
		fs := files("a.cue", src)
		fd, ferr := load(fs, true)
		sd, serr := load(fs, false)
		if diff := cmp.Diff(errProblems(serr), errProblems(ferr)); diff != "" {
			t.Fatalf("errors differ (-unified +fast) for:\n%s\n%s", src, diff)
		}
		if diff := cmp.Diff(sd, fd, cmp.AllowUnexported(Desired{})); diff != "" {
			t.Fatalf("models differ (-unified +fast) for:\n%s\n%s", src, diff)
		}
		if serr == nil {
			// The two paths could share a mistake: the model itself, written
			// back as CUE, must be a desired state the schema accepts, and
			// read back as the same model.
			checkModelAccepted(t, src, sd)
		}
		if v, ok := buildUser(t, src); ok {
			if d, err := decodeFast(v); d != nil || err != nil {
				fast++
			}
		}
	}
	// The generator must reach both paths, or the comparison says little.
	if fast < n/20 || fast > n-n/20 {
		t.Errorf("fast path taken for %d of %d states: the generator is lopsided", fast, n)
	}
	t.Logf("fast path taken for %d of %d states", fast, n)
}

// checkModelAccepted encodes d as CUE and loads it by unification with
// #Tenant: every value of the model must be one the schema accepts, and
// reading it back gives the same model (positions and digest aside).
func checkModelAccepted(t *testing.T, src string, d *Desired) {
	t.Helper()
	enc, err := Encode(d)
	if err != nil {
		t.Fatalf("encoding the model of:\n%s\n%v", src, err)
	}
	back, err := load(files("a.cue", string(enc)), false)
	if err != nil {
		t.Fatalf("the schema refuses the model of:\n%s\nencoded as:\n%s\n%v", src, enc, err)
	}
	opts := cmp.Options{cmpopts.IgnoreTypes(Pos{}), cmpopts.IgnoreFields(Desired{}, "Digest", "Files"),
		cmpopts.EquateEmpty(), cmp.AllowUnexported(Desired{})}
	if diff := cmp.Diff(d, back, opts); diff != "" {
		t.Fatalf("the model of:\n%s\nreads back differently (-model +read back):\n%s", src, diff)
	}
}
