//go:build tools

// Package deps pins the project's chosen dependencies while the packages
// that use them are being written; `go mod tidy` keeps what is imported here.
package deps

import (
	_ "cuelang.org/go/cue"
	_ "cuelang.org/go/cue/format"
	_ "github.com/go-git/go-git/v5"
	_ "github.com/google/go-cmp/cmp"
	_ "github.com/nyaruka/phonenumbers"
	_ "github.com/rogpeppe/go-internal/testscript"
	_ "github.com/sergi/go-diff/diffmatchpatch"
	_ "github.com/urfave/cli/v2"
)
