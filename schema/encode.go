package schema

import (
	"bytes"
	"fmt"
	"regexp"

	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/literal"
)

// Names of the files EncodeFiles writes.
const (
	EncodeTenantFile      = "tenant.cue"       // domain, locations, resource accounts, tenant default
	EncodePoliciesFile    = "policies.cue"     // policies and their grants
	EncodeUserNumbersFile = "user-numbers.cue" // numbers held by users (only when there are some)
)

// Encode writes d as one formatted CUE file of package tenant (what `cue fmt`
// writes), in the shape of DESIGN.md section 2: maps keyed by location key,
// UPN and policy name in sorted order, user grants as one list per policy
// (CUE's cost grows with the fields of one struct, not with list length),
// emergency numbers in their order. The same d always gives the same bytes.
// Positions, Digest and Files of d are ignored.
func Encode(d *Desired) ([]byte, error) {
	var b bytes.Buffer
	b.WriteString(packageHeader)
	writeTenant(&b, d)
	writePolicies(&b, d)
	writeUserNumbers(&b, d)
	return formatCUE("encoded desired state", b.Bytes())
}

// EncodeFiles writes d as several formatted CUE files of one package:
// EncodeTenantFile, EncodePoliciesFile and, when d has user numbers,
// EncodeUserNumbersFile. Loading them together gives the same model as
// loading Encode's single file.
func EncodeFiles(d *Desired) ([]File, error) {
	var files []File
	add := func(name string, write func(*bytes.Buffer, *Desired)) error {
		var b bytes.Buffer
		b.WriteString(packageHeader)
		write(&b, d)
		out, err := formatCUE(name, b.Bytes())
		if err != nil {
			return err
		}
		files = append(files, File{Name: name, Data: out})
		return nil
	}
	if err := add(EncodeTenantFile, writeTenant); err != nil {
		return nil, err
	}
	if err := add(EncodePoliciesFile, writePolicies); err != nil {
		return nil, err
	}
	if len(d.UserNumbers) > 0 {
		if err := add(EncodeUserNumbersFile, writeUserNumbers); err != nil {
			return nil, err
		}
	}
	return files, nil
}

const packageHeader = "package tenant\n"

func formatCUE(name string, src []byte) ([]byte, error) {
	out, err := format.Source(src)
	if err != nil {
		// The text is generated with every string quoted: failing here is
		// a bug in the encoder, reported with the file it was making.
		return nil, fmt.Errorf("encoding %s: %w", name, err)
	}
	return out, nil
}

func writeTenant(b *bytes.Buffer, d *Desired) {
	fmt.Fprintf(b, "\ntenant: domain: %s\n", quote(d.Domain))
	if len(d.Locations) > 0 {
		b.WriteString("\nlocations: {\n")
		for _, l := range d.Locations {
			fmt.Fprintf(b, "%s: {id: %s, country: %s}\n", label(l.Key), quote(l.ID), quote(l.Country))
		}
		b.WriteString("}\n")
	}
	if len(d.ResourceAccounts) > 0 {
		b.WriteString("\nresourceAccounts: {\n")
		for _, ra := range d.ResourceAccounts {
			fmt.Fprintf(b, "%s: {\n", label(ra.UPN))
			fmt.Fprintf(b, "number: %s\n", quote(ra.Number))
			fmt.Fprintf(b, "type: %s\n", quote(ra.Type))
			if ra.Location != "" {
				fmt.Fprintf(b, "location: %s\n", quote(ra.Location))
			}
			b.WriteString("}\n")
		}
		b.WriteString("}\n")
	}
	if d.TenantDefault != "" {
		fmt.Fprintf(b, "\ntenantDefault: %s\n", quote(d.TenantDefault))
	}
}

func writePolicies(b *bytes.Buffer, d *Desired) {
	if len(d.Policies) == 0 {
		return
	}
	b.WriteString("\npolicies: {\n")
	for i, p := range d.Policies {
		if i > 0 {
			b.WriteByte('\n')
		}
		fmt.Fprintf(b, "%s: {\n", label(p.Name))
		fmt.Fprintf(b, "resourceAccount: %s\n", quote(p.ResourceAccount))
		if p.Description != "" {
			fmt.Fprintf(b, "description: %s\n", quote(p.Description))
		}
		if len(p.EmergencyNumbers) > 0 {
			b.WriteString("emergencyNumbers: [")
			for j, e := range p.EmergencyNumbers {
				if j > 0 {
					b.WriteString(", ")
				}
				b.WriteString(quote(e.Value))
			}
			b.WriteString("]\n")
		}
		if len(p.Users) > 0 {
			b.WriteString("users: [\n")
			for _, u := range p.Users {
				b.WriteString(quote(u.Value))
				b.WriteString(",\n")
			}
			b.WriteString("]\n")
		}
		if len(p.Groups) > 0 {
			b.WriteString("groups: {\n")
			for _, g := range p.Groups {
				fmt.Fprintf(b, "%s: %d\n", label(g.GroupID), g.Rank)
			}
			b.WriteString("}\n")
		}
		b.WriteString("}\n")
	}
	b.WriteString("}\n")
}

func writeUserNumbers(b *bytes.Buffer, d *Desired) {
	if len(d.UserNumbers) == 0 {
		return
	}
	b.WriteString("\nuserNumbers: {\n")
	for _, u := range d.UserNumbers {
		fmt.Fprintf(b, "%s: {number: %s, type: %s}\n", label(u.UPN), quote(u.Number), quote(u.Type))
	}
	b.WriteString("}\n")
}

// quote writes s as a CUE double-quoted string literal, escaping what CUE
// requires (quotes, backslashes, control characters, and the "\(" that
// would start an interpolation).
func quote(s string) string { return literal.String.Quote(s) }

var bareLabel = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// keywords are identifiers that mean something else in CUE (keywords,
// predeclared types and builtins); as labels they are quoted so that no
// reader wonders whether a field shadows them.
var keywords = map[string]bool{
	"package": true, "import": true, "for": true, "in": true, "if": true, "let": true,
	"true": true, "false": true, "null": true, "func": true,
	"bool": true, "string": true, "bytes": true, "number": true, "int": true, "float": true,
	"len": true, "close": true, "and": true, "or": true, "div": true, "mod": true, "quo": true, "rem": true,
}

// label writes a field label: bare when it is a plain identifier, quoted
// otherwise (UPNs, GUIDs, names with spaces or '#', '_' or '$' prefixes that
// would make hidden fields or definitions).
func label(s string) string {
	if bareLabel.MatchString(s) && !keywords[s] {
		return s
	}
	return quote(s)
}
