package tenant

import (
	"errors"
	"path/filepath"
	"testing"
)

// runConformance runs applyCases against a backend made by newBackend from a
// start state: each operation must be refused with the same rule as
// Snapshot.Apply refuses it, or accepted with the same resulting tenant
// content. Every backend's tests call it (dnscontrol's integration suite
// works the same way).
func runConformance(t *testing.T, newBackend func(t *testing.T, start *Snapshot) Backend) {
	for _, tc := range applyCases {
		t.Run(tc.name, func(t *testing.T) {
			model := fixture()
			modelErr := model.Apply(tc.op)
			b := newBackend(t, fixture())
			defer func() {
				if err := b.Close(); err != nil {
					t.Errorf("Close: %v", err)
				}
			}()
			err := b.Apply(tc.op)
			var re *RefusedError
			switch {
			case modelErr != nil:
				if !errors.As(err, &re) || re.Rule != modelErr.(*RefusedError).Rule {
					t.Errorf("Apply = %v, want refusal %s", err, modelErr.(*RefusedError).Rule)
				}
			case err != nil:
				t.Errorf("Apply = %v, want success", err)
			}
			if got, want := b.Current().Digest(), model.Digest(); got != want {
				t.Errorf("tenant after Apply differs from the model's")
			}
		})
	}
}

func TestFileBackendConformance(t *testing.T) {
	runConformance(t, func(t *testing.T, start *Snapshot) Backend {
		path := filepath.Join(t.TempDir(), "state.json")
		if err := WriteState(path, start); err != nil {
			t.Fatal(err)
		}
		fb, err := OpenFile(path, FileOptions{Operation: "test"})
		if err != nil {
			t.Fatal(err)
		}
		return fb
	})
}
