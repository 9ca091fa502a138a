package main

// Tests of the files that run callops from outside: the pre-commit hook
// manifest, the GitHub Action and the example workflow.

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

func repoFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "..", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// preCommitHook is an entry of .pre-commit-hooks.yaml (the fields pre-commit
// reads that matter here).
type preCommitHook struct {
	ID            string   `yaml:"id"`
	Name          string   `yaml:"name"`
	Entry         string   `yaml:"entry"`
	Language      string   `yaml:"language"`
	PassFilenames *bool    `yaml:"pass_filenames"`
	Files         string   `yaml:"files"`
	Args          []string `yaml:"args"`
}

func TestPreCommitManifest(t *testing.T) {
	var hooks []preCommitHook
	if err := yaml.Unmarshal(repoFile(t, ".pre-commit-hooks.yaml"), &hooks); err != nil {
		t.Fatalf("parsing .pre-commit-hooks.yaml: %v", err)
	}
	var got []string
	for _, h := range hooks {
		got = append(got, h.ID+": "+h.Entry)
		if h.Language != "golang" {
			t.Errorf("hook %s: language %q, want golang (pre-commit runs go install ./...)", h.ID, h.Language)
		}
		if h.PassFilenames == nil || *h.PassFilenames {
			t.Errorf("hook %s: pass_filenames must be false: callops checks a whole desired state, not files", h.ID)
		}
		re, err := regexp.Compile(h.Files)
		if err != nil {
			t.Errorf("hook %s: files %q: %v", h.ID, h.Files, err)
			continue
		}
		if !re.MatchString("tenants/contoso/policies.cue") || re.MatchString("callops.state.json") {
			t.Errorf("hook %s: files %q must match .cue files only", h.ID, h.Files)
		}
	}
	want := []string{"callops-lint: callops lint", "callops-fmt: callops fmt --check"}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("hooks (-want +got):\n%s", d)
	}
}

// preCommitStates are desired states a hook runs on: valid is lint-clean
// and formatted; invalid reuses an emergency number (a lint error) in a file
// that is not formatted.
var preCommitStates = map[string]map[string]string{
	"valid": {
		"tenant.cue": "package tenant\n\ntenant: domain: \"contoso.onmicrosoft.com\"\n\n" +
			"locations: redmond: {id: \"a70074bf-ecd1-43a3-b9d4-847bd31b5cb7\", country: \"US\"}\n\n" +
			"resourceAccounts: \"main@contoso.com\": {\n\tnumber:   \"+14255550100\"\n\ttype:     \"CallingPlan\"\n\tlocation: \"redmond\"\n}\n\n" +
			"policies: Redmond: {\n\tresourceAccount: \"main@contoso.com\"\n\temergencyNumbers: [\"+14255550101\"]\n\tusers: [\"alice@contoso.com\"]\n}\n",
	},
	"invalid": {
		"seattle.cue": "package tenant\n\npolicies: Seattle: {\n    resourceAccount: \"main@contoso.com\"\n    emergencyNumbers: [\"+14255550101\"]\n    users: [\"bob@contoso.com\"]\n}\n",
	},
}

// TestPreCommitHooks runs each hook of the manifest as pre-commit would: the
// entry split on spaces plus the hook's args, no file names, from the root of
// the user's repository (here a temporary copy of a desired state), and
// checks the exit codes. `callops` on PATH is this test binary (TestMain).
func TestPreCommitHooks(t *testing.T) {
	var hooks []preCommitHook
	if err := yaml.Unmarshal(repoFile(t, ".pre-commit-hooks.yaml"), &hooks); err != nil {
		t.Fatalf("parsing .pre-commit-hooks.yaml: %v", err)
	}
	for _, h := range hooks {
		for _, state := range []string{"valid", "invalid"} {
			t.Run(h.ID+"/"+state, func(t *testing.T) {
				root := t.TempDir()
				for name, data := range preCommitStates["valid"] {
					writeTestFile(t, root, name, data)
				}
				if state == "invalid" {
					for name, data := range preCommitStates["invalid"] {
						writeTestFile(t, root, name, data)
					}
				}
				argv := append(strings.Fields(h.Entry), h.Args...)
				cmd := exec.Command(argv[0], argv[1:]...)
				cmd.Dir = root
				cmd.Env = append(os.Environ(), "NO_COLOR=1")
				var out bytes.Buffer
				cmd.Stdout, cmd.Stderr = &out, &out
				err := cmd.Run()
				code := 0
				var ee *exec.ExitError
				if errors.As(err, &ee) {
					code = ee.ExitCode()
				} else if err != nil {
					t.Fatalf("running %q: %v", argv, err)
				}
				want := map[string]int{"valid": 0, "invalid": 1}[state]
				if code != want {
					t.Errorf("%q on the %s state: exit %d, want %d; output:\n%s", argv, state, code, want, out.String())
				}
				if strings.Contains(out.String(), "panic") {
					t.Errorf("%q: output has a panic:\n%s", argv, out.String())
				}
			})
		}
	}
}

func writeTestFile(t *testing.T, root, name, data string) {
	t.Helper()
	p := filepath.Join(root, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// actionStep is a step of action.yml or of a workflow's job.
type actionStep struct {
	Name  string            `yaml:"name"`
	ID    string            `yaml:"id"`
	If    string            `yaml:"if"`
	Uses  string            `yaml:"uses"`
	Run   string            `yaml:"run"`
	Shell string            `yaml:"shell"`
	Env   map[string]string `yaml:"env"`
	With  map[string]string `yaml:"with"`
}

// actionFile is the part of action.yml the tests read.
type actionFile struct {
	Name   string `yaml:"name"`
	Inputs map[string]struct {
		Description string `yaml:"description"`
		Default     string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string       `yaml:"using"`
		Steps []actionStep `yaml:"steps"`
	} `yaml:"runs"`
}

var expressionRE = regexp.MustCompile(`\$\{\{\s*([^}]*?)\s*\}\}`)

// TestActionNoInlineExpressions: an input spliced into a run: block with
// ${{ }} becomes shell code (a directory named `$(curl ...)`); every input
// must reach scripts through env:.
func TestActionNoInlineExpressions(t *testing.T) {
	var a actionFile
	if err := yaml.Unmarshal(repoFile(t, "action.yml"), &a); err != nil {
		t.Fatalf("parsing action.yml: %v", err)
	}
	if a.Runs.Using != "composite" {
		t.Errorf("runs.using = %q, want composite", a.Runs.Using)
	}
	for _, in := range []string{"directory", "command", "state", "format", "go-version"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("action.yml has no input %q", in)
		}
	}
	runs := 0
	for i, s := range a.Runs.Steps {
		if s.Run == "" {
			continue
		}
		runs++
		if strings.Contains(s.Run, "${{") {
			t.Errorf("step %d (%s): run: contains ${{ }}; pass the value through env:", i+1, s.Name)
		}
		if s.Shell != "bash" {
			t.Errorf("step %d (%s): shell %q, want bash (composite run steps need an explicit shell)", i+1, s.Name, s.Shell)
		}
		if bash, err := exec.LookPath("bash"); err == nil {
			if out, err := exec.Command(bash, "-n", "-c", s.Run).CombinedOutput(); err != nil {
				t.Errorf("step %d (%s): bash -n: %v\n%s", i+1, s.Name, err, out)
			}
		}
	}
	if runs < 3 {
		t.Errorf("action.yml has %d run: steps, want build, lint and plan at least", runs)
	}
	// Every input is used, and only through env: or with:/if:.
	text := string(repoFile(t, "action.yml"))
	for in := range a.Inputs {
		if !strings.Contains(text, "inputs."+in) {
			t.Errorf("input %q is never used", in)
		}
	}
}

func TestActionBuildsAndPostsComment(t *testing.T) {
	var a actionFile
	if err := yaml.Unmarshal(repoFile(t, "action.yml"), &a); err != nil {
		t.Fatalf("parsing action.yml: %v", err)
	}
	var all strings.Builder
	for _, s := range a.Runs.Steps {
		all.WriteString(s.Run)
	}
	for _, want := range []string{
		`go build -o "$RUNNER_TEMP/callops" ./cmd/callops`,
		"--format \"$format\"",
		"$GITHUB_STEP_SUMMARY",
		"<!-- callops-plan -->",
		"gh api",
	} {
		if !strings.Contains(all.String(), want) {
			t.Errorf("action.yml's scripts lack %q", want)
		}
	}
}

// workflow is the part of a GitHub workflow the example test reads.
type workflow struct {
	On   map[string]any `yaml:"on"`
	Jobs map[string]struct {
		Steps []actionStep `yaml:"steps"`
	} `yaml:"jobs"`
}

func TestExampleWorkflow(t *testing.T) {
	var w workflow
	if err := yaml.Unmarshal(repoFile(t, "examples/github/callops.yml"), &w); err != nil {
		t.Fatalf("parsing examples/github/callops.yml: %v", err)
	}
	for _, ev := range []string{"pull_request", "schedule"} {
		if _, ok := w.On[ev]; !ok {
			t.Errorf("the example workflow does not run on %s", ev)
		}
	}
	var uses, runs strings.Builder
	for name, j := range w.Jobs {
		for _, s := range j.Steps {
			uses.WriteString(s.Uses + "\n")
			runs.WriteString(s.Run + "\n")
			for k, v := range s.With {
				uses.WriteString(k + "=" + v + "\n")
			}
			if strings.Contains(s.Run, "${{") {
				t.Errorf("job %s, step %q: run: contains ${{ }}; pass the value through env:", name, s.Name)
			}
		}
	}
	for _, want := range []string{"github/codeql-action/upload-sarif", "command=lint", "command=plan", "detailed-exitcode=true"} {
		if !strings.Contains(uses.String(), want) {
			t.Errorf("the example workflow lacks %q", want)
		}
	}
}

// TestExamplesHaveNoMainPackages: pre-commit's golang hooks run
// `go install ./...` in a clone of this repository, which would install any
// main package under examples/ as a command.
func TestExamplesHaveNoMainPackages(t *testing.T) {
	mainRE := regexp.MustCompile(`(?m)^package main\b`)
	err := filepath.WalkDir(filepath.Join("..", "..", "examples"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".go") {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if mainRE.Match(data) {
			t.Errorf("%s is a main package: examples/ must hold none", p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestActionScripts runs the action's lint and plan scripts with bash as a
// runner would (RUNNER_TEMP holding the built callops, GITHUB_OUTPUT and
// GITHUB_STEP_SUMMARY files), with a fake gh that records its calls.
func TestActionScripts(t *testing.T) {
	bash, err := exec.LookPath("bash")
	if err != nil {
		t.Skip("no bash")
	}
	self, err := exec.LookPath("callops") // this test binary, set up by TestMain
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(repoFile(t, "action.yml"), &a); err != nil {
		t.Fatalf("parsing action.yml: %v", err)
	}
	steps := map[string]actionStep{}
	for _, s := range a.Runs.Steps {
		steps[s.ID] = s
	}
	contoso, err := filepath.Abs(filepath.Join("..", "..", "examples", "contoso"))
	if err != nil {
		t.Fatal(err)
	}

	type result struct {
		code                    int
		stdout, summary, output string
		ghCalls                 string
	}
	runStep := func(t *testing.T, id string, dir string, env map[string]string, ghFirstReply string) result {
		t.Helper()
		tmp := t.TempDir()
		if err := os.Symlink(self, filepath.Join(tmp, "callops")); err != nil {
			t.Fatal(err)
		}
		bin := t.TempDir()
		// The fake gh logs its arguments; a GET of the comments replies
		// with ghFirstReply (the id of an earlier comment, or nothing).
		gh := "#!/bin/sh\necho \"$*\" >> \"$GH_LOG\"\ncase \"$*\" in *--paginate*) printf '%s' \"$GH_REPLY\" ;; esac\n"
		writeTestFile(t, bin, "gh", gh)
		if err := os.Chmod(filepath.Join(bin, "gh"), 0o755); err != nil {
			t.Fatal(err)
		}
		files := map[string]string{"GITHUB_OUTPUT": "", "GITHUB_STEP_SUMMARY": "", "GH_LOG": ""}
		for k := range files {
			files[k] = filepath.Join(tmp, strings.ToLower(k))
			writeTestFile(t, tmp, strings.ToLower(k), "")
		}
		cmd := exec.Command(bash, "-c", steps[id].Run)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "RUNNER_TEMP="+tmp, "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
			"GH_REPLY="+ghFirstReply, "NO_COLOR=1")
		for k, v := range files {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		for k := range steps[id].Env {
			cmd.Env = append(cmd.Env, k+"="+env[k])
		}
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		r := result{stdout: out.String()}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			r.code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		read := func(k string) string {
			b, _ := os.ReadFile(files[k])
			return string(b)
		}
		r.summary, r.output, r.ghCalls = read("GITHUB_STEP_SUMMARY"), read("GITHUB_OUTPUT"), read("GH_LOG")
		return r
	}

	t.Run("lint valid", func(t *testing.T) {
		root := t.TempDir()
		for name, data := range preCommitStates["valid"] {
			writeTestFile(t, root, name, data)
		}
		r := runStep(t, "lint", root, map[string]string{"CALLOPS_DIR": "."}, "")
		if r.code != 0 || !strings.Contains(r.summary, "### callops lint") || !strings.Contains(r.output, "exit-code=0\n") ||
			!strings.Contains(r.output, "sarif-file=") {
			t.Errorf("lint of a valid state: exit %d\nstdout:\n%s\nsummary:\n%s\noutput:\n%s", r.code, r.stdout, r.summary, r.output)
		}
	})
	t.Run("lint invalid", func(t *testing.T) {
		root := t.TempDir()
		for _, st := range []string{"valid", "invalid"} {
			for name, data := range preCommitStates[st] {
				writeTestFile(t, root, name, data)
			}
		}
		r := runStep(t, "lint", root, map[string]string{"CALLOPS_DIR": "."}, "")
		if r.code != 1 || !strings.Contains(r.stdout, "::error file=") || !strings.Contains(r.summary, "emergency-number-reused") {
			t.Errorf("lint of an invalid state: exit %d\nstdout:\n%s\nsummary:\n%s", r.code, r.stdout, r.summary)
		}
		sarif, _ := os.ReadFile(strings.TrimSpace(strings.SplitN(strings.SplitN(r.output, "sarif-file=", 2)[1], "\n", 2)[0]))
		if !bytes.Contains(sarif, []byte(`"emergency-number-reused"`)) {
			t.Errorf("the SARIF file lacks the finding:\n%s", sarif)
		}
	})

	planEnv := func(event string) map[string]string {
		return map[string]string{"CALLOPS_DIR": contoso, "CALLOPS_COMMENT": "true", "CALLOPS_DETAILED": "false",
			"CALLOPS_EVENT": event, "CALLOPS_PR": "7", "CALLOPS_REPOSITORY": "contoso/voice", "GH_TOKEN": "x"}
	}
	stateCopy := func(t *testing.T) map[string]string {
		// plan reads DIR/callops.state.json and never writes it; the copy
		// keeps the test independent of the example's directory anyway.
		dir := t.TempDir()
		entries, err := os.ReadDir(contoso)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			data, err := os.ReadFile(filepath.Join(contoso, e.Name()))
			if err != nil {
				t.Fatal(err)
			}
			writeTestFile(t, dir, e.Name(), string(data))
		}
		env := planEnv("pull_request")
		env["CALLOPS_DIR"] = dir
		return env
	}
	t.Run("plan on push", func(t *testing.T) {
		env := stateCopy(t)
		env["CALLOPS_EVENT"] = "push"
		r := runStep(t, "plan", t.TempDir(), env, "")
		if r.code != 0 || !strings.Contains(r.summary, "<!-- callops-plan -->") || !strings.Contains(r.output, "has-changes=true\n") || r.ghCalls != "" {
			t.Errorf("plan on push: exit %d\nstdout:\n%s\noutput:\n%s\ngh calls:\n%s", r.code, r.stdout, r.output, r.ghCalls)
		}
	})
	t.Run("plan on a pull request posts a comment", func(t *testing.T) {
		r := runStep(t, "plan", t.TempDir(), stateCopy(t), "")
		if r.code != 0 || !strings.Contains(r.ghCalls, "--method POST repos/contoso/voice/issues/7/comments") {
			t.Errorf("plan on a pull request: exit %d\nstdout:\n%s\ngh calls:\n%s", r.code, r.stdout, r.ghCalls)
		}
	})
	t.Run("plan on a pull request updates its comment", func(t *testing.T) {
		r := runStep(t, "plan", t.TempDir(), stateCopy(t), "4242\n")
		if r.code != 0 || !strings.Contains(r.ghCalls, "--method PATCH repos/contoso/voice/issues/comments/4242") || strings.Contains(r.ghCalls, "POST") {
			t.Errorf("plan on a pull request with an earlier comment: exit %d\nstdout:\n%s\ngh calls:\n%s", r.code, r.stdout, r.ghCalls)
		}
	})
	t.Run("plan drift check", func(t *testing.T) {
		env := stateCopy(t)
		env["CALLOPS_EVENT"], env["CALLOPS_DETAILED"] = "schedule", "true"
		r := runStep(t, "plan", t.TempDir(), env, "")
		if r.code != 2 || !strings.Contains(r.output, "exit-code=2\n") {
			t.Errorf("drift check with changes: exit %d, want 2\nstdout:\n%s\noutput:\n%s", r.code, r.stdout, r.output)
		}
	})
}
