package main

// What a command that writes a file given on its command line (plan --out,
// import --out, --script, --rollback) may replace. A mistyped name must not
// turn the desired state or the tenant's state into a plan: such files are
// recognized and refused. Files of any other kind are replaced, as every
// tool that takes an output file does (tenant.WriteFileAtomic refuses links,
// devices and pipes).

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/callops/callops/apply"
	"github.com/callops/callops/tenant"
)

// scriptKind is the want of checkOverwrite for a PowerShell script.
const scriptKind = "a PowerShell script"

// callopsFormat finds the format tag of a callops JSON document near the
// start of a file.
var callopsFormat = regexp.MustCompile(`"format"\s*:\s*"(callops-[a-z]+/v[0-9]+)"`)

// checkOverwrite returns an error when path holds a file that a command
// writing want (apply.PlanFormat, tenant.Format or scriptKind) must not
// replace: a CUE file, or a callops document of another kind. flag names
// the option that gave path.
func checkOverwrite(flag, path, want string) error {
	fi, err := os.Stat(path)
	if err != nil || !fi.Mode().IsRegular() {
		return nil // nothing there, or the writer's own error says why
	}
	refuse := func(what string) error {
		return withHint(fmt.Errorf("%s %s: the file is %s; refusing to replace it with %s", flag, filepath.ToSlash(path), what, describeKind(want)),
			"check the file name, or remove the file first if it is meant to go")
	}
	if strings.EqualFold(filepath.Ext(path), ".cue") {
		return refuse("a CUE source file")
	}
	if ext := filepath.Ext(path); ext == ".journal" || ext == ".lock" {
		return refuse("the " + ext[1:] + " of a state")
	}
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	head := make([]byte, 4096)
	n, _ := io.ReadFull(f, head)
	m := callopsFormat.FindSubmatch(head[:n])
	if m == nil || string(m[1]) == want {
		return nil
	}
	return refuse(describeKind(string(m[1])))
}

// describeKind names a kind of file for checkOverwrite's message.
func describeKind(kind string) string {
	switch kind {
	case apply.PlanFormat:
		return "a callops plan (" + kind + ")"
	case tenant.Format:
		return "a callops state (" + kind + ")"
	case scriptKind:
		return kind
	}
	return "a callops document (" + kind + ")"
}
