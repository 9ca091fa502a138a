package tenant

import (
	"bytes"
	"testing"
)

// scriptBackend carries each operation out by writing its one-step script
// and running it with the test interpreter: the PowerShell backend as a
// tenant would see it.
type scriptBackend struct{ s *Snapshot }

func (b *scriptBackend) Current() *Snapshot { return b.s }
func (b *scriptBackend) Close() error       { return nil }

func (b *scriptBackend) Apply(op Op) error {
	var script bytes.Buffer
	if err := WritePowerShell(&script, b.s, []Op{op}, PowerShellOptions{}); err != nil {
		return err
	}
	return InterpretPowerShell(script.String(), b.s, &PSRun{})
}

// TestPowerShellConformance runs the backend conformance suite through the
// script: every operation is refused with the model's rule (when writing
// the script) or carried out by the script to the model's result.
func TestPowerShellConformance(t *testing.T) {
	runConformance(t, func(t *testing.T, start *Snapshot) Backend { return &scriptBackend{s: start} })
}

// TestPowerShellBackendConformance runs the suite on PowerShellBackend
// itself (the simulated state it plans the script on).
func TestPowerShellBackendConformance(t *testing.T) {
	runConformance(t, func(t *testing.T, start *Snapshot) Backend {
		return NewPowerShellBackend(&bytes.Buffer{}, start, PowerShellOptions{})
	})
}
