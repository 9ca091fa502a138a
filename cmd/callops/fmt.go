package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/diff"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

func init() { register(fmtCommand) }

func fmtCommand() *cli.Command {
	return &cli.Command{
		Name:      "fmt",
		Usage:     "rewrite a desired state in the standard CUE format, with numbers in E.164",
		ArgsUsage: "[DIR]",
		Description: "fmt formats every .cue file of DIR (default .) as `cue fmt` does and rewrites numbers\n" +
			"written like \"+1 (425) 555-0100\" as \"+14255550100\" (number and emergencyNumbers fields).\n" +
			"Files are replaced atomically; the names of rewritten files are printed. With --check nothing\n" +
			"is written: unformatted files are listed and the exit code is 1. With --diff nothing is\n" +
			"written: the changes are printed as a unified diff. If any file does not parse, no file is\n" +
			"written.",
		Flags: []cli.Flag{
			&cli.BoolFlag{Name: "check", Usage: "list unformatted files and exit 1 if there are any; write nothing"},
			&cli.BoolFlag{Name: "diff", Usage: "print the changes as a unified diff; write nothing"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 1 {
				return withHint(fmt.Errorf("fmt takes one directory, got %d arguments", c.NArg()), "see 'callops fmt --help'")
			}
			dir := "."
			if c.NArg() == 1 {
				dir = c.Args().First()
			}
			return runFmt(c.App.Writer, fmtOptions{dir: dir, check: c.Bool("check"), diff: c.Bool("diff")})
		},
	}
}

type fmtOptions struct {
	dir   string
	check bool
	diff  bool
}

// formatted is one file whose formatted text differs from what is on disk.
type formatted struct {
	path string // the file's path as the user names it: DIR joined with its name
	old  []byte
	new  []byte
}

func runFmt(stdout io.Writer, o fmtOptions) error {
	if err := checkNotFile(o.dir, "fmt"); err != nil {
		return err
	}
	files, err := schema.ReadDir(o.dir, schema.Options{})
	if err != nil {
		return fmtLoadError(o.dir, err)
	}
	var changed []formatted
	var problems []string
	for _, f := range files {
		out, err := schema.Format(f.Name, f.Data)
		if err != nil {
			var le *schema.LoadError
			if !errors.As(err, &le) {
				return fmt.Errorf("formatting %s: %w", joinDirPath(o.dir, f.Name), err)
			}
			for _, p := range le.Problems {
				problems = append(problems, problemLine(o.dir, p))
			}
			continue
		}
		if !bytes.Equal(out, f.Data) {
			changed = append(changed, formatted{path: joinDirPath(o.dir, f.Name), old: f.Data, new: out})
		}
	}
	if len(problems) > 0 {
		// A file that does not parse is never rewritten, and neither are the
		// others: the desired state is one package and is broken as a whole.
		return withHint(errors.New(strings.Join(problems, "\n")), "fix the syntax errors; no file was written")
	}
	switch {
	case o.diff:
		for _, f := range changed {
			fmt.Fprint(stdout, diff.Unified(f.path+".orig", f.path, string(f.old), string(f.new), diff.DefaultContext))
		}
	case o.check:
		for _, f := range changed {
			fmt.Fprintln(stdout, f.path)
		}
	default:
		var skipped []string
		for _, f := range changed {
			if err := replaceIfUnchanged(f); err != nil {
				skipped = append(skipped, err.Error())
				continue
			}
			fmt.Fprintln(stdout, f.path)
		}
		if len(skipped) > 0 {
			return withHint(errors.New(strings.Join(skipped, "\n")), "run callops fmt again once the files are saved")
		}
	}
	if o.check && len(changed) > 0 {
		return exitCode(1)
	}
	return nil
}

// replaceIfUnchanged writes f.new over f.path unless the file changed since
// fmt read it (an editor saved it meanwhile: its edit must not be lost) or
// is read-only (as gofmt -w, fmt does not write what its owner protected).
func replaceIfUnchanged(f formatted) error {
	fi, err := os.Stat(f.path)
	if err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	if fi.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("%s is read-only; not formatted", f.path)
	}
	now, err := os.ReadFile(f.path)
	if err != nil {
		return fmt.Errorf("%s: %w", f.path, err)
	}
	if !bytes.Equal(now, f.old) {
		return fmt.Errorf("%s changed while callops fmt ran; not formatted", f.path)
	}
	if err := writeFileAtomic(f.path, f.new); err != nil {
		return fmt.Errorf("writing %s: %w", f.path, err)
	}
	return nil
}

// fmtLoadError reports a directory fmt cannot read. Refusals with a position
// (a symbolic link, an oversized file) are shown as file:line: message.
func fmtLoadError(dir string, err error) error {
	var le *schema.LoadError
	if errors.As(err, &le) {
		var lines []string
		for _, p := range le.Problems {
			lines = append(lines, problemLine(dir, p))
		}
		return errors.New(strings.Join(lines, "\n"))
	}
	return withHint(err, "callops fmt formats the .cue files of DIR (default .)")
}

// problemLine renders a loader problem as "DIR/file:line:col: message".
func problemLine(dir string, p schema.Problem) string {
	if !p.Pos.IsValid() {
		return p.Message
	}
	q := p.Pos
	q.File = joinDirPath(dir, q.File)
	return q.String() + ": " + p.Message
}

// joinDirPath is the path of file (relative to dir, slash-separated) as the
// user can open it from where callops runs: dir joined with file, without a
// leading "./".
func joinDirPath(dir, file string) string {
	if file == "" {
		return ""
	}
	return filepath.ToSlash(filepath.Join(dir, filepath.FromSlash(file)))
}

// writeFileAtomic replaces path by data (tenant.WriteFileAtomic: a file it
// replaces keeps its permissions, a new one is 0644; only a regular file is
// replaced).
func writeFileAtomic(path string, data []byte) error {
	return tenant.WriteFileAtomic(path, data, 0o644)
}
