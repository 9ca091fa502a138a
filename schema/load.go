package schema

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// Default limits for untrusted input (a pull request from anyone is linted).
const (
	DefaultMaxFileSize  = 32 << 20
	DefaultMaxTotalSize = 128 << 20
	DefaultMaxFiles     = 1000
	DefaultTimeout      = 60 * time.Second
)

// File is one desired-state file: Name is relative to the loaded directory
// (forward slashes), Data its content.
type File struct {
	Name string
	Data []byte
}

// Options bound what the loader accepts. Zero values mean the defaults.
type Options struct {
	MaxFileSize  int64
	MaxTotalSize int64
	MaxFiles     int
	// Timeout bounds CUE evaluation; a pathological input stops with an
	// error instead of running for ever.
	Timeout time.Duration
	// CacheDir, when not empty, holds evaluated models keyed by the digest
	// of the files and the schema (cache.go); empty disables the cache.
	CacheDir string
	// Unify checks every desired state by unifying it with #Tenant, as
	// the loader did before check.go, instead of only those the checks in
	// Go refuse. The model and the problems are the same either way
	// (TestFastPathAgrees); it costs a second evaluation. For tests that
	// measure that cost, and for diagnosis.
	Unify bool
}

func (o Options) withDefaults() Options {
	if o.MaxFileSize <= 0 {
		o.MaxFileSize = DefaultMaxFileSize
	}
	if o.MaxTotalSize <= 0 {
		o.MaxTotalSize = DefaultMaxTotalSize
	}
	if o.MaxFiles <= 0 {
		o.MaxFiles = DefaultMaxFiles
	}
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	return o
}

// Problem is one positioned error in a desired state: a syntax error, a
// schema violation (type, required field, unknown field) or a file the loader
// refuses. Path is the CUE path of the value, empty when there is none.
type Problem struct {
	Pos     Pos
	Path    string
	Message string
}

// LoadError is returned when a desired state cannot be turned into a model.
// It lists every problem found, sorted by position; the lint rule `schema`
// reports them as findings.
type LoadError struct {
	Problems []Problem
}

func (e *LoadError) Error() string {
	if len(e.Problems) == 0 {
		return "invalid desired state"
	}
	p := e.Problems[0]
	msg := p.Message
	if p.Pos.IsValid() {
		msg = p.Pos.String() + ": " + msg
	}
	if n := len(e.Problems) - 1; n > 0 {
		msg += fmt.Sprintf(" (and %d more)", n)
	}
	return msg
}

func problemf(pos Pos, format string, args ...any) *LoadError {
	return &LoadError{Problems: []Problem{{Pos: pos, Message: fmt.Sprintf(format, args...)}}}
}

// ReadDir reads the desired-state files of dir: every regular *.cue file
// directly in dir, except hidden ones (".x.cue", "_x.cue"), as CUE does. It
// refuses symbolic links that leave dir, oversized files and too many files.
func ReadDir(dir string, opt Options) ([]File, error) {
	opt = opt.withDefaults()
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("reading desired state: %w", err)
	}
	var files []File
	var total int64
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".cue") || strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") {
			continue
		}
		full := filepath.Join(dir, name)
		info, err := os.Lstat(full)
		if err != nil {
			return nil, fmt.Errorf("reading desired state: %w", err)
		}
		if info.Mode()&os.ModeSymlink != 0 {
			// A link may point anywhere: reading outside DIR is refused.
			return nil, problemf(Pos{File: name, Line: 1}, "%s is a symbolic link; callops reads only regular files inside the directory", name)
		}
		if info.IsDir() {
			continue // a directory named *.cue is another package, as CUE has it
		}
		if !info.Mode().IsRegular() {
			// A named pipe would block the read, a device would never end.
			return nil, problemf(Pos{File: name, Line: 1}, "%s is not a regular file (mode %s); callops reads only regular files inside the directory", name, info.Mode().Type())
		}
		if len(files) >= opt.MaxFiles {
			return nil, problemf(Pos{}, "more than %d .cue files in %s", opt.MaxFiles, dir)
		}
		if info.Size() > opt.MaxFileSize {
			return nil, problemf(Pos{File: name, Line: 1}, "file is %d bytes, larger than the limit of %d", info.Size(), opt.MaxFileSize)
		}
		total += info.Size()
		if total > opt.MaxTotalSize {
			return nil, problemf(Pos{File: name, Line: 1}, "desired state is larger than the limit of %d bytes", opt.MaxTotalSize)
		}
		f, err := os.Open(full)
		if err != nil {
			return nil, fmt.Errorf("reading desired state: %w", err)
		}
		data, err := io.ReadAll(io.LimitReader(f, opt.MaxFileSize+1))
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading desired state %s: %w", full, err)
		}
		if int64(len(data)) > opt.MaxFileSize {
			return nil, problemf(Pos{File: name, Line: 1}, "file is larger than the limit of %d bytes", opt.MaxFileSize)
		}
		files = append(files, File{Name: name, Data: data})
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("no .cue files in %s", dir)
	}
	return files, nil
}

// Load reads and evaluates the desired state in dir (see ReadDir and
// LoadFiles).
func Load(dir string, opt Options) (*Desired, error) {
	files, err := ReadDir(dir, opt)
	if err != nil {
		return nil, err
	}
	return LoadFiles(files, opt)
}

// LoadFiles evaluates one CUE package made of files against the embedded
// schema and returns the model. Positions are relative to the files' names.
// A *LoadError lists every positioned problem; other errors are limits or
// I/O. Imports are limited to CUE's standard library; nothing is read beyond
// files.
func LoadFiles(files []File, opt Options) (*Desired, error) {
	opt = opt.withDefaults()
	if len(files) == 0 {
		return nil, errors.New("no .cue files")
	}
	if len(files) > opt.MaxFiles {
		return nil, fmt.Errorf("more than %d .cue files", opt.MaxFiles)
	}
	files = append([]File(nil), files...)
	sort.Slice(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	var total int64
	for _, f := range files {
		if int64(len(f.Data)) > opt.MaxFileSize {
			return nil, problemf(Pos{File: f.Name, Line: 1}, "file is %d bytes, larger than the limit of %d", len(f.Data), opt.MaxFileSize)
		}
		total += int64(len(f.Data))
	}
	if total > opt.MaxTotalSize {
		return nil, fmt.Errorf("desired state is larger than the limit of %d bytes", opt.MaxTotalSize)
	}

	var key string
	if opt.CacheDir != "" {
		key = cacheKey(files)
		if d, ok := readCache(opt.CacheDir, key); ok {
			return d, nil
		}
	}

	type result struct {
		d   *Desired
		err error
	}
	done := make(chan result, 1)
	go func() {
		defer func() {
			// CUE is a large evaluator: an internal panic on hostile input
			// must reach the user as an error, not a stack trace.
			if r := recover(); r != nil {
				done <- result{err: fmt.Errorf("evaluating desired state: internal CUE error: %v", r)}
			}
		}()
		d, err := load(files, !opt.Unify)
		done <- result{d, err}
	}()
	select {
	case r := <-done:
		if r.err == nil && key != "" {
			writeCache(opt.CacheDir, key, r.d)
		}
		return r.d, r.err
	case <-time.After(opt.Timeout):
		return nil, fmt.Errorf("evaluating desired state took longer than %s (pathological input?)", opt.Timeout)
	}
}

// load evaluates files; fast allows decodeFast (tests compare the paths).
func load(files []File, fast bool) (*Desired, error) {
	var problems []Problem
	asts := make([]*ast.File, 0, len(files))
	pkg, pkgFile := "", ""
	for _, f := range files {
		if p := checkText(f); p != nil {
			problems = append(problems, *p)
			continue
		}
		af, err := parser.ParseFile(f.Name, f.Data, parser.ParseComments)
		if err != nil {
			problems = append(problems, cueProblems(err)...)
			continue
		}
		name := af.PackageName()
		switch {
		case pkgFile == "":
			pkg, pkgFile = name, f.Name
		case name != pkg:
			problems = append(problems, Problem{
				Pos:     packagePos(af, f.Name),
				Message: fmt.Sprintf("package %q differs from package %q of %s: a desired state is one CUE package", name, pkg, pkgFile),
			})
			continue
		}
		problems = append(problems, checkImports(af, f.Name)...)
		asts = append(asts, af)
	}
	if len(problems) > 0 {
		return nil, &LoadError{Problems: sortProblems(problems)}
	}

	bctx := build.NewContext()
	inst := bctx.NewInstance("", nil)
	for _, af := range asts {
		if err := inst.AddSyntax(af); err != nil {
			problems = append(problems, cueProblems(err)...)
		}
	}
	if len(problems) > 0 {
		return nil, &LoadError{Problems: sortProblems(problems)}
	}
	ctx := cuecontext.New()
	v := ctx.BuildInstance(inst)
	if err := v.Err(); err != nil {
		return nil, &LoadError{Problems: sortProblems(cueProblemsIn(err, v))}
	}
	var d *Desired
	var err error
	if fast {
		d, err = decodeFast(v)
	}
	if d == nil && err == nil {
		// The user's value breaks the schema somewhere (or uses what the Go
		// checks leave to CUE): unify with #Tenant for CUE's verdict.
		t := tenantSchema(ctx)
		u := t.Unify(v)
		if err := u.Validate(cue.Concrete(true)); err != nil {
			return nil, &LoadError{Problems: sortProblems(cueProblemsIn(err, u))}
		}
		// Decode from the user's own value when it passes the Go checks: it
		// then holds the same concrete data as u (the schema has no
		// defaults), and its positions are the user's without asking CUE for
		// conjuncts. Otherwise v may hold something else than u: a default
		// the schema rules out (type: *"Bad" | "CallingPlan" is
		// "CallingPlan" in u, "Bad" in v; tenantDefault: *"" | "P" is "P"),
		// so the model is read from u, CUE's verdict.
		var ok bool
		if d, ok, err = decodeChecked(v); !ok {
			d, err = decode(u)
		}
	}
	if err != nil {
		return nil, err
	}
	d.Digest = digest(files)
	for _, f := range files {
		d.Files = append(d.Files, f.Name)
	}
	d.Sort()
	return d, nil
}

// decodeFast decodes the user's value checking the schema in Go (check.go),
// without unifying it with #Tenant. It returns a nil model and a nil error
// when the value is not concrete or breaks a constraint of the schema;
// the caller then unifies, for CUE's verdict and messages.
func decodeFast(v cue.Value) (*Desired, error) {
	if v.Validate(cue.Concrete(true)) != nil {
		return nil, nil
	}
	d, ok, err := decodeChecked(v)
	if !ok {
		return nil, nil
	}
	return d, err
}

var (
	schemaOnce sync.Once
	schemaAST  *ast.File
	schemaErr  error
)

// tenantSchema compiles the embedded schema in ctx and returns #Tenant. The
// parse is done once; values must belong to the same context as the user's.
func tenantSchema(ctx *cue.Context) cue.Value {
	schemaOnce.Do(func() {
		schemaAST, schemaErr = parser.ParseFile(schemaFile, Source)
	})
	if schemaErr != nil {
		// The schema is embedded and tested; failing here is a build bug.
		panic(fmt.Sprintf("embedded schema does not parse: %v", schemaErr))
	}
	return ctx.BuildFile(schemaAST).LookupPath(cue.ParsePath("#Tenant"))
}

// schemaFile names the embedded schema in CUE positions, so that positions
// inside it can be told apart from the user's.
const schemaFile = "<callops schema>"

func checkText(f File) *Problem {
	if bytes.IndexByte(f.Data, 0) >= 0 {
		return &Problem{Pos: Pos{File: f.Name, Line: 1, Col: 1}, Message: "binary file (contains NUL bytes), not CUE source"}
	}
	if !utf8.Valid(f.Data) {
		line, col := 1, 1
		for i := 0; i < len(f.Data); {
			r, size := utf8.DecodeRune(f.Data[i:])
			if r == utf8.RuneError && size <= 1 {
				break
			}
			if r == '\n' {
				line, col = line+1, 1
			} else {
				col++
			}
			i += size
		}
		return &Problem{Pos: Pos{File: f.Name, Line: line, Col: col}, Message: "file is not valid UTF-8"}
	}
	return nil
}

func packagePos(af *ast.File, name string) Pos {
	for _, d := range af.Decls {
		if p, ok := d.(*ast.Package); ok {
			return fromToken(p.Name.Pos())
		}
	}
	return Pos{File: name, Line: 1, Col: 1}
}

// checkImports allows only CUE's standard library (no dot in the first path
// element): a desired state is loaded without a module, and must not read
// files or reach a registry. @extern (embedding files) is refused too.
func checkImports(af *ast.File, name string) []Problem {
	var ps []Problem
	for spec := range af.ImportSpecs() {
		path := strings.Trim(spec.Path.Value, "\"`")
		first, _, _ := strings.Cut(path, "/")
		if strings.Contains(first, ".") || strings.Contains(path, ":") || path == "" {
			ps = append(ps, Problem{
				Pos:     fromToken(spec.Pos()),
				Message: fmt.Sprintf("import %q is not allowed: a desired state may import only CUE's standard library", path),
			})
		}
	}
	for _, a := range af.Decls {
		if at, ok := a.(*ast.Attribute); ok {
			if k, _ := at.Split(); k == "extern" {
				ps = append(ps, Problem{Pos: fromToken(at.Pos()), Message: "@extern is not allowed: callops reads no files beyond the desired state"})
			}
		}
	}
	return ps
}

// cueProblems turns a CUE error list into problems, with the position of the
// user's value where there is one and the path without the #Tenant prefix.
// In cueProblemsIn, root, when it exists, is the evaluated value: it supplies the position of
// an error CUE reports without one (a failed enum, a missing field) and the
// value for a clearer message.
func cueProblems(err error) []Problem { return cueProblemsIn(err, cue.Value{}) }

// maxMessage is the longest problem message shown whole: CUE quotes the
// conflicting values, and a conflict with a 5 MB string would print it.
const maxMessage = 1000

// shorten cuts a message over maxMessage bytes, at a rune boundary, saying
// how much was left out.
func shorten(msg string) string {
	if len(msg) <= maxMessage {
		return msg
	}
	cut := maxMessage
	for cut > 0 && !utf8.RuneStart(msg[cut]) {
		cut--
	}
	return fmt.Sprintf("%s... (%d more bytes)", msg[:cut], len(msg)-cut)
}

// cueProblemsIn is cueProblems with the evaluated value at hand.
func cueProblemsIn(err error, root cue.Value) []Problem {
	var ps []Problem
	seen := map[string]bool{}
	for _, e := range cueerrors.Errors(err) {
		elems := e.Path()
		if len(elems) > 0 && elems[0] == "#Tenant" {
			elems = elems[1:]
		}
		pos := userPos(e)
		path := cuePath(elems)
		format, args := e.Msg()
		msg := strings.ReplaceAll(fmt.Sprintf(format, args...), "#Tenant.", "")
		if root.Exists() && len(elems) > 0 {
			msg = clarify(root, elems, msg)
			if !pos.IsValid() {
				pos = nearestPos(root, elems)
			}
		}
		msg = shorten(msg)
		key := pos.String() + "\x00" + path + "\x00" + msg
		if seen[key] {
			continue
		}
		seen[key] = true
		ps = append(ps, Problem{Pos: pos, Path: path, Message: msg})
	}
	if len(ps) == 0 {
		ps = append(ps, Problem{Message: err.Error()})
	}
	return mergeDisjunctions(ps)
}

var (
	emptyDisjunctionRE = regexp.MustCompile(`^\d+ errors? in empty disjunction:?$`)
	conflictRE         = regexp.MustCompile(`^conflicting values (".*") and (".*")$`)
)

// mergeDisjunctions folds CUE's report of a value that matches no element of
// an enum ("3 errors in empty disjunction" followed by one "conflicting
// values" per element) into one problem at the user's value:
// "Calling" is not one of "CallingPlan", "DirectRouting", "OperatorConnect".
func mergeDisjunctions(ps []Problem) []Problem {
	type alt struct {
		pos     Pos
		value   string
		allowed []string
	}
	alts := map[string]*alt{}
	for _, p := range ps {
		if m := conflictRE.FindStringSubmatch(p.Message); m != nil {
			a := alts[p.Path]
			if a == nil {
				a = &alt{pos: p.Pos, value: m[2]}
				alts[p.Path] = a
			}
			a.allowed = append(a.allowed, m[1])
		}
	}
	out := ps[:0]
	for _, p := range ps {
		a := alts[p.Path]
		switch {
		case a != nil && emptyDisjunctionRE.MatchString(p.Message):
			sort.Strings(a.allowed)
			p.Message = fmt.Sprintf("%s is not one of %s", a.value, strings.Join(a.allowed, ", "))
			if a.pos.IsValid() {
				p.Pos = a.pos
			}
			out = append(out, p)
		case a != nil && conflictRE.MatchString(p.Message) && hasDisjunction(ps, p.Path):
			// folded into the disjunction's problem
		default:
			out = append(out, p)
		}
	}
	return out
}

func hasDisjunction(ps []Problem, path string) bool {
	for _, p := range ps {
		if p.Path == path && emptyDisjunctionRE.MatchString(p.Message) {
			return true
		}
	}
	return false
}

func selectors(elems []string) []cue.Selector {
	sels := make([]cue.Selector, 0, len(elems))
	for _, el := range elems {
		if isIndex(el) {
			var i int
			fmt.Sscan(el, &i)
			sels = append(sels, cue.Index(i))
			continue
		}
		sels = append(sels, cue.Str(strings.Trim(el, `"`)))
	}
	return sels
}

// nearestPos is the position of the value at elems, or of its nearest
// ancestor written by the user (a missing field is reported at its parent).
func nearestPos(root cue.Value, elems []string) Pos {
	sels := selectors(elems)
	for n := len(sels); n > 0; n-- {
		v := root.LookupPath(cue.MakePath(sels[:n]...))
		if !v.Exists() {
			continue
		}
		if p := valuePos(v); p.IsValid() {
			return p
		}
	}
	return Pos{}
}

// clarify rewrites CUE's messages that are hard to read for a desired state:
// a value that matches none of an enum's values, and a required field that
// is missing (CUE says "incomplete value").
func clarify(root cue.Value, elems []string, msg string) string {
	last := strings.Trim(elems[len(elems)-1], `"`)
	v := root.LookupPath(cue.MakePath(selectors(elems)...))
	switch {
	case msg == "field not allowed":
		return unknownFieldMessage(elems)
	case strings.HasPrefix(msg, "incomplete value"):
		if !valuePos(v).IsValid() {
			return fmt.Sprintf("required field %s is missing", last)
		}
		return fmt.Sprintf("%s is not a concrete value (%s)", last, msg)
	}
	return msg
}

func userPos(e cueerrors.Error) Pos {
	for _, p := range e.InputPositions() {
		if fp := fromToken(p); fp.IsValid() {
			return fp
		}
	}
	return fromToken(e.Position())
}

func cuePath(elems []string) string {
	var b strings.Builder
	for _, el := range elems {
		if isIndex(el) {
			b.WriteString("[" + el + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(el)
	}
	return b.String()
}

func isIndex(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// fromToken converts a CUE position; positions in the embedded schema or
// without a file become the zero Pos.
func fromToken(p token.Pos) Pos {
	if !p.IsValid() {
		return Pos{}
	}
	pp := p.Position()
	// The user's files are named by their base name (they lie directly in
	// the desired-state directory); a name with a slash is a file of CUE's
	// standard library, whose position means nothing to the user.
	if pp.Filename == "" || pp.Filename == schemaFile || strings.ContainsRune(pp.Filename, '/') {
		return Pos{}
	}
	return Pos{File: filepath.ToSlash(pp.Filename), Line: pp.Line, Col: pp.Column}
}

func digest(files []File) string {
	h := sha256.New()
	for _, f := range files {
		fmt.Fprintf(h, "%s\x00%d\x00", f.Name, len(f.Data))
		h.Write(f.Data)
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
