package apply

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/callops/callops/tenant"
)

// stepFields lists, for every action, the JSON fields of its step in the
// order they are written (DESIGN.md section 4, action table). The plan JSON
// is a stable format: a step carries exactly these fields between "action"
// and "reason", no more.
var stepFields = map[tenant.Action][]string{
	tenant.NumberUnassign:        {"number", "holder"},
	tenant.NumberAssign:          {"number", "holder", "numberType", "location"},
	tenant.NumberSetLocation:     {"number", "location"},
	tenant.PolicyCreate:          {"policy", "resourceAccount", "description", "numbers"},
	tenant.PolicyUpdate:          {"policy", "resourceAccount", "description"},
	tenant.PolicyRemoveEmergency: {"policy", "numbers"},
	tenant.PolicyAddEmergency:    {"policy", "numbers"},
	tenant.PolicyDelete:          {"policy"},
	tenant.GrantUser:             {"user", "policy"},
	tenant.GrantGroup:            {"group", "policy", "rank"},
	tenant.GrantGlobal:           {"policy"},
}

// optionalFields are fields of an action that may be left out: the location
// of number.assign (a number may have none), and the two halves of
// policy.update (only what changes is written; at least one is required).
var optionalFields = map[tenant.Action]map[string]bool{
	tenant.NumberAssign: {"location": true},
	tenant.PolicyUpdate: {"resourceAccount": true, "description": true},
	// The rank of a removed group assignment means nothing.
	tenant.GrantGroup: {"rank": true},
}

// MarshalJSON writes the step as {"index", "action", <the fields of its
// action>, "reason"}. Grants write "policy": null to revoke; policy.update
// writes only the fields that change.
func (s Step) MarshalJSON() ([]byte, error) {
	fields, ok := stepFields[s.Op.Action]
	if !ok {
		return nil, fmt.Errorf("step %d: unknown action %q", s.Index, s.Op.Action)
	}
	if s.Op.Action == tenant.PolicyUpdate && !s.Op.UpdateResourceAccount && !s.Op.UpdateDescription {
		// It would be written as a step that cannot be read back.
		return nil, fmt.Errorf("step %d: policy.update of %s changes nothing", s.Index, s.Op.Policy)
	}
	var b bytes.Buffer
	b.WriteString(`{"index":`)
	fmt.Fprintf(&b, "%d", s.Index)
	b.WriteString(`,"action":`)
	writeJSONString(&b, string(s.Op.Action))
	op := s.Op
	for _, f := range fields {
		var v any
		switch f {
		case "number":
			v = op.Number
		case "holder":
			v = op.Holder
		case "numberType":
			v = op.NumberType
		case "location":
			if op.Action == tenant.NumberAssign && op.Location == "" {
				continue
			}
			v = op.Location
		case "policy":
			switch op.Action {
			case tenant.GrantUser, tenant.GrantGroup, tenant.GrantGlobal:
				if op.Grant == nil {
					v = nil
				} else {
					v = *op.Grant
				}
			default:
				v = op.Policy
			}
		case "resourceAccount":
			if op.Action == tenant.PolicyUpdate && !op.UpdateResourceAccount {
				continue
			}
			v = op.ResourceAccount
		case "description":
			if op.Action == tenant.PolicyUpdate && !op.UpdateDescription {
				continue
			}
			v = op.Description
		case "numbers":
			n := op.Numbers
			if n == nil {
				n = []string{}
			}
			v = n
		case "user":
			v = op.User
		case "group":
			v = op.Group
		case "rank":
			v = op.Rank
		}
		val, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("step %d: field %s: %w", s.Index, f, err)
		}
		b.WriteByte(',')
		writeJSONString(&b, f)
		b.WriteByte(':')
		b.Write(val)
	}
	b.WriteString(`,"reason":`)
	writeJSONString(&b, s.Reason)
	b.WriteByte('}')
	return b.Bytes(), nil
}

func writeJSONString(b *bytes.Buffer, s string) {
	v, _ := json.Marshal(s) // a string always marshals
	b.Write(v)
}

// StepError reports a step of plan JSON that cannot be read: an unknown
// action, a missing or foreign field, or a value of the wrong type. Index is
// the step's index when it could be read, 0 otherwise.
type StepError struct {
	Index int
	Msg   string
}

// Error says "step N: ...", N the step's index, or when the step has no
// readable index, its position in the plan (Decode fills it in).
func (e *StepError) Error() string {
	if e.Index > 0 {
		return fmt.Sprintf("step %d: %s", e.Index, e.Msg)
	}
	return "step: " + e.Msg
}

// UnmarshalJSON reads a step written by MarshalJSON. It rejects unknown
// actions, missing required fields and fields that do not belong to the
// step's action with a *StepError.
func (s *Step) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return &StepError{Msg: fmt.Sprintf("is a JSON %s, not an object", te.Value)}
		}
		return &StepError{Msg: "not a JSON object: " + jsonMsg(err)}
	}
	if raw == nil {
		return &StepError{Msg: "is null"}
	}
	var st Step
	idx, ok := raw["index"]
	if !ok {
		return &StepError{Msg: `missing field "index"`}
	}
	if err := json.Unmarshal(idx, &st.Index); err != nil || st.Index < 1 {
		return &StepError{Msg: fmt.Sprintf(`"index" must be a positive integer, got %s`, clip(idx))}
	}
	e := func(format string, args ...any) error {
		return &StepError{Index: st.Index, Msg: fmt.Sprintf(format, args...)}
	}
	actRaw, ok := raw["action"]
	if !ok {
		return e(`missing field "action"`)
	}
	var act string
	if err := json.Unmarshal(actRaw, &act); err != nil {
		return e(`"action" must be a string, got %s`, clip(actRaw))
	}
	st.Op.Action = tenant.Action(act)
	fields, ok := stepFields[st.Op.Action]
	if !ok {
		return e("unknown action %q", act)
	}
	if r, ok := raw["reason"]; ok {
		if err := json.Unmarshal(r, &st.Reason); err != nil {
			return e(`"reason" must be a string, got %s`, clip(r))
		}
	}
	allowed := map[string]bool{"index": true, "action": true, "reason": true}
	for _, f := range fields {
		allowed[f] = true
	}
	var foreign []string
	for k := range raw {
		if !allowed[k] {
			foreign = append(foreign, k)
		}
	}
	if len(foreign) > 0 {
		sort.Strings(foreign)
		return e("field %q is not a field of %s (want %s)", foreign[0], act, strings.Join(fields, ", "))
	}
	opt := optionalFields[st.Op.Action]
	str := func(name string, dst *string) error {
		v, ok := raw[name]
		if !ok {
			if opt[name] {
				return nil
			}
			return e("%s: missing field %q", act, name)
		}
		if err := json.Unmarshal(v, dst); err != nil || bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
			return e("%s: %q must be a string, got %s", act, name, clip(v))
		}
		return nil
	}
	op := &st.Op
	var err error
	switch st.Op.Action {
	case tenant.NumberUnassign:
		err = errors.Join(str("number", &op.Number), str("holder", &op.Holder))
	case tenant.NumberAssign:
		err = errors.Join(str("number", &op.Number), str("holder", &op.Holder),
			str("numberType", &op.NumberType), str("location", &op.Location))
	case tenant.NumberSetLocation:
		err = errors.Join(str("number", &op.Number), str("location", &op.Location))
	case tenant.PolicyCreate:
		err = errors.Join(str("policy", &op.Policy), str("resourceAccount", &op.ResourceAccount),
			str("description", &op.Description), numbers(raw, op, e))
	case tenant.PolicyUpdate:
		err = errors.Join(str("policy", &op.Policy), str("resourceAccount", &op.ResourceAccount),
			str("description", &op.Description))
		_, op.UpdateResourceAccount = raw["resourceAccount"]
		_, op.UpdateDescription = raw["description"]
		if err == nil && !op.UpdateResourceAccount && !op.UpdateDescription {
			err = e(`%s: needs "resourceAccount" or "description" (what changes)`, act)
		}
	case tenant.PolicyRemoveEmergency, tenant.PolicyAddEmergency:
		err = errors.Join(str("policy", &op.Policy), numbers(raw, op, e))
	case tenant.PolicyDelete:
		err = str("policy", &op.Policy)
	case tenant.GrantUser:
		err = errors.Join(str("user", &op.User), grant(raw, op, e))
	case tenant.GrantGroup:
		err = errors.Join(str("group", &op.Group), grant(raw, op, e))
		if err == nil {
			if v, ok := raw["rank"]; ok {
				if jerr := json.Unmarshal(v, &op.Rank); jerr != nil || op.Rank < 0 {
					err = e(`%s: "rank" must be a non-negative integer, got %s`, act, clip(v))
				}
			} else if op.Grant != nil {
				err = e(`%s: missing field "rank"`, act)
			}
		}
	case tenant.GrantGlobal:
		err = grant(raw, op, e)
	}
	if err != nil {
		// errors.Join puts each error on its own line; the first is enough
		// to fix the file and keeps messages one line long.
		var se *StepError
		if errors.As(err, &se) {
			return se
		}
		return err
	}
	*s = st
	return nil
}

func numbers(raw map[string]json.RawMessage, op *tenant.Op, e func(string, ...any) error) error {
	v, ok := raw["numbers"]
	if !ok {
		return e(`%s: missing field "numbers"`, op.Action)
	}
	if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		return e(`%s: "numbers" must be a list of strings, got null`, op.Action)
	}
	if err := json.Unmarshal(v, &op.Numbers); err != nil {
		return e(`%s: "numbers" must be a list of strings, got %s`, op.Action, clip(v))
	}
	return nil
}

func grant(raw map[string]json.RawMessage, op *tenant.Op, e func(string, ...any) error) error {
	v, ok := raw["policy"]
	if !ok {
		return e(`%s: missing field "policy" (null revokes)`, op.Action)
	}
	if bytes.Equal(bytes.TrimSpace(v), []byte("null")) {
		op.Grant = nil
		return nil
	}
	var p string
	if err := json.Unmarshal(v, &p); err != nil {
		return e(`%s: "policy" must be a string or null, got %s`, op.Action, clip(v))
	}
	op.Grant = &p
	return nil
}

// clip shortens a raw JSON value for an error message.
func clip(v json.RawMessage) string {
	s := strings.TrimSpace(string(v))
	if len(s) > 40 {
		s = s[:40] + "..."
	}
	return s
}

// jsonMsg is the message of a JSON error without the "json: " prefix.
func jsonMsg(err error) string {
	return strings.TrimPrefix(err.Error(), "json: ")
}
