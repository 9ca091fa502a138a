// Package schema holds callops' embedded CUE schema, the desired-state Go
// model, and the loader that turns one CUE package (a directory, a git
// revision or the git index) into that model with positions.
//
// It is the only package that imports cuelang.org/go. It never prints, never
// exits, never touches the network (no CUE registry, no modules) and never runs
// CUE tools: a desired state is data.
package schema

import _ "embed"

// Source is the CUE source of the schema (#Tenant and friends).
//
//go:embed tenant.cue
var Source string
