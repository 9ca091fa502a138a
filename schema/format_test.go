package schema

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFormat(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want string
	}{
		{
			name: "already formatted",
			src:  "package tenant\n\ntenant: domain: \"contoso.onmicrosoft.com\"\n",
			want: "package tenant\n\ntenant: domain: \"contoso.onmicrosoft.com\"\n",
		},
		{
			name: "layout",
			src:  "package tenant\ntenant:{domain:\"x\"}\n\n\n\nlocations: {}\n",
			want: "package tenant\n\ntenant: {domain: \"x\"}\n\nlocations: {}\n",
		},
		{
			name: "resource account number with punctuation",
			src: `package tenant

resourceAccounts: "ra1@contoso.com": {
	number:   "+1 (425) 555-0100"
	type:     "CallingPlan"
}
`,
			want: `package tenant

resourceAccounts: "ra1@contoso.com": {
	number: "+14255550100"
	type:   "CallingPlan"
}
`,
		},
		{
			name: "emergency numbers and extension",
			src: `package tenant

policies: Redmond: emergencyNumbers: ["+1 425-555-6677", "tel:+14255556678", "+1.425.555.6679"]
userNumbers: "dave@contoso.com": number: "+1 (206) 555-0150;ext=6789"
`,
			want: `package tenant

policies: Redmond: emergencyNumbers: ["+14255556677", "+14255556678", "+14255556679"]
userNumbers: "dave@contoso.com": number: "+12065550150;ext=6789"
`,
		},
		{
			name: "quoted label is a number field too",
			src:  "package tenant\n\nx: \"number\": \"+1 425 555 0100\"\n",
			want: "package tenant\n\nx: \"number\": \"+14255550100\"\n",
		},
		{
			name: "other fields and non-numbers are left alone",
			src: `package tenant

policies: P: description: "+1 (425) 555-0100"

resourceAccounts: "ra@c.com": number: "call me"

policies: Q: emergencyNumbers: ["+1 425 555 0101", x]

x: "+1 425 555 0102"
`,
			want: `package tenant

policies: P: description: "+1 (425) 555-0100"

resourceAccounts: "ra@c.com": number: "call me"

policies: Q: emergencyNumbers: ["+14255550101", x]

x: "+1 425 555 0102"
`,
		},
		{
			name: "comments are kept",
			src:  "package tenant\n\n// the main line\nresourceAccounts: \"ra@c.com\": number: \"+1 425 555 0100\" // Redmond\n",
			want: "package tenant\n\n// the main line\nresourceAccounts: \"ra@c.com\": number: \"+14255550100\" // Redmond\n",
		},
		{
			name: "multi-line strings are left alone",
			src:  "package tenant\n\nresourceAccounts: \"ra@c.com\": number: \"\"\"\n\t+1 425 555 0100\n\t\"\"\"\n",
			want: "package tenant\n\nresourceAccounts: \"ra@c.com\": number: \"\"\"\n\t+1 425 555 0100\n\t\"\"\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Format("policies.cue", []byte(tt.src))
			if err != nil {
				t.Fatalf("Format: %v", err)
			}
			if diff := cmp.Diff(tt.want, string(got)); diff != "" {
				t.Errorf("Format (-want +got):\n%s", diff)
			}
			again, err := Format("policies.cue", got)
			if err != nil {
				t.Fatalf("Format of its own output: %v", err)
			}
			if diff := cmp.Diff(string(got), string(again)); diff != "" {
				t.Errorf("Format is not idempotent (-once +twice):\n%s", diff)
			}
		})
	}
}

func TestFormatRefusesBadInput(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want Pos
	}{
		{"syntax error", "package tenant\n\ntenant: {\n", Pos{File: "a.cue", Line: 3, Col: 11}},
		{"binary", "package tenant\x00\n", Pos{File: "a.cue", Line: 1, Col: 1}},
		{"not utf-8", "package tenant\n\nx: \"\xff\"\n", Pos{File: "a.cue", Line: 3, Col: 5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := Format("a.cue", []byte(tt.src))
			if out != nil {
				t.Errorf("Format returned output %q with an error", out)
			}
			var le *LoadError
			if !errors.As(err, &le) || len(le.Problems) == 0 {
				t.Fatalf("Format error = %v, want a *LoadError", err)
			}
			if diff := cmp.Diff(tt.want, le.Problems[0].Pos); diff != "" {
				t.Errorf("problem position (-want +got):\n%s", diff)
			}
		})
	}
}

// FuzzFormat checks that Format never panics, fails only with a *LoadError
// (bad input), ErrFormatInvalid (CUE's formatter breaking the text) or
// ErrFormatUnstable (CUE's formatter not settling), and is idempotent on
// what it accepts (testdata/fuzz/FuzzFormat holds a comment placement that
// took CUE's formatter two passes to settle).
func FuzzFormat(f *testing.F) {
	for _, name := range []string{"tenant.cue", "locations.cue", "accounts.cue", "policies.cue"} {
		data, err := os.ReadFile(filepath.Join("..", "examples", "contoso", name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte("package tenant\n\nresourceAccounts: \"a@b.c\": number: \"+1 (425) 555-0100;ext=12\"\n"))
	f.Add([]byte("package tenant\n\npolicies: P: emergencyNumbers: [\"tel:+14255550101\", \"+1 425\"]\n"))
	f.Add([]byte("package tenant\n\ntenant: {\n"))
	f.Fuzz(func(t *testing.T, src []byte) {
		out, err := Format("a.cue", src)
		if err != nil {
			var le *LoadError
			if !errors.As(err, &le) && !errors.Is(err, ErrFormatInvalid) && !errors.Is(err, ErrFormatUnstable) {
				t.Fatalf("Format error %v (%T), want a *LoadError, ErrFormatInvalid or ErrFormatUnstable", err, err)
			}
			return
		}
		again, err := Format("a.cue", out)
		if err != nil {
			t.Fatalf("Format of its own output: %v\n%s", err, out)
		}
		if string(again) != string(out) {
			t.Fatalf("Format is not idempotent:\n%s\n---\n%s", out, again)
		}
	})
}
