package ci

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// fakeGo stands in for the go command: it answers `go list -m` and `go env
// GOCACHE`, records the arguments of `go test` and answers as the mode in
// FAKE_GO says ("replay-only" passes without fuzzing a new input, as go does
// when the count is used up by the corpus). "race" prints what Go 1.26's fuzz coordinator
// prints when -fuzztime runs out under a busy worker (go.dev/issue/75804);
// "race-new-input" does that and also writes a failing input; "crash" fails
// on an input as a real finding does.
const fakeGo = `#!/bin/sh
case "$1" in
list) echo example/m; exit 0 ;;
env) echo "$FAKE_GOCACHE"; exit 0 ;;
esac
echo "$*" >> "$FAKE_GO_ARGS"
pkg=$2
name=$(echo "$6" | tr -d '^$')
case "$FAKE_GO" in
pass)
	echo "fuzz: elapsed: 0s, gathering baseline coverage: 3/3 completed, now fuzzing with 2 workers"
	echo "ok  	example/$pkg	1.0s"
	exit 0 ;;
replay-only)
	echo "fuzz: elapsed: 0s, gathering baseline coverage: 0/298 completed"
	echo "PASS"
	exit 0 ;;
race|race-new-input)
	if [ "$FAKE_GO" = race-new-input ]; then
		mkdir -p "$pkg/testdata/fuzz/$name"
		echo "go test fuzz v1" > "$pkg/testdata/fuzz/$name/0123abcd"
	fi
	echo "fuzz: elapsed: 5s, execs: 6324 (398/sec), new interesting: 9 (total: 72)"
	echo "--- FAIL: $name (5.20s)"
	echo "    context deadline exceeded"
	echo "FAIL"
	echo "exit status 1"
	exit 1 ;;
crash)
	echo "--- FAIL: $name (0.20s)"
	echo "    --- FAIL: $name (0.00s)"
	echo "        testing.go:1591: panic: index out of range"
	echo "    Failing input written to testdata/fuzz/$name/feed"
	echo "FAIL"
	exit 1 ;;
esac
exit 2
`

// fuzzTree copies .ci/fuzz into a temporary tree that has the repository's
// fuzz target declarations (the script checks its list against them), with a
// fake go command first on PATH. It returns the tree and the file the fake
// writes its arguments to.
func fuzzTree(t *testing.T) (dir, argsFile string) {
	t.Helper()
	root := filepath.Join("..", "..")
	dir = t.TempDir()
	script, err := os.ReadFile(filepath.Join(root, ".ci", "fuzz"))
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(dir, ".ci", "fuzz"), script, 0o755)
	decl := regexp.MustCompile(`(?m)^func Fuzz\w*`)
	err = filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || strings.HasPrefix(d.Name(), ".")) && path != root {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		funcs := decl.FindAll(src, -1)
		if len(funcs) == 0 {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		write(t, filepath.Join(dir, rel), append(bytes.Join(funcs, []byte("\n")), '\n'), 0o644)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "bin")
	write(t, filepath.Join(bin, "go"), []byte(fakeGo), 0o755)
	argsFile = filepath.Join(dir, "args")
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("FAKE_GO_ARGS", argsFile)
	t.Setenv("FUZZTIME", "")
	t.Setenv("FAKE_GOCACHE", filepath.Join(dir, "gocache"))
	return dir, argsFile
}

func write(t *testing.T, name string, data []byte, perm os.FileMode) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, perm); err != nil {
		t.Fatal(err)
	}
}

// runFuzz runs the copied script with the fake go in the given mode.
func runFuzz(t *testing.T, dir, mode string, args ...string) (string, int) {
	t.Helper()
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	cmd := exec.Command("bash", append([]string{filepath.Join(dir, ".ci", "fuzz")}, args...)...)
	cmd.Env = append(os.Environ(), "FAKE_GO="+mode)
	out, err := cmd.CombinedOutput()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return string(out), code
}

func calls(t *testing.T, argsFile string) []string {
	t.Helper()
	f, err := os.Open(argsFile)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var lines []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		lines = append(lines, sc.Text())
	}
	return lines
}

func TestFuzzRunsEveryTargetByCount(t *testing.T) {
	dir, argsFile := fuzzTree(t)
	out, code := runFuzz(t, dir, "pass")
	if code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, out)
	}
	got := calls(t, argsFile)
	if len(got) < 13 {
		t.Fatalf("go ran %d times, want one run per target (13 or more):\n%s", len(got), strings.Join(got, "\n"))
	}
	count := regexp.MustCompile(` -fuzztime [1-9][0-9]*x `)
	for _, c := range got {
		if !count.MatchString(c) {
			t.Errorf("run %q: want a count-based -fuzztime (Nx), which has no deadline to race", c)
		}
	}
}

// TestFuzzCountAddsKeptInputs: the inputs go replays first (testdata seeds,
// and what earlier runs left in GOCACHE/fuzz) count toward -fuzztime Nx, so
// they are added to the target's own count.
func TestFuzzCountAddsKeptInputs(t *testing.T) {
	dir, argsFile := fuzzTree(t)
	out, code := runFuzz(t, dir, "pass", "FuzzFastPath")
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	base := fuzztimeOf(t, calls(t, argsFile))
	for i := range 5 {
		write(t, filepath.Join(dir, "gocache", "fuzz", "example/m", "schema", "FuzzFastPath", fmt.Sprint("c", i)), []byte("x"), 0o644)
	}
	for i := range 2 {
		write(t, filepath.Join(dir, "schema", "testdata", "fuzz", "FuzzFastPath", fmt.Sprint("s", i)), []byte("x"), 0o644)
	}
	os.Remove(argsFile)
	if out, code := runFuzz(t, dir, "pass", "FuzzFastPath"); code != 0 {
		t.Fatalf("exit %d:\n%s", code, out)
	}
	if got := fuzztimeOf(t, calls(t, argsFile)); got != base+7 {
		t.Errorf("-fuzztime %dx with 7 kept inputs, want %dx (%dx without them)", got, base+7, base)
	}
}

// fuzztimeOf is N of the one run's -fuzztime Nx.
func fuzztimeOf(t *testing.T, runs []string) int {
	t.Helper()
	if len(runs) != 1 {
		t.Fatalf("go runs %q, want one", runs)
	}
	m := regexp.MustCompile(` -fuzztime ([0-9]+)x `).FindStringSubmatch(runs[0])
	if m == nil {
		t.Fatalf("run %q has no -fuzztime Nx", runs[0])
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestFuzzReplayOnlyFails: a run that only replayed its corpus tested no
// new input; it fails instead of passing silently.
func TestFuzzReplayOnlyFails(t *testing.T) {
	dir, _ := fuzzTree(t)
	out, code := runFuzz(t, dir, "replay-only", "FuzzFastPath")
	if code == 0 || !strings.Contains(out, "fuzz: FuzzFastPath replayed its corpus and fuzzed no new input") {
		t.Fatalf("exit %d, want a failure naming the target:\n%s", code, out)
	}
}

func TestFuzzTimeOverride(t *testing.T) {
	dir, argsFile := fuzzTree(t)
	t.Setenv("FUZZTIME", "2m")
	out, code := runFuzz(t, dir, "pass", "FuzzImport")
	if code != 0 {
		t.Fatalf("exit %d, want 0:\n%s", code, out)
	}
	got := calls(t, argsFile)
	if len(got) != 1 || !strings.Contains(got[0], "-fuzz ^FuzzImport$ -fuzztime 2m ") {
		t.Fatalf("go runs %q, want one run of FuzzImport with -fuzztime 2m", got)
	}
}

func TestFuzzCoordinatorRaceIsNotAFailure(t *testing.T) {
	dir, _ := fuzzTree(t)
	t.Setenv("FUZZTIME", "5s")
	out, code := runFuzz(t, dir, "race", "FuzzLoad")
	if code != 0 {
		t.Fatalf("exit %d, want 0 for the coordinator race with no input written:\n%s", code, out)
	}
	if !strings.Contains(out, "go.dev/issue/75804") || !strings.Contains(out, "1 run(s) ended on the coordinator race") {
		t.Errorf("output does not report the race:\n%s", out)
	}
}

// TestFuzzFailures: a failing input, a race message with an input written,
// and a race message in a count run (which has no deadline to race) fail.
func TestFuzzFailures(t *testing.T) {
	for _, mode := range []string{"crash", "race-new-input", "race"} {
		t.Run(mode, func(t *testing.T) {
			dir, argsFile := fuzzTree(t)
			out, code := runFuzz(t, dir, mode)
			if code == 0 {
				t.Fatalf("exit 0, want a failure:\n%s", out)
			}
			if n := len(calls(t, argsFile)); n != 1 {
				t.Errorf("go ran %d times, want the script to stop at the first failing target", n)
			}
			if !strings.Contains(out, "fuzz: FuzzLoad failed; a failing input, if any, is under ./schema/testdata/fuzz/FuzzLoad") {
				t.Errorf("output does not name the failing target:\n%s", out)
			}
			if strings.Contains(out, "75804") {
				t.Errorf("a real failure was reported as the coordinator race:\n%s", out)
			}
		})
	}
}

func TestFuzzListChecked(t *testing.T) {
	dir, _ := fuzzTree(t)
	write(t, filepath.Join(dir, "diff", "new_test.go"), []byte("func FuzzNewTarget\n"), 0o644)
	out, code := runFuzz(t, dir, "pass")
	if code != 1 || !strings.Contains(out, "> diff FuzzNewTarget") {
		t.Fatalf("exit %d, want 1 naming the unlisted target:\n%s", code, out)
	}
}
