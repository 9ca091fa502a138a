package apply

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/callops/callops/tenant"
)

// MaxPlanSize bounds the size of a plan file Load reads.
const MaxPlanSize = 256 << 20

// ErrNotPlan reports a document that is not callops plan JSON.
var ErrNotPlan = errors.New("not a callops plan file")

// ErrStalePlan is wrapped by the error CheckStale returns when the state
// changed since the plan was made: applying it could do what nobody reviewed.
var ErrStalePlan = errors.New("stale plan")

// ErrPlanCommit is wrapped by the error CheckCommit returns when a plan does
// not come from the commit being applied.
var ErrPlanCommit = errors.New("plan does not match the git commit")

// Encode returns the plan as indented callops-plan/v1 JSON with a final
// newline: the output of `plan --format json` and the content of a plan file.
// Empty lists are written as [], never null, so readers need no null checks.
func Encode(p *Plan) ([]byte, error) {
	c := *p
	if c.Format == "" {
		c.Format = PlanFormat
	}
	if c.Steps == nil {
		c.Steps = []Step{}
	}
	if c.Hazards == nil {
		c.Hazards = []Hazard{}
	}
	c.Hazards = append(make([]Hazard, 0, len(c.Hazards)), c.Hazards...)
	for i := range c.Hazards {
		if c.Hazards[i].Steps == nil {
			c.Hazards[i].Steps = []int{}
		}
	}
	b, err := json.MarshalIndent(&c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding plan: %w", err)
	}
	return append(b, '\n'), nil
}

// PlanID identifies a plan by content: "sha256:" and the hex SHA-256 of its
// JSON. The file backend's journal records it so that --resume finishes the
// plan it started, not another one.
func PlanID(p *Plan) (string, error) {
	b, err := Encode(p)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:]), nil
}

// Save writes the plan to path atomically: a temporary file in the same
// directory, fsynced, then renamed over path, so a reader never sees half a
// plan.
func Save(path string, p *Plan) error {
	b, err := Encode(p)
	if err != nil {
		return err
	}
	if err := tenant.WriteFileAtomic(path, b, 0o644); err != nil {
		return fmt.Errorf("saving plan %s: %w", path, err)
	}
	return nil
}

// Load reads a plan file written by Save (or `plan --format json`).
func Load(path string) (*Plan, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading plan: %w", err)
	}
	defer f.Close()
	p, err := Decode(f)
	if err != nil {
		return nil, fmt.Errorf("reading plan %s: %w", path, err)
	}
	return p, nil
}

// Decode reads callops-plan/v1 JSON. It rejects documents that are not plans
// (wrapping ErrNotPlan), other format versions, unknown fields, malformed
// steps (a *StepError), step indexes that are not 1..n in order and hazards
// naming steps that do not exist, and a summary that does not count the
// steps there are. It never panics on bad input.
func Decode(r io.Reader) (*Plan, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxPlanSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxPlanSize {
		return nil, fmt.Errorf("plan is larger than %d MiB", MaxPlanSize>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: the file is empty", ErrNotPlan)
	}
	var head struct {
		Format *string `json:"format"`
	}
	// Only the first JSON value is read here: a truncated plan or one with
	// trailing data is still recognized as a plan and reported as invalid.
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&head); err != nil {
		if bytes.Contains(data, []byte(`"callops-plan/`)) {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				return nil, errors.New("invalid plan: unexpected end of JSON (truncated file?)")
			}
			return nil, fmt.Errorf("invalid plan: %s", jsonMsg(err))
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field == "" {
			return nil, fmt.Errorf("%w: the file is a JSON %s, not an object", ErrNotPlan, te.Value)
		}
		var se *json.SyntaxError
		if errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%w: invalid JSON: %s", ErrNotPlan, jsonMsg(err))
		}
		return nil, fmt.Errorf("%w: %s", ErrNotPlan, jsonMsg(err))
	}
	switch {
	case head.Format == nil:
		return nil, fmt.Errorf("%w: no \"format\" field (want %q)", ErrNotPlan, PlanFormat)
	case *head.Format == PlanFormat:
	case strings.HasPrefix(*head.Format, "callops-plan/"):
		return nil, fmt.Errorf("unsupported plan format %q (this callops reads %q)", *head.Format, PlanFormat)
	default:
		return nil, fmt.Errorf("%w: format is %q (want %q)", ErrNotPlan, *head.Format, PlanFormat)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var p Plan
	if err := dec.Decode(&p); err != nil {
		var se *StepError
		if errors.As(err, &se) {
			if se.Index == 0 {
				// A step without a readable index: name it by its
				// position, which is its index in a valid plan.
				located := *se
				located.Index = stepPosition(data)
				return nil, &located
			}
			return nil, se
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			// Go's message names Go types ("Go struct field
			// Summary.summary.steps of type int"): say it in JSON terms.
			return nil, fmt.Errorf("invalid plan: line %d: field %q: a JSON %s where %s belongs",
				lineAt(data, te.Offset), te.Field, te.Value, tenant.JSONKind(te.Type))
		}
		return nil, fmt.Errorf("invalid plan: %s", jsonMsg(err))
	}
	if dec.More() {
		return nil, errors.New("invalid plan: trailing data after the plan object")
	}
	if err := p.validate(); err != nil {
		return nil, fmt.Errorf("invalid plan: %w", err)
	}
	return &p, nil
}

// stepPosition returns the 1-based position of the first step of the plan
// JSON data that does not decode, 0 when none is found. It runs only on the
// error path, so decoding the steps a second time costs nothing in the
// common case.
func stepPosition(data []byte) int {
	var head struct {
		Steps []json.RawMessage `json:"steps"`
	}
	if json.Unmarshal(data, &head) != nil {
		return 0
	}
	for i, raw := range head.Steps {
		var s Step
		if s.UnmarshalJSON(raw) != nil {
			return i + 1
		}
	}
	return 0
}

// lineAt is the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// validate checks what the JSON decoder cannot: steps numbered 1..n in order
// and hazards that point at steps of the plan.
func (p *Plan) validate() error {
	for i, s := range p.Steps {
		if s.Index != i+1 {
			return fmt.Errorf("step %d has index %d (steps are numbered 1..n in order)", i+1, s.Index)
		}
	}
	for _, h := range p.Hazards {
		for _, i := range h.Steps {
			if i < 1 || i > len(p.Steps) {
				return fmt.Errorf("hazard %s names step %d, the plan has %d steps", h.Kind, i, len(p.Steps))
			}
		}
	}
	if p.State.Lineage == "" {
		return errors.New(`"state" has no lineage`)
	}
	// The summary is what a reviewer approved: a plan whose steps were
	// added, dropped or emptied ("steps": null) after plan wrote it does
	// not match it.
	if p.Summary.Steps != len(p.Steps) {
		return fmt.Errorf("the summary counts %s, the plan has %d (the file was edited after 'callops plan' wrote it)", plural(p.Summary.Steps, "step", "steps"), len(p.Steps))
	}
	grants := 0
	for _, s := range p.Steps {
		if isGrant(s.Op.Action) {
			grants++
		}
	}
	if p.Summary.Grants+p.Summary.Revokes > grants {
		return fmt.Errorf("the summary counts %d grants and revokes, the plan has %d grant steps (the file was edited after 'callops plan' wrote it)", p.Summary.Grants+p.Summary.Revokes, grants)
	}
	return nil
}

// CheckStale returns nil when s is the state p was made against, and
// otherwise an error wrapping ErrStalePlan that says what changed. A plan
// made against another lineage is "for another state"; a changed serial or
// content digest means the state moved on since the plan was made.
func CheckStale(p *Plan, s *tenant.Snapshot) error {
	switch {
	case p.State.Lineage != s.Lineage:
		return fmt.Errorf("%w: plan is for another state (lineage %s, the state's is %s)", ErrStalePlan, p.State.Lineage, s.Lineage)
	case p.State.Serial != s.Serial:
		return fmt.Errorf("%w: the state changed since the plan was made (serial %d, plan made at serial %d)", ErrStalePlan, s.Serial, p.State.Serial)
	}
	if d := s.Digest(); d != p.State.Digest {
		return fmt.Errorf("%w: the state's content changed since the plan was made (digest %s, plan made at %s)", ErrStalePlan, short(d), short(p.State.Digest))
	}
	return nil
}

func short(digest string) string {
	if len(digest) > len("sha256:")+12 {
		return digest[:len("sha256:")+12]
	}
	return digest
}

// CommitOptions relax CheckCommit.
type CommitOptions struct {
	// AllowDirty accepts a plan made from a work tree with uncommitted
	// changes.
	AllowDirty bool
	// AllowOtherCommit accepts a plan made at another commit than head.
	AllowOtherCommit bool
}

// CheckCommit checks that a plan comes from reviewed, committed source: it
// refuses a plan made from a dirty work tree and a plan made at a commit other
// than head (the commit being applied), unless opt allows it. head is empty
// outside git. A plan made outside git (no commit) is not checked. Errors
// wrap ErrPlanCommit.
func CheckCommit(p *Plan, head string, opt CommitOptions) error {
	if p.Source.Dirty && !opt.AllowDirty {
		return fmt.Errorf("%w: the plan was made from a work tree with uncommitted changes", ErrPlanCommit)
	}
	if p.Source.Commit == "" || opt.AllowOtherCommit {
		return nil
	}
	if head == "" {
		return fmt.Errorf("%w: the plan was made at commit %s, and the current directory is not in git", ErrPlanCommit, shortSHA(p.Source.Commit))
	}
	if !strings.EqualFold(p.Source.Commit, head) {
		return fmt.Errorf("%w: the plan was made at commit %s, HEAD is %s", ErrPlanCommit, shortSHA(p.Source.Commit), shortSHA(head))
	}
	return nil
}

func shortSHA(s string) string {
	if len(s) > 12 {
		return s[:12]
	}
	return s
}
