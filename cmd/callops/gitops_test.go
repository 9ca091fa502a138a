package main

import (
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/callops/callops/internal/gitrepo/gittest"
)

// TestGitOpsScripts runs the scripts of testdata/gitops (gitops_*.txtar,
// diff_*.txtar): the commands that read git, in repositories the scripts
// build with the `repo` command (go-git; no git binary needed).
func TestGitOpsScripts(t *testing.T) {
	testscript.Run(t, scriptParams(t, "testdata/gitops", map[string]func(ts *testscript.TestScript, neg bool, args []string){
		"repo": repoCmd,
	}))
}

// repoCmd is the scripts' git: it acts on the repository whose root is the
// script's current directory.
//
//	repo init
//	repo add PATH...       (. stages everything, deletions included)
//	repo mv FROM TO
//	repo rm PATH
//	repo commit MESSAGE    (prints the new sha to stdout)
//	repo tag NAME
func repoCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("repo does not support !")
	}
	if len(args) == 0 {
		ts.Fatalf("usage: repo init|add|mv|rm|commit|tag ...")
	}
	root := ts.MkAbs(".")
	var err error
	switch args[0] {
	case "init":
		err = gittest.Init(root)
	case "add":
		err = gittest.Add(root, args[1:]...)
	case "mv":
		if len(args) != 3 {
			ts.Fatalf("usage: repo mv FROM TO")
		}
		err = gittest.Move(root, args[1], args[2])
	case "rm":
		if len(args) != 2 {
			ts.Fatalf("usage: repo rm PATH")
		}
		err = gittest.Remove(root, args[1])
	case "commit":
		if len(args) != 2 {
			ts.Fatalf("usage: repo commit MESSAGE")
		}
		var sha string
		sha, err = gittest.Commit(root, args[1])
		if err == nil {
			ts.Stdout().Write([]byte(sha + "\n"))
		}
	case "tag":
		if len(args) != 2 {
			ts.Fatalf("usage: repo tag NAME")
		}
		err = gittest.Tag(root, args[1])
	default:
		ts.Fatalf("repo: unknown subcommand %q", args[0])
	}
	ts.Check(err)
}

// exitcodeCmd is `exitcode N CMD ARGS...`: run an exec and assert its exit
// code (testscript's ! only says "not zero").
func exitcodeCmd(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N command [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	if err != nil {
		msg := err.Error()
		i := strings.LastIndex(msg, "exit status ")
		if i < 0 {
			ts.Fatalf("exitcode: %v", err)
		}
		got, _ = strconv.Atoi(strings.TrimSpace(msg[i+len("exit status "):]))
	}
	if got != want {
		ts.Fatalf("exit code %d, want %d", got, want)
	}
}
