package gen

import (
	"fmt"
	"os"
	"path/filepath"
)

// StateJSON returns the current state as a callops-state/v1 file.
func (t *Tenant) StateJSON() ([]byte, error) {
	b, err := t.State.Encode()
	if err != nil {
		return nil, fmt.Errorf("encoding state: %w", err)
	}
	return b, nil
}

// WriteState writes the current state to path, creating its directory.
func (t *Tenant) WriteState(path string) error {
	b, err := t.StateJSON()
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("writing state: %w", err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return fmt.Errorf("writing state: %w", err)
	}
	return nil
}
