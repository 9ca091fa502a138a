package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// secretEnv are credentials a CI runner or an operator's shell typically
// holds, set to marker values that must appear in nothing callops writes.
var secretEnv = map[string]string{
	"GITHUB_TOKEN":          "ghp_MARKERgithubtoken0000000000000000",
	"AZURE_CLIENT_SECRET":   "MARKER-azure-client-secret-0000",
	"AZURE_CLIENT_ID":       "MARKER-azure-client-id-0000",
	"AZURE_TENANT_ID":       "MARKER-azure-tenant-id-0000",
	"CALLOPS_X_TOKEN":       "MARKER-callops-x-token-0000",
	"ACTIONS_RUNTIME_TOKEN": "MARKER-actions-runtime-token-0000",
	"TEAMS_PASSWORD":        "MARKER-teams-password-0000",
}

// TestNoSecretsInOutput runs every command that writes something (lint in
// each format, plan in each format and with --verbose and --out, apply of a
// directory and of a plan file, an apply killed mid-way that leaves its lock
// and journal, resume, the PowerShell backend's scripts, import, export,
// fmt, state restore) with credentials in the environment, and checks that
// no output stream and no file in the work directory contains any of them.
func TestNoSecretsInOutput(t *testing.T) {
	bin := failpointCallops(t)
	for k, v := range secretEnv {
		t.Setenv(k, v)
	}
	dir := copyContoso(t)
	work := filepath.Dir(dir)
	importDir, err := filepath.Abs(filepath.Join("..", "..", "tenant", "testdata", "import", "ps7"))
	if err != nil {
		t.Fatal(err)
	}

	var outputs []string
	run := func(wantCode int, args ...string) {
		t.Helper()
		stdout, stderr, code := callopsRun(t, bin, work, nil, args...)
		if code != wantCode {
			t.Fatalf("callops %s: exit %d, want %d\n%s%s", strings.Join(args, " "), code, wantCode, stdout, stderr)
		}
		outputs = append(outputs, "callops "+strings.Join(args, " ")+"\n"+stdout+stderr)
	}
	for _, f := range lintFormats {
		run(0, "lint", "contoso", "--format", f)
	}
	run(1, "lint", "missing")
	for _, f := range planFormats {
		run(2, "plan", "contoso", "--format", f, "--detailed-exitcode")
	}
	run(2, "plan", "contoso", "-v", "--out", "plan.json", "--detailed-exitcode")
	run(0, "apply", "plan.json")
	run(0, "state", "restore", "--state", "contoso/callops.state.json")
	run(0, "apply", "contoso", "--backend", "powershell", "--script", "scripts/apply.ps1", "--rollback-script", "scripts/rollback.ps1", "--auto-approve")

	// An apply killed after its second step leaves a lock and a journal.
	holder := pausedApply(t, bin, work, "after-step-2")
	kill(t, holder)
	files := readAll(t, work)
	for _, want := range []string{"contoso/callops.state.json.lock", "contoso/callops.state.json.journal"} {
		if _, ok := files[want]; !ok {
			t.Fatalf("the killed apply left no %s", want)
		}
	}
	checkNoSecrets(t, files, outputs)

	lock, err := os.ReadFile(filepath.Join(dir, "callops.state.json.lock"))
	if err != nil {
		t.Fatal(err)
	}
	id := lockIDOf(t, string(lock))
	run(0, "state", "unlock", id, "--state", "contoso/callops.state.json")
	run(0, "apply", "--resume", "-v", "--state", "contoso/callops.state.json")
	run(0, "state", "restore", "--state", "contoso/callops.state.json")
	run(0, "apply", "contoso", "--auto-approve", "-v")
	run(0, "import", importDir, "--out", "imported.state.json")
	run(0, "export", "--state", "imported.state.json", "--out", "exported")
	run(0, "fmt", "exported")
	run(0, "rules")
	checkNoSecrets(t, readAll(t, work), outputs)
}

// lockIDOf returns the id of a lock file's JSON.
func lockIDOf(t *testing.T, lock string) string {
	t.Helper()
	_, rest, ok := strings.Cut(lock, `"id":"`)
	id, _, ok2 := strings.Cut(rest, `"`)
	if !ok || !ok2 || id == "" {
		t.Fatalf("no id in lock %q", lock)
	}
	return id
}

// readAll returns every regular file under root, by slash path relative to
// root.
func readAll(t *testing.T, root string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		files[filepath.ToSlash(rel)] = string(data)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func checkNoSecrets(t *testing.T, files map[string]string, outputs []string) {
	t.Helper()
	if len(files) < 5 || len(outputs) < 5 {
		t.Fatalf("only %d files and %d outputs to check", len(files), len(outputs))
	}
	for name, v := range secretEnv {
		for path, data := range files {
			if strings.Contains(data, v) || strings.Contains(data, "MARKER") {
				t.Errorf("file %s contains the value of %s", path, name)
			}
		}
		for _, out := range outputs {
			if strings.Contains(out, v) || strings.Contains(out, "MARKER") {
				first, _, _ := strings.Cut(out, "\n")
				t.Errorf("output of %s contains the value of %s", first, name)
			}
		}
	}
}
