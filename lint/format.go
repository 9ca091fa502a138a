package lint

import (
	"net/url"
	"path"
	"path/filepath"
	"strings"
)

// Options control the formatters.
type Options struct {
	// Color turns on ANSI colors in text output. The caller decides
	// (terminal, NO_COLOR, --no-color); formatters never look.
	Color bool
	// PathPrefix is joined before every finding's file, so that positions
	// relative to the linted directory become relative to the repository
	// root (GitHub annotations and SARIF need repository-relative paths).
	PathPrefix string
	// ToolVersion is the callops version written into SARIF output.
	ToolVersion string
	// DefaultFile, relative like Pos.File (e.g. the desired state's first
	// file), is where SARIF places findings that have no position: GitHub
	// code scanning rejects a result without a physical location. When
	// empty, such results point at the directory (PathPrefix, or ".").
	DefaultFile string
}

// file returns a finding's file as the output shows it: with the prefix,
// forward slashes, cleaned; "" when the finding has no file.
func (o Options) file(f Finding) string {
	if f.Pos.File == "" {
		return ""
	}
	return path.Clean(path.Join(filepath.ToSlash(o.PathPrefix), filepath.ToSlash(f.Pos.File)))
}

// uri is o.file as a relative URI reference (spaces and the like escaped).
func (o Options) uri(f Finding) string {
	return relativeURI(o.file(f))
}

// relativeURI is the relative URI reference of a slash-separated path. A
// first segment with a colon ("c:x/a.cue") would read as a URI scheme: it
// gets "./" before it, as RFC 3986 section 4.2 says.
func relativeURI(p string) string {
	if p == "" {
		return ""
	}
	u := (&url.URL{Path: p}).EscapedPath()
	if first, _, _ := strings.Cut(u, "/"); strings.Contains(first, ":") {
		u = "./" + u
	}
	return u
}
