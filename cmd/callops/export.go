package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/urfave/cli/v2"

	"github.com/callops/callops/diff"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

func init() { register(exportCommand) }

func exportCommand() *cli.Command {
	return &cli.Command{
		Name:  "export",
		Usage: "write the current state as a formatted CUE desired state",
		Description: "export writes the desired state that matches the current state: planning it against the\n" +
			"same state gives no changes. Files: tenant.cue (domain, locations, resource accounts, tenant\n" +
			"default), policies.cue (policies with their emergency numbers, users and groups) and, when\n" +
			"granted users hold numbers, user-numbers.cue; with --single, one tenant.cue. DIR is created if\n" +
			"needed; a DIR that holds files is refused unless --force is given (then only the files export\n" +
			"writes are replaced). The names of the written files are printed.",
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "state", Usage: "current state `FILE` (required; or CALLOPS_STATE)", EnvVars: []string{"CALLOPS_STATE"}},
			&cli.StringFlag{Name: "out", Usage: "directory `DIR` to write the .cue files into (required)"},
			&cli.BoolFlag{Name: "single", Usage: "write one file, tenant.cue"},
			&cli.BoolFlag{Name: "force", Usage: "write into a directory that is not empty"},
		},
		Action: func(c *cli.Context) error {
			if c.NArg() > 0 {
				return withHint(fmt.Errorf("export takes no arguments, got %d", c.NArg()), "callops export --state FILE --out DIR")
			}
			o := exportOptions{state: c.String("state"), out: c.String("out"), single: c.Bool("single"), force: c.Bool("force")}
			switch {
			case o.state == "":
				return withHint(errors.New("export needs --state FILE"), "callops export --state callops.state.json --out DIR")
			case o.out == "":
				return withHint(errors.New("export needs --out DIR"), "callops export --state callops.state.json --out DIR")
			}
			return runExport(c.App.Writer, c.App.ErrWriter, o)
		},
	}
}

type exportOptions struct {
	state  string
	out    string
	single bool
	force  bool
}

func runExport(stdout, stderr io.Writer, o exportOptions) error {
	s, err := loadStateFor(".", o.state)
	if err != nil {
		return err
	}
	d := diff.DesiredFromSnapshot(s)
	issues := diff.ExportIssues(s)
	var files []schema.File
	if o.single {
		data, err := schema.Encode(d)
		if err != nil {
			return err
		}
		files = []schema.File{{Name: schema.EncodeTenantFile, Data: data}}
	} else if files, err = schema.EncodeFiles(d); err != nil {
		return err
	}
	if err := prepareOutDir(o.out, o.force); err != nil {
		return err
	}
	for _, f := range files {
		path := filepath.Join(o.out, f.Name)
		if err := writeFileAtomic(path, diff.AnnotateExport(f.Data, issues)); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
		fmt.Fprintln(stdout, filepath.ToSlash(path))
	}
	// What the export could not declare is marked in the files; say so
	// too, as import does, so that nobody commits them unread.
	for _, is := range issues {
		fmt.Fprintf(stderr, "callops: warning: %s\n", tenant.Printable(is.Message))
	}
	return nil
}

// prepareOutDir creates dir when missing and refuses one that holds
// anything, unless force: export never mixes its files with a desired state
// it did not write by accident.
func prepareOutDir(dir string, force bool) error {
	if fi, err := os.Stat(dir); err == nil && !fi.IsDir() {
		return withHint(fmt.Errorf("--out %s is a file, not a directory", filepath.ToSlash(dir)), "export writes a directory of .cue files: give a new directory")
	}
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return fmt.Errorf("creating %s: %w", dir, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("reading %s: %w", dir, err)
	case len(entries) > 0 && !force:
		return withHint(fmt.Errorf("%s is not empty", dir), "export into a new directory, or give --force to replace the files export writes")
	}
	return nil
}
