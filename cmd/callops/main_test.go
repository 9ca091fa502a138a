package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"callops": func() { os.Exit(Main()) },
	})
}

// TestScripts runs the txtar scripts of testdata/script: the behaviour of the
// CLI as a user sees it. Scripts are named <verb>_<case>.txtar.
func TestScripts(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/script", map[string]func(ts *testscript.TestScript, neg bool, args []string){
		// writebytes FILE TEXT writes TEXT to FILE with Go string
		// escapes interpreted, for invalid UTF-8 and NUL bytes that a
		// txtar can't hold safely: writebytes a.cue 'x: \"\xff\"\n'.
		"writebytes": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: writebytes FILE TEXT")
			}
			data, err := strconv.Unquote(`"` + args[1] + `"`)
			ts.Check(err)
			ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(data), 0o644))
		},
		// edit FILE OLD NEW replaces the first OLD in FILE with NEW (and
		// fails when FILE has no OLD).
		"edit": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 3 {
				ts.Fatalf("usage: edit FILE OLD NEW")
			}
			data := ts.ReadFile(args[0])
			if !strings.Contains(data, args[1]) {
				ts.Fatalf("%s has no %q", args[0], args[1])
			}
			ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(strings.Replace(data, args[1], args[2], 1)), 0o644))
		},
		// jsonfile FILE checks that FILE holds exactly one JSON value
		// (a machine-readable output with nothing mixed into it).
		"jsonfile": func(ts *testscript.TestScript, neg bool, args []string) {
			if len(args) != 1 {
				ts.Fatalf("usage: jsonfile FILE")
			}
			dec := json.NewDecoder(strings.NewReader(ts.ReadFile(args[0])))
			var v any
			err := dec.Decode(&v)
			if err == nil && dec.More() {
				err = fmt.Errorf("more after the first JSON value")
			}
			if neg && err == nil {
				ts.Fatalf("%s is one JSON value", args[0])
			}
			if !neg && err != nil {
				ts.Fatalf("%s is not one JSON value: %v", args[0], err)
			}
		},
		// bigcue FILE SIZE writes a valid CUE file of SIZE bytes (a
		// package clause and comment lines), to test size limits.
		"bigcue": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 2 {
				ts.Fatalf("usage: bigcue FILE SIZE")
			}
			size, err := strconv.Atoi(args[1])
			ts.Check(err)
			head := "package tenant\n"
			line := "// " + strings.Repeat("x", 76) + "\n"
			var b strings.Builder
			b.Grow(size)
			b.WriteString(head)
			for b.Len()+len(line) <= size {
				b.WriteString(line)
			}
			b.WriteString(strings.Repeat("\n", size-b.Len()))
			ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(b.String()), 0o644))
		},
		// gencue KIND FILE N writes a pathological CUE file (hostile
		// input, lint_hostile.txtar): KIND "nest" is a field nested N
		// deep (deep: a0: a1: ... : 1), "braces" N nested structs
		// ({a: {a: ...}}), "list" a list of N elements, "files" N small
		// files in the directory FILE.
		"gencue": func(ts *testscript.TestScript, neg bool, args []string) {
			if neg || len(args) != 3 {
				ts.Fatalf("usage: gencue nest|braces|list|files FILE N")
			}
			n, err := strconv.Atoi(args[2])
			ts.Check(err)
			var b strings.Builder
			b.WriteString("package tenant\n\ntenant: domain: \"contoso.onmicrosoft.com\"\n\n")
			switch args[0] {
			case "nest":
				b.WriteString("deep:")
				for i := range n {
					fmt.Fprintf(&b, " a%d:", i)
				}
				b.WriteString(" 1\n")
			case "braces":
				b.WriteString("deep: " + strings.Repeat("{a: ", n) + "1" + strings.Repeat("}", n) + "\n")
			case "list":
				b.WriteString("huge: [" + strings.Repeat("1,", n) + "]\n")
			case "files":
				// FILE is a directory: N small files f0.cue, f1.cue...
				for i := range n {
					ts.Check(os.WriteFile(ts.MkAbs(fmt.Sprintf("%s/f%d.cue", args[1], i)), []byte("package tenant\n"), 0o644))
				}
				return
			default:
				ts.Fatalf("gencue: unknown kind %q", args[0])
			}
			ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(b.String()), 0o644))
		},
	}))
}

// scriptParams are the testscript parameters every script suite of callops
// shares: scripts under dir run callops in-process, $REPO is the repository
// (for $REPO/examples), colour is off, and exitcode plus cmds are available.
func scriptParams(t *testing.T, dir string, cmds map[string]func(ts *testscript.TestScript, neg bool, args []string)) testscript.Params {
	t.Helper()
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	cmds["exitcode"] = exitcodeCmd // gitops_test.go
	return testscript.Params{
		Dir:                 dir,
		RequireExplicitExec: true,
		UpdateScripts:       os.Getenv("CALLOPS_UPDATE_SCRIPTS") != "",
		Setup: func(env *testscript.Env) error {
			env.Setenv("REPO", root)
			env.Setenv("NO_COLOR", "")
			return nil
		},
		Cmds: cmds,
	}
}
