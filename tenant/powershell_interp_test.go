package tenant

// A test-only reader of the scripts WritePowerShell emits: a tokenizer of the
// PowerShell subset they use (with PowerShell's single-quote rules) and an
// interpreter that runs the steps against a Snapshot through Apply, with the
// Test-Callops* guards evaluated on the snapshot as the script's helper
// functions evaluate them on the tenant.

import (
	"fmt"
	"strconv"
	"strings"
)

// psTokKind is the kind of a token.
type psTokKind int

const (
	tokNewline psTokKind = iota
	tokComment
	tokString   // single-quoted literal; Text is the decoded value
	tokVariable // $name
	tokNumber
	tokParam // -Name (also operators like -not, -f)
	tokWord  // command names and other bare words
	tokPunct // ( ) { } @{ @( , = ; [ ] .
)

func (k psTokKind) String() string {
	return [...]string{"newline", "comment", "string", "variable", "number", "param", "word", "punct"}[k]
}

type psToken struct {
	Kind psTokKind
	Text string
}

// tokenizePowerShell splits a script into tokens. It refuses what callops
// must never emit: double-quoted strings, here-strings, the escape character
// (backtick) and unterminated literals.
func tokenizePowerShell(src string) ([]psToken, error) {
	src = strings.TrimPrefix(src, "\ufeff")
	rs := []rune(src)
	var out []psToken
	isSpace := func(r rune) bool { return r == ' ' || r == '\t' }
	isWordRune := func(r rune) bool {
		return r == '-' || r == '_' || r == ':' || r == '.' || r == '+' || r == '*' ||
			(r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9')
	}
	for i := 0; i < len(rs); {
		r := rs[i]
		switch {
		case isSpace(r):
			i++
		case r == '\r':
			i++
		case r == '\n':
			out = append(out, psToken{tokNewline, "\n"})
			i++
		case r == '#':
			j := i
			for j < len(rs) && rs[j] != '\n' {
				j++
			}
			out = append(out, psToken{tokComment, string(rs[i:j])})
			i = j
		case IsPowerShellQuote(r):
			var b strings.Builder
			j := i + 1
			for {
				if j >= len(rs) {
					return nil, fmt.Errorf("unterminated single-quoted string at rune %d", i)
				}
				c := rs[j]
				if IsPowerShellQuote(c) {
					if j+1 < len(rs) && IsPowerShellQuote(rs[j+1]) {
						b.WriteRune(rs[j+1])
						j += 2
						continue
					}
					j++
					break
				}
				b.WriteRune(c)
				j++
			}
			out = append(out, psToken{tokString, b.String()})
			i = j
		case r == '"' || r == '\u201c' || r == '\u201d' || r == '\u201e':
			return nil, fmt.Errorf("double-quoted string at rune %d", i)
		case r == '`':
			return nil, fmt.Errorf("escape character at rune %d", i)
		case r == '@':
			if i+1 < len(rs) && (rs[i+1] == '{' || rs[i+1] == '(') {
				out = append(out, psToken{tokPunct, string(rs[i : i+2])})
				i += 2
				continue
			}
			return nil, fmt.Errorf("here-string or splat at rune %d", i)
		case r == '$':
			j := i + 1
			for j < len(rs) && (rs[j] == '_' || (rs[j] >= 'a' && rs[j] <= 'z') || (rs[j] >= 'A' && rs[j] <= 'Z') || (rs[j] >= '0' && rs[j] <= '9')) {
				j++
			}
			out = append(out, psToken{tokVariable, string(rs[i:j])})
			i = j
		case strings.ContainsRune("(){},=;[].|!", r):
			out = append(out, psToken{tokPunct, string(r)})
			i++
		case r >= '0' && r <= '9':
			j := i
			for j < len(rs) && rs[j] >= '0' && rs[j] <= '9' {
				j++
			}
			out = append(out, psToken{tokNumber, string(rs[i:j])})
			i = j
		case r == '-' || isWordRune(r):
			j := i + 1
			for j < len(rs) && isWordRune(rs[j]) {
				j++
			}
			kind := tokWord
			if r == '-' {
				kind = tokParam
			}
			out = append(out, psToken{kind, string(rs[i:j])})
			i = j
		default:
			return nil, fmt.Errorf("unexpected %q at rune %d", r, i)
		}
	}
	return out, nil
}

// PSRun is one interpreted run of a script: Done is the script's progress
// file (the last step completed; read at the start, written as steps
// complete), FailBefore > 0 makes the run fail just before the cmdlet of
// that many-th change, FailAfter > 0 just after it (before its step is
// recorded as complete). Ops are the operations the run carried out.
type PSRun struct {
	Done       int
	FailBefore int
	FailAfter  int
	Ops        []Op
}

// psInterpreter runs steps of a script on a snapshot.
type psInterpreter struct {
	s    *Snapshot
	toks []psToken
	pos  int
	run  *PSRun
}

var errInjected = fmt.Errorf("injected failure")

// InterpretPowerShell runs a script written by WritePowerShell on s: the
// preamble must be the constant one; each step's guards are evaluated on s
// (Test-CallopsStepDone on r.Done) and its cmdlet carried out through
// s.Apply.
func InterpretPowerShell(script string, s *Snapshot, r *PSRun) error {
	script = strings.TrimPrefix(script, "\ufeff")
	if !strings.HasPrefix(script, powerShellPreamble) {
		return fmt.Errorf("script does not start with the callops preamble")
	}
	i := strings.Index(script, powerShellStepsMarker)
	j := strings.Index(script, powerShellEndMarker)
	if i < 0 || j < i {
		return fmt.Errorf("no steps markers")
	}
	toks, err := tokenizePowerShell(script[i+len(powerShellStepsMarker) : j])
	if err != nil {
		return err
	}
	in := &psInterpreter{s: s, toks: toks, run: r}
	return in.exec()
}

func (in *psInterpreter) peek() psToken {
	if in.pos >= len(in.toks) {
		return psToken{tokNewline, ""}
	}
	return in.toks[in.pos]
}

func (in *psInterpreter) next() psToken {
	t := in.peek()
	in.pos++
	return t
}

func (in *psInterpreter) expect(kind psTokKind, text string) error {
	t := in.next()
	if t.Kind != kind || (text != "" && t.Text != text) {
		return fmt.Errorf("token %d: got %s %q, want %s %q", in.pos-1, t.Kind, t.Text, kind, text)
	}
	return nil
}

func (in *psInterpreter) skipBlank() {
	for in.pos < len(in.toks) && (in.peek().Kind == tokNewline || in.peek().Kind == tokComment) {
		in.pos++
	}
}

func (in *psInterpreter) exec() error {
	for {
		in.skipBlank()
		if in.pos >= len(in.toks) {
			return nil
		}
		t := in.peek()
		switch {
		case t.Kind == tokWord && t.Text == "Write-Host":
			in.skipLine()
		case t.Kind == tokWord && t.Text == "if":
			if err := in.ifStatement(); err != nil {
				return err
			}
		case t.Kind == tokWord && t.Text == "Assert-CallopsTenant":
			// The session's tenant is s: its domain stands for the
			// session's VerifiedDomains (none known: let through, as the
			// script does with a warning).
			in.next()
			a, err := in.args()
			if err != nil {
				return err
			}
			if want := str(a, "domain"); OtherDomain(want, in.s.Tenant.Domain) {
				return fmt.Errorf("callops: this script was planned for tenant %s, but the Teams session is connected to a tenant with the domains %s", want, in.s.Tenant.Domain)
			}
		case t.Kind == tokWord && t.Text == "Complete-CallopsStep":
			in.next()
			a, err := in.args()
			if err != nil {
				return err
			}
			if n := a["step"].num; n > in.run.Done {
				in.run.Done = n
			}
		case t.Kind == tokWord:
			if err := in.cmdlet(); err != nil {
				return err
			}
		default:
			return fmt.Errorf("token %d: unexpected %s %q", in.pos, t.Kind, t.Text)
		}
	}
}

func (in *psInterpreter) skipLine() {
	for in.pos < len(in.toks) && in.peek().Kind != tokNewline {
		in.pos++
	}
}

// ifStatement: if (COND) { BODY } [elseif (COND) { BODY }]... [else { BODY }]
// where BODY is Write-Host or one cmdlet; the first true branch runs.
func (in *psInterpreter) ifStatement() error {
	done := false
	in.next() // if
	cond := true
	for {
		if cond {
			if err := in.expect(tokPunct, "("); err != nil {
				return err
			}
			if done {
				// PowerShell evaluates no elseif condition after a
				// branch was taken: a guard of a policy deleted by an
				// earlier run must not be asked.
				in.skipCommand()
				cond = false
			} else {
				v, err := in.condition()
				if err != nil {
					return err
				}
				cond = v
			}
			if err := in.expect(tokPunct, ")"); err != nil {
				return err
			}
		} else {
			cond = true // else
		}
		if err := in.expect(tokPunct, "{"); err != nil {
			return err
		}
		in.skipBlank()
		if cond && !done {
			done = true
			if w := in.peek(); w.Kind == tokWord && w.Text == "Write-Host" {
				in.skipLine()
			} else if err := in.cmdlet(); err != nil {
				return err
			}
		} else {
			in.skipCommand()
		}
		in.skipBlank()
		if err := in.expect(tokPunct, "}"); err != nil {
			return err
		}
		t := in.peek()
		switch {
		case t.Kind == tokWord && t.Text == "elseif":
			in.next()
			cond = true
		case t.Kind == tokWord && t.Text == "else":
			in.next()
			cond = false
		default:
			return nil
		}
	}
}

// skipCommand skips one command, to the end of its line or the '}' that
// closes its block (braces and parentheses inside it nest).
func (in *psInterpreter) skipCommand() {
	depth := 0
	for in.pos < len(in.toks) && in.peek().Kind != tokNewline {
		t := in.peek()
		if t.Kind == tokPunct {
			switch t.Text {
			case "{", "@{", "(", "@(":
				depth++
			case "}", ")":
				if depth == 0 {
					return
				}
				depth--
			}
		}
		in.pos++
	}
}

// psArg is a parsed argument: a switch, a string list, $null, an integer or
// a list modifier (@{add=...} / @{remove=...}).
type psArg struct {
	isSwitch bool
	isNull   bool
	strs     []string
	num      int
	modifier string
}

// args parses -Name value pairs up to the end of the command.
func (in *psInterpreter) args() (map[string]psArg, error) {
	out := map[string]psArg{}
	for {
		t := in.peek()
		if t.Kind == tokNewline || (t.Kind == tokPunct && (t.Text == "}" || t.Text == ")")) {
			return out, nil
		}
		if t.Kind != tokParam {
			return nil, fmt.Errorf("token %d: got %s %q, want a parameter", in.pos, t.Kind, t.Text)
		}
		in.next()
		name := strings.ToLower(t.Text[1:])
		v := in.peek()
		var a psArg
		switch {
		case v.Kind == tokParam || v.Kind == tokNewline || (v.Kind == tokPunct && (v.Text == "}" || v.Text == ")")):
			a.isSwitch = true
		case v.Kind == tokVariable && strings.EqualFold(v.Text, "$null"):
			in.next()
			a.isNull = true
		case v.Kind == tokNumber:
			in.next()
			a.num, _ = strconv.Atoi(v.Text)
		case v.Kind == tokVariable:
			in.next()
			a.strs = []string{v.Text}
		case v.Kind == tokString:
			list, err := in.stringList()
			if err != nil {
				return nil, err
			}
			a.strs = list
		case v.Kind == tokPunct && v.Text == "@{":
			in.next()
			m := in.next()
			if m.Kind != tokWord || (m.Text != "add" && m.Text != "remove") {
				return nil, fmt.Errorf("list modifier %q", m.Text)
			}
			if err := in.expect(tokPunct, "="); err != nil {
				return nil, err
			}
			list, err := in.stringList()
			if err != nil {
				return nil, err
			}
			if err := in.expect(tokPunct, "}"); err != nil {
				return nil, err
			}
			a.modifier, a.strs = m.Text, list
		default:
			return nil, fmt.Errorf("token %d: unexpected argument %s %q", in.pos, v.Kind, v.Text)
		}
		out[name] = a
	}
}

func (in *psInterpreter) stringList() ([]string, error) {
	var list []string
	for {
		t := in.next()
		if t.Kind != tokString {
			return nil, fmt.Errorf("token %d: got %s %q in a list, want a string", in.pos-1, t.Kind, t.Text)
		}
		list = append(list, t.Text)
		if p := in.peek(); p.Kind == tokPunct && p.Text == "," {
			in.next()
			continue
		}
		return list, nil
	}
}

func str(a map[string]psArg, name string) string {
	if v, ok := a[name]; ok && len(v.strs) > 0 {
		return v.strs[0]
	}
	return ""
}

// condition evaluates [-not (] Test-Callops... [)].
func (in *psInterpreter) condition() (bool, error) {
	neg := false
	if t := in.peek(); t.Kind == tokParam && t.Text == "-not" {
		in.next()
		neg = true
		if err := in.expect(tokPunct, "("); err != nil {
			return false, err
		}
	}
	name := in.next()
	if name.Kind != tokWord {
		return false, fmt.Errorf("guard %q is not a command", name.Text)
	}
	a, err := in.args()
	if err != nil {
		return false, err
	}
	v, err := in.guard(name.Text, a)
	if err != nil {
		return false, err
	}
	if neg {
		if err := in.expect(tokPunct, ")"); err != nil {
			return false, err
		}
		v = !v
	}
	return v, nil
}

// guard evaluates a Test-Callops* helper on the snapshot as the helper
// evaluates it on the tenant.
func (in *psInterpreter) guard(name string, a map[string]psArg) (bool, error) {
	s := in.s
	switch name {
	case "Test-CallopsStepDone":
		return in.peekStep(a) <= in.run.Done, nil
	case "Test-CallopsNumberHeldBy":
		n := s.NumberByTelephone(str(a, "phonenumber"))
		return n != nil && strings.EqualFold(n.AssignedPstnTargetID, str(a, "objectid")), nil
	case "Test-CallopsNumberLocation":
		n := s.NumberByTelephone(str(a, "phonenumber"))
		return n != nil && strings.EqualFold(n.LocationID, str(a, "locationid")), nil
	case "Test-CallopsPolicy":
		id := str(a, "identity")
		return s.PolicyByIdentity(id) != nil || strings.EqualFold(id, GlobalPolicy), nil
	case "Test-CallopsPolicyFields":
		p := s.PolicyByIdentity(str(a, "identity"))
		if p == nil {
			return false, nil
		}
		if v, ok := a["resourceaccount"]; ok && !strings.EqualFold(p.ResourceAccount, v.strs[0]) {
			return false, nil
		}
		if v, ok := a["description"]; ok && p.Description != v.strs[0] {
			return false, nil
		}
		return true, nil
	case "Test-CallopsEmergencyNumbers":
		p := s.PolicyByIdentity(str(a, "identity"))
		if p == nil {
			return false, fmt.Errorf("callops: policy %s does not exist", str(a, "identity"))
		}
		want, unlisted := a["listed"].strs, false
		if v, ok := a["unlisted"]; ok {
			want, unlisted = v.strs, true
		}
		n := 0
		for _, e := range want {
			if containsExact(p.EmergencyNumbers, e) {
				n++
			}
		}
		if n != 0 && n != len(want) {
			return false, fmt.Errorf("callops: policy %s lists only some of the emergency numbers", p.Identity)
		}
		if unlisted {
			return n == 0, nil
		}
		return n != 0, nil
	case "Test-CallopsUserPolicy":
		u := s.UserByUPN(str(a, "identity"))
		if u == nil {
			return false, fmt.Errorf("user %s not found", str(a, "identity"))
		}
		return strings.EqualFold(u.SharedCallingPolicy, str(a, "policyname")), nil
	case "Test-CallopsGroupPolicy":
		g := s.GroupAssignmentByGroup(str(a, "groupid"))
		pol := str(a, "policyname")
		if pol == "" {
			return g == nil, nil
		}
		return g != nil && strings.EqualFold(g.PolicyName, pol) && g.Rank == a["rank"].num, nil
	}
	return false, fmt.Errorf("unknown guard %s", name)
}

// cmdlet carries out one write cmdlet through Apply.
func (in *psInterpreter) cmdlet() error {
	name := in.next()
	a, err := in.args()
	if err != nil {
		return err
	}
	op, err := cmdletOp(name.Text, a)
	if err != nil {
		return err
	}
	if in.run.FailBefore > 0 && len(in.run.Ops)+1 >= in.run.FailBefore {
		return errInjected
	}
	if err := in.s.Apply(op); err != nil {
		return fmt.Errorf("%s: %w", name.Text, err)
	}
	in.run.Ops = append(in.run.Ops, op)
	if in.run.FailAfter > 0 && len(in.run.Ops) >= in.run.FailAfter {
		return errInjected
	}
	return nil
}

func grantOf(a map[string]psArg) *string {
	v := a["policyname"]
	if v.isNull {
		return nil
	}
	s := v.strs[0]
	return &s
}

func cmdletOp(name string, a map[string]psArg) (Op, error) {
	switch name {
	case "Remove-CsPhoneNumberAssignment":
		return Op{Action: NumberUnassign, Number: str(a, "phonenumber"), Holder: str(a, "identity"), NumberType: str(a, "phonenumbertype")}, nil
	case "Set-CsPhoneNumberAssignment":
		if _, ok := a["identity"]; ok {
			return Op{Action: NumberAssign, Number: str(a, "phonenumber"), Holder: str(a, "identity"), NumberType: str(a, "phonenumbertype"), Location: str(a, "locationid")}, nil
		}
		return Op{Action: NumberSetLocation, Number: str(a, "phonenumber"), Location: str(a, "locationid")}, nil
	case "New-CsTeamsSharedCallingRoutingPolicy":
		op := Op{Action: PolicyCreate, Policy: str(a, "identity"), ResourceAccount: str(a, "resourceaccount"), Description: str(a, "description")}
		if e, ok := a["emergencynumbers"]; ok {
			if e.modifier != "add" {
				return Op{}, fmt.Errorf("New- with -EmergencyNumbers @{%s=...}", e.modifier)
			}
			op.Numbers = e.strs
		}
		return op, nil
	case "Set-CsTeamsSharedCallingRoutingPolicy":
		if e, ok := a["emergencynumbers"]; ok {
			act := PolicyAddEmergency
			if e.modifier == "remove" {
				act = PolicyRemoveEmergency
			}
			return Op{Action: act, Policy: str(a, "identity"), Numbers: e.strs}, nil
		}
		op := Op{Action: PolicyUpdate, Policy: str(a, "identity")}
		if v, ok := a["resourceaccount"]; ok {
			op.UpdateResourceAccount, op.ResourceAccount = true, v.strs[0]
		}
		if v, ok := a["description"]; ok {
			op.UpdateDescription, op.Description = true, v.strs[0]
		}
		return op, nil
	case "Remove-CsTeamsSharedCallingRoutingPolicy":
		return Op{Action: PolicyDelete, Policy: str(a, "identity")}, nil
	case "Grant-CsTeamsSharedCallingRoutingPolicy":
		switch {
		case a["global"].isSwitch:
			return Op{Action: GrantGlobal, Grant: grantOf(a)}, nil
		case str(a, "group") != "":
			return Op{Action: GrantGroup, Group: str(a, "group"), Grant: grantOf(a), Rank: a["rank"].num}, nil
		default:
			return Op{Action: GrantUser, User: str(a, "identity"), Grant: grantOf(a)}, nil
		}
	case "Remove-CsGroupPolicyAssignment":
		if str(a, "policytype") != "TeamsSharedCallingRoutingPolicy" {
			return Op{}, fmt.Errorf("Remove-CsGroupPolicyAssignment of policy type %q", str(a, "policytype"))
		}
		return Op{Action: GrantGroup, Group: str(a, "groupid")}, nil
	}
	return Op{}, fmt.Errorf("cmdlet %s is not one callops emits", name)
}

// peekStep reads the step number of Test-CallopsStepDone N (a positional
// argument).
func (in *psInterpreter) peekStep(a map[string]psArg) int { return a["step"].num }
