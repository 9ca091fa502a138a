package schema

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// FuzzLoad feeds arbitrary files to the loader: every input must give either
// a model or an error with a message within the time limit, never a panic
// (LoadFiles reports a recovered panic as an "internal CUE error", which
// fails here), and a *LoadError must carry at least one problem whose
// position, if any, names the input file.
func FuzzLoad(f *testing.F) {
	f.Add([]byte(contoso))
	f.Add([]byte("package tenant\ntenant: domain: x\nx: tenant.domain\n"))
	f.Add([]byte("package tenant\n#a: {b: #a}\nz: #a\n"))
	f.Add([]byte("package tenant\nimport \"strings\"\ntenant: domain: strings.ToLower(\"X\")\n"))
	for _, dir := range []string{"../examples/contoso", "../examples/seed"} {
		matches, _ := filepath.Glob(filepath.Join(dir, "*.cue"))
		for _, m := range matches {
			if b, err := os.ReadFile(m); err == nil {
				f.Add(b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		d, err := LoadFiles([]File{{Name: "f.cue", Data: src}}, Options{Timeout: 2 * time.Second})
		if err != nil {
			if err.Error() == "" {
				t.Fatal("error without a message")
			}
			if strings.Contains(err.Error(), "internal CUE error") {
				t.Fatalf("panic while loading: %v", err)
			}
			var le *LoadError
			if errors.As(err, &le) {
				if len(le.Problems) == 0 {
					t.Fatal("LoadError without problems")
				}
				for _, p := range le.Problems {
					if p.Pos.IsValid() && p.Pos.File != "f.cue" {
						t.Fatalf("problem in unknown file %q: %+v", p.Pos.File, p)
					}
				}
			}
			return
		}
		if d.Digest == "" || len(d.Files) != 1 {
			t.Fatalf("model without digest or files: %+v", d)
		}
	})
}
