package main

import (
	"os"
	"regexp"
	"testing"

	"github.com/callops/callops/lint"
	"github.com/callops/callops/schema"
)

// TestREADMEExampleLints keeps the desired-state example of README.md valid:
// it loads and lints without findings.
func TestREADMEExampleLints(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	blocks := regexp.MustCompile("(?s)```cue\n(.*?)```").FindAllSubmatch(data, -1)
	if len(blocks) == 0 {
		t.Fatal("README.md has no ```cue block")
	}
	for i, b := range blocks {
		d, err := schema.LoadFiles([]schema.File{{Name: "readme.cue", Data: b[1]}}, schema.Options{})
		if err != nil {
			t.Errorf("README.md cue block %d does not load: %v", i+1, err)
			continue
		}
		for _, f := range lint.Run(d, nil) {
			t.Errorf("README.md cue block %d: %s", i+1, f)
		}
	}
}
