package tenant

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// importFuzzFiles are the files of an export directory, in the order the
// fuzzer's selector picks them.
var importFuzzFiles = []string{
	ExportResourceAccounts, ExportUsers, ExportLocations, ExportPolicies,
	ExportNumbers, ExportGroupAssignments, ExportTenant,
}

// FuzzImport runs the whole PowerShell import (callops import) on the
// PowerShell 7 fixture export with one of its files replaced by arbitrary
// bytes. FuzzParseExport covers the JSON reader alone; this covers the
// mapping of what it reads into a snapshot. Every input must give either
// an error that names the file it comes from (an *ImportError) or the
// snapshot's own validation error (a *ParseError), or a snapshot that is
// valid, has the import serial and a lineage, and encodes and parses back
// to the same digest: no input makes callops write a state it cannot read.
func FuzzImport(f *testing.F) {
	base := map[string][]byte{}
	for _, name := range importFuzzFiles {
		b, err := os.ReadFile(filepath.Join("testdata", "import", "ps7", name))
		if err != nil {
			f.Fatal(err)
		}
		base[name] = b
	}
	for i, name := range importFuzzFiles {
		f.Add(uint8(i), base[name])
		if b, err := os.ReadFile(filepath.Join("testdata", "import", "ps51", name)); err == nil {
			f.Add(uint8(i), b)
		}
	}
	f.Add(uint8(4), []byte(`{"TelephoneNumber":"tel:+14255550100;ext=12","NumberType":1,"AssignedPstnTargetId":"TeamsSharedCallingRoutingPolicy|Tag:Nope"}`))
	f.Add(uint8(3), []byte("\xef\xbb\xbf[{\"Identity\":\"Tag:\",\"EmergencyNumbers\":[\"\",null,7]}]"))
	f.Add(uint8(0), []byte(`[{"ObjectId":"00000000-0000-0000-0000-000000000000","UserPrincipalName":""}]`))
	f.Add(uint8(1), []byte(`null`))
	// One directory for all inputs of this process, holding the fixture;
	// each input replaces one file and puts it back afterwards (a fresh
	// directory per input made the fuzzer I/O-bound).
	dir := f.TempDir()
	for _, n := range importFuzzFiles {
		if err := os.WriteFile(filepath.Join(dir, n), base[n], 0o644); err != nil {
			f.Fatal(err)
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, data []byte) {
		name := importFuzzFiles[int(which)%len(importFuzzFiles)]
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		defer func() {
			if err := os.WriteFile(path, base[name], 0o644); err != nil {
				t.Fatal(err)
			}
		}()
		s, warnings, err := Import(dir)
		if err != nil {
			var ie *ImportError
			var pe *ParseError
			switch {
			case errors.As(err, &ie):
				if ie.File != name {
					t.Fatalf("error names %s, the fuzzed file is %s: %v", ie.File, name, err)
				}
			case errors.As(err, &pe):
			default:
				t.Fatalf("error %T %v is neither an *ImportError nor a *ParseError", err, err)
			}
			if !strings.HasPrefix(err.Error(), "importing ") {
				t.Fatalf("error %q does not say what was being done", err)
			}
			return
		}
		for _, w := range warnings {
			if w.Message == "" {
				t.Fatalf("warning without a message: %+v", w)
			}
		}
		if s.Serial != ImportSerial || s.Lineage == "" || s.Format != Format {
			t.Fatalf("imported snapshot has serial %d, lineage %q, format %q", s.Serial, s.Lineage, s.Format)
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("imported snapshot is not valid: %v", err)
		}
		b, err := s.Encode()
		if err != nil {
			t.Fatalf("encoding the imported snapshot: %v", err)
		}
		s2, err := Parse(b)
		if err != nil {
			t.Fatalf("the imported snapshot does not parse back: %v\n%s", err, b)
		}
		if s.Digest() != s2.Digest() {
			t.Fatal("digest changed through encode/parse")
		}
	})
}
