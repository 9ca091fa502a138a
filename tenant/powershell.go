package tenant

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"
)

// The PowerShell backend writes a script for the MicrosoftTeams module
// (>= 5.5.0, the first with the Shared Calling cmdlets) that carries out
// operations on the real tenant (DOMAIN.md "Write operations"). The script:
//
//   - starts with a UTF-8 byte order mark, so that Windows PowerShell 5.1
//     reads it as UTF-8 and not in the ANSI code page;
//   - requires the module, sets $ErrorActionPreference = 'Stop' and checks
//     that a session is connected (Get-CsTenant) before the first step, and
//     that it is connected to the tenant the plan was made for (the state's
//     domain among the session's VerifiedDomains, Assert-CallopsTenant);
//   - runs each operation as the real cmdlet, guarded by a check of the
//     tenant (Test-Callops* helpers defined at the top, constant text) so
//     that re-running it after a failure skips what is already done;
//   - prints progress with Write-Host and a constant format string.
//
// Injection: every string that comes from data (identities, UPNs,
// descriptions, group ids, numbers, object ids) is written by
// PowerShellQuote as a single-quoted literal and nowhere else: never in a
// double-quoted string, here-string, script block, comment or bare word.

// PowerShellMinModule is the MicrosoftTeams module version the scripts
// require.
const PowerShellMinModule = "5.5.0"

// powerShellStepsMarker separates the constant preamble from the steps. Tools
// that read the scripts (the tests' interpreter) start after it.
const powerShellStepsMarker = "# ---- steps ----"

// powerShellEndMarker ends the steps.
const powerShellEndMarker = "# ---- end ----"

// PowerShellOptions describe the script's origin, written as quoted values
// at its top for the operator reviewing it.
type PowerShellOptions struct {
	Tool   string // e.g. "callops 0.1.0"
	Source string // e.g. the desired state's directory and commit
	State  string // e.g. the state's lineage and serial
	// Rollback marks a script that restores the state a plan started from.
	Rollback bool
}

// powerShellQuotes are the characters PowerShell's tokenizer treats as a
// single quote inside and around single-quoted strings: the ASCII apostrophe
// and the typographic U+2018, U+2019, U+201A and U+201B.
var powerShellQuotes = map[rune]bool{'\'': true, '\u2018': true, '\u2019': true, '\u201a': true, '\u201b': true}

// IsPowerShellQuote reports whether PowerShell treats r as a single quote.
func IsPowerShellQuote(r rune) bool { return powerShellQuotes[r] }

// PowerShellQuote returns s as a PowerShell single-quoted string literal:
// inside one, nothing is special except single-quote characters, and a
// single-quote character is written by doubling it. Every one of the five
// characters PowerShell treats as a single quote is doubled. The result is
// one literal whatever s holds.
func PowerShellQuote(s string) string {
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for _, r := range s {
		if powerShellQuotes[r] {
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}

// checkScriptText refuses strings a script must not carry: invalid UTF-8
// (the script is UTF-8) and NUL, which PowerShell does not read as text.
func checkScriptText(what, s string) error {
	if !utf8.ValidString(s) {
		return fmt.Errorf("%s %q is not valid UTF-8", what, s)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("%s %q contains a NUL character", what, s)
	}
	return nil
}

// PowerShellError reports an operation the script writer cannot write: one
// the service would refuse at that point (the operations are simulated on a
// copy of the snapshot while writing), or one naming an object it cannot
// resolve. Index is the 1-based position of the operation.
type PowerShellError struct {
	Index int
	Op    Op
	Err   error
}

func (e *PowerShellError) Error() string {
	return fmt.Sprintf("writing PowerShell step %d (%s): %v", e.Index, e.Op.Action, e.Err)
}

func (e *PowerShellError) Unwrap() error { return e.Err }

// WritePowerShell writes a script that carries out ops, in order, on the
// tenant whose current state is s. The operations are simulated on a copy of
// s as they are written: an operation the service would refuse is an error
// (*PowerShellError) and nothing useful is written. s is not modified.
func WritePowerShell(w io.Writer, s *Snapshot, ops []Op, opts PowerShellOptions) error {
	sim := s.Clone()
	var steps bytes.Buffer
	pw := &psWriter{w: bufio.NewWriter(&steps), s: sim, total: len(ops)}
	// The tenant first: the steps' object ids and numbers are this
	// tenant's, and in another tenant's session they would change that one.
	pw.line("Assert-CallopsTenant -Domain ", PowerShellQuote(s.Tenant.Domain))
	for i, op := range ops {
		// Resolve names against the state before the operation (an
		// unassign needs the holder's object id as it is now).
		if err := pw.step(i+1, op); err != nil {
			// The service's refusal says more than "cannot resolve".
			if aerr := sim.Apply(op); aerr != nil {
				err = aerr
			}
			return &PowerShellError{Index: i + 1, Op: op, Err: err}
		}
		if err := sim.Apply(op); err != nil {
			return &PowerShellError{Index: i + 1, Op: op, Err: err}
		}
	}
	pw.epilogue()
	if err := pw.w.Flush(); err != nil {
		return fmt.Errorf("writing PowerShell script: %w", err)
	}
	sum := sha256.Sum256(steps.Bytes())
	bw := bufio.NewWriter(w)
	head := &psWriter{w: bw, total: len(ops)}
	head.preamble(opts, hex.EncodeToString(sum[:8]))
	if head.err != nil {
		return fmt.Errorf("writing PowerShell script: %w", head.err)
	}
	if _, err := bw.Write(steps.Bytes()); err != nil {
		return fmt.Errorf("writing PowerShell script: %w", err)
	}
	return bw.Flush()
}

// PowerShellBackend is a Backend that carries nothing out on a tenant: it
// checks each operation on a copy of the snapshot (refusing what the service
// would refuse) and collects it; Close writes the script of the collected
// operations to its writer. Current is the simulated state after the
// operations applied so far.
type PowerShellBackend struct {
	w     io.Writer
	start *Snapshot
	sim   *Snapshot
	ops   []Op
	opts  PowerShellOptions
}

// NewPowerShellBackend returns a backend that writes its script to w on
// Close. s is the tenant's current state; it is not modified.
func NewPowerShellBackend(w io.Writer, s *Snapshot, opts PowerShellOptions) *PowerShellBackend {
	return &PowerShellBackend{w: w, start: s.Clone(), sim: s.Clone(), opts: opts}
}

// Current returns the state the tenant will be in after the operations
// collected so far.
func (b *PowerShellBackend) Current() *Snapshot { return b.sim }

// Apply checks op on the simulated state and collects it.
func (b *PowerShellBackend) Apply(op Op) error {
	if err := b.sim.Apply(op); err != nil {
		return err
	}
	b.ops = append(b.ops, op)
	return nil
}

// Ops returns the operations collected so far.
func (b *PowerShellBackend) Ops() []Op { return append([]Op(nil), b.ops...) }

// Start returns the state the backend was opened on.
func (b *PowerShellBackend) Start() *Snapshot { return b.start }

// Close writes the script of the collected operations.
func (b *PowerShellBackend) Close() error {
	return WritePowerShell(b.w, b.start, b.ops, b.opts)
}

// psWriter writes one script; the first write error sticks.
type psWriter struct {
	w     *bufio.Writer
	s     *Snapshot
	total int
	index int // the step being written
	err   error
}

func (p *psWriter) line(parts ...string) {
	if p.err != nil {
		return
	}
	for _, s := range parts {
		if _, err := p.w.WriteString(s); err != nil {
			p.err = err
			return
		}
	}
	if err := p.w.WriteByte('\n'); err != nil {
		p.err = err
	}
}

// powerShellPreamble is the constant head of every script: no data in it.
const powerShellPreamble = `#Requires -Version 5.1
#Requires -Modules @{ModuleName='MicrosoftTeams'; ModuleVersion='` + PowerShellMinModule + `'}
# Written by callops. Review it before running it, in a session connected with
# Connect-MicrosoftTeams. Each step first checks the tenant and skips what is
# already done, so the script can be run again after a failure.
param(
    # Run Connect-MicrosoftTeams when no session is connected.
    [switch]$Connect
)
$ErrorActionPreference = 'Stop'

function Get-CallopsPolicy {
    param([string]$Identity)
    try { Get-CsTeamsSharedCallingRoutingPolicy -Identity $Identity } catch { $null }
}

function Get-CallopsPolicyName {
    param($Value)
    if ($null -eq $Value) { return '' }
    if ($Value -isnot [string] -and $null -ne $Value.PSObject.Properties['Name']) { $Value = $Value.Name }
    $name = [string]$Value
    if ($name -like 'Tag:*') { $name = $name.Substring(4) }
    if ($name -eq 'Global') { $name = '' }
    return $name
}

function Get-CallopsNumber {
    param([string]$PhoneNumber)
    Get-CsPhoneNumberAssignment -TelephoneNumber $PhoneNumber
}

# True when the number is assigned to the object (user or resource account).
function Test-CallopsNumberHeldBy {
    param([string]$PhoneNumber, [string]$ObjectId)
    $n = Get-CallopsNumber -PhoneNumber $PhoneNumber
    return ($null -ne $n -and [string]$n.AssignedPstnTargetId -eq $ObjectId)
}

# True when the number has the location.
function Test-CallopsNumberLocation {
    param([string]$PhoneNumber, [string]$LocationId)
    $n = Get-CallopsNumber -PhoneNumber $PhoneNumber
    return ($null -ne $n -and [string]$n.LocationId -eq $LocationId)
}

# True when the policy exists.
function Test-CallopsPolicy {
    param([string]$Identity)
    return ($null -ne (Get-CallopsPolicy -Identity $Identity))
}

# True when the policy has the resource account and description given.
function Test-CallopsPolicyFields {
    param([string]$Identity, [string]$ResourceAccount, [AllowEmptyString()][string]$Description)
    $p = Get-CallopsPolicy -Identity $Identity
    if ($null -eq $p) { return $false }
    if ($PSBoundParameters.ContainsKey('ResourceAccount') -and [string]$p.ResourceAccount -ne $ResourceAccount) { return $false }
    if ($PSBoundParameters.ContainsKey('Description') -and [string]$p.Description -cne $Description) { return $false }
    return $true
}

# With -Listed: true when the policy lists all the numbers, false when it
# lists none. With -Unlisted: true when it lists none, false when all. A
# policy that lists only some of them was changed by someone else: stop.
function Test-CallopsEmergencyNumbers {
    param([string]$Identity, [string[]]$Listed, [string[]]$Unlisted)
    $p = Get-CallopsPolicy -Identity $Identity
    if ($null -eq $p) { throw ('callops: policy {0} does not exist' -f $Identity) }
    $have = @($p.EmergencyNumbers)
    $want = $Listed
    if ($PSBoundParameters.ContainsKey('Unlisted')) { $want = $Unlisted }
    $n = @($want | Where-Object { $have -contains $_ }).Count
    if ($n -ne 0 -and $n -ne @($want).Count) {
        throw ('callops: policy {0} lists only some of the emergency numbers {1}: the tenant changed, import it and plan again' -f $Identity, ($want -join ', '))
    }
    if ($PSBoundParameters.ContainsKey('Unlisted')) { return ($n -eq 0) }
    return ($n -ne 0)
}

# True when the user is granted the policy directly ('' = none).
function Test-CallopsUserPolicy {
    param([string]$Identity, [AllowEmptyString()][string]$PolicyName)
    $u = Get-CsOnlineUser -Identity $Identity
    return ((Get-CallopsPolicyName $u.TeamsSharedCallingRoutingPolicy) -eq $PolicyName)
}

# True when the group is assigned the policy with the rank ('' = no
# assignment).
function Test-CallopsGroupPolicy {
    param([string]$GroupId, [AllowEmptyString()][string]$PolicyName, [int]$Rank)
    $g = $null
    try { $g = Get-CsGroupPolicyAssignment -GroupId $GroupId -PolicyType TeamsSharedCallingRoutingPolicy } catch { $g = $null }
    if ($PolicyName -eq '') { return ($null -eq $g) }
    if ($null -eq $g) { return $false }
    return ((Get-CallopsPolicyName $g.PolicyName) -eq $PolicyName -and [int]$g.Rank -eq $Rank)
}

# Progress: the number of the last step done is kept beside the script, in
# <script>.progress with the script's id, so that a run after a failure skips
# the steps an earlier run finished; the guards above cover the step that was
# running when it failed.
$CallopsDone = 0
$CallopsProgressFile = $null

function Initialize-CallopsProgress {
    param([string]$ScriptId)
    if (-not $PSCommandPath) { return }
    $script:CallopsProgressFile = $PSCommandPath + '.progress'
    if (Test-Path -LiteralPath $script:CallopsProgressFile) {
        $saved = @(([string](Get-Content -LiteralPath $script:CallopsProgressFile -Raw)).Trim() -split ' ')
        if ($saved.Count -eq 2 -and $saved[0] -eq $ScriptId) {
            $script:CallopsDone = [int]$saved[1]
            Write-Host ('callops: steps 1 to {0} were done by an earlier run' -f $script:CallopsDone)
        }
    }
}

function Test-CallopsStepDone {
    param([int]$Step)
    return ($Step -le $script:CallopsDone)
}

function Complete-CallopsStep {
    param([string]$ScriptId, [int]$Step)
    if ($Step -le $script:CallopsDone) { return }
    $script:CallopsDone = $Step
    if ($script:CallopsProgressFile) {
        Set-Content -LiteralPath $script:CallopsProgressFile -Value ('{0} {1}' -f $ScriptId, $Step)
    }
}

# Stops unless the connected tenant has the domain the plan was made for
# (the state's tenant domain): run in another tenant's session, the script
# would change that tenant. A session whose domains can't be read is let
# through with a warning.
function Assert-CallopsTenant {
    param([AllowEmptyString()][string]$Domain)
    if (-not $Domain) { return }
    $t = Get-CsTenant
    $names = @()
    if ($null -ne $t -and $null -ne $t.PSObject.Properties['VerifiedDomains']) {
        $names = @($t.VerifiedDomains | ForEach-Object { if ($_ -is [string]) { $_ } elseif ($null -ne $_) { [string]$_.Name } } | Where-Object { $_ })
    }
    if ($names.Count -eq 0) {
        Write-Warning ('callops: the connected tenant lists no domains: make sure it is {0}' -f $Domain)
        return
    }
    $want = $Domain.Trim().TrimEnd('.')
    foreach ($n in $names) {
        if (([string]$n).Trim().TrimEnd('.') -ieq $want) { return }
    }
    throw ('callops: this script was planned for tenant {0}, but the Teams session is connected to a tenant with the domains {1}: connect to {0} and run it again' -f $Domain, ($names -join ', '))
}

try {
    $null = Get-CsTenant
} catch {
    if (-not $Connect) {
        throw 'callops: no Microsoft Teams session: run Connect-MicrosoftTeams first, or run this script with -Connect'
    }
    $null = Connect-MicrosoftTeams
    $null = Get-CsTenant
}
`

func (p *psWriter) preamble(opts PowerShellOptions, scriptID string) {
	p.line("\ufeff" + powerShellPreamble)
	kind := "plan"
	if opts.Rollback {
		kind = "rollback"
	}
	p.line("$CallopsScript = ", PowerShellQuote(kind))
	p.line("$CallopsTool = ", PowerShellQuote(opts.Tool))
	p.line("$CallopsSource = ", PowerShellQuote(opts.Source))
	p.line("$CallopsState = ", PowerShellQuote(opts.State))
	p.line(fmt.Sprintf("$CallopsSteps = %d", p.total))
	p.line("$CallopsScriptId = '", scriptID, "'")
	p.line("Write-Host ('callops {0}: {1} steps ({2})' -f $CallopsScript, $CallopsSteps, $CallopsSource)")
	p.line("Initialize-CallopsProgress -ScriptId $CallopsScriptId")
	p.line("")
	p.line(powerShellStepsMarker)
}

func (p *psWriter) epilogue() {
	p.line("")
	p.line(powerShellEndMarker)
	p.line("Write-Host ('callops {0}: done, {1} steps' -f $CallopsScript, $CallopsSteps)")
}

// guarded writes one step: if (cond) { cmd } [elseif (cond2) { cmd2 }] else
// { skipped }. An empty cond writes the command unguarded.
type branch struct{ cond, cmd string }

func (p *psWriter) guarded(branches ...branch) {
	p.line(fmt.Sprintf("if (Test-CallopsStepDone -Step %d) {", p.index))
	p.line("    Write-Host '    done by an earlier run: skipped'")
	unguarded := false
	for _, b := range branches {
		if b.cond == "" {
			p.line("} else {")
			unguarded = true
		} else {
			p.line("} elseif (", b.cond, ") {")
		}
		p.line("    ", b.cmd)
	}
	if !unguarded {
		p.line("} else {")
		p.line("    Write-Host '    already done: skipped'")
	}
	p.line("}")
	p.line(fmt.Sprintf("Complete-CallopsStep -ScriptId $CallopsScriptId -Step %d", p.index))
}

// objectID returns the ObjectId of a user or resource account named by UPN
// or ObjectId.
func (p *psWriter) objectID(upn string) (string, error) {
	if u := p.s.UserByUPN(upn); u != nil {
		return u.ObjectID, nil
	}
	if ra := p.s.ResourceAccountByUPN(upn); ra != nil {
		return ra.ObjectID, nil
	}
	if ra := p.s.ResourceAccountByID(upn); ra != nil {
		return ra.ObjectID, nil
	}
	return "", fmt.Errorf("%s is not a user or resource account of the tenant", upn)
}

// accountUPN returns the UPN of a user or resource account named by UPN or
// ObjectId, for -Identity of the number cmdlets.
func (p *psWriter) accountUPN(upn string) string {
	if u := p.s.UserByUPN(upn); u != nil {
		return u.UserPrincipalName
	}
	if ra := p.s.ResourceAccountByUPN(upn); ra != nil {
		return ra.UserPrincipalName
	}
	if ra := p.s.ResourceAccountByID(upn); ra != nil {
		return ra.UserPrincipalName
	}
	return upn
}

func quoteList(list []string) string {
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = PowerShellQuote(s)
	}
	return strings.Join(q, ",")
}

// grantValue is the -PolicyName argument of a grant: $null revokes (and
// granting Global is the same as revoking, see Apply).
func grantValue(g *string) (arg, test string) {
	if g == nil || policyKey(*g) == lower(GlobalPolicy) {
		return "$null", "''"
	}
	q := PowerShellQuote(PolicyName(*g))
	return q, q
}

func (p *psWriter) step(i int, op Op) error {
	for _, f := range []struct{ what, v string }{
		{"number", op.Number}, {"holder", op.Holder}, {"number type", op.NumberType}, {"location", op.Location},
		{"policy", op.Policy}, {"resource account", op.ResourceAccount}, {"description", op.Description},
		{"user", op.User}, {"group", op.Group},
	} {
		if err := checkScriptText(f.what, f.v); err != nil {
			return err
		}
	}
	for _, n := range op.Numbers {
		if err := checkScriptText("number", n); err != nil {
			return err
		}
	}
	if op.Grant != nil {
		if err := checkScriptText("policy", *op.Grant); err != nil {
			return err
		}
	}

	p.index = i
	p.line("")
	p.line(fmt.Sprintf("# Step %d of %d", i, p.total))
	p.line(fmt.Sprintf("Write-Host ('[{0}/{1}] {2}' -f %d, %d, %s)", i, p.total, PowerShellQuote(summary(op))))
	// The command itself is Cmdlet's (what --verbose shows); the script
	// adds the guard that lets a re-run skip a step already done.
	cmd, err := Cmdlet(p.s, op)
	if err != nil {
		return err
	}
	q := PowerShellQuote
	name := PolicyName(op.Policy)
	switch op.Action {
	case NumberUnassign:
		id, err := p.objectID(op.Holder)
		if err != nil {
			return err
		}
		p.guarded(branch{fmt.Sprintf("Test-CallopsNumberHeldBy -PhoneNumber %s -ObjectId %s", q(op.Number), q(id)), cmd})
	case NumberAssign:
		id, err := p.objectID(op.Holder)
		if err != nil {
			return err
		}
		bs := []branch{{fmt.Sprintf("-not (Test-CallopsNumberHeldBy -PhoneNumber %s -ObjectId %s)", q(op.Number), q(id)), cmd}}
		if op.Location != "" {
			// A re-run after the number was assigned still sets its
			// location.
			setLocation, err := Cmdlet(p.s, Op{Action: NumberSetLocation, Number: op.Number, Location: op.Location})
			if err != nil {
				return err
			}
			bs = append(bs, branch{fmt.Sprintf("-not (Test-CallopsNumberLocation -PhoneNumber %s -LocationId %s)", q(op.Number), q(op.Location)), setLocation})
		}
		p.guarded(bs...)
	case NumberSetLocation:
		p.guarded(branch{fmt.Sprintf("-not (Test-CallopsNumberLocation -PhoneNumber %s -LocationId %s)", q(op.Number), q(op.Location)), cmd})
	case PolicyCreate:
		p.guarded(branch{fmt.Sprintf("-not (Test-CallopsPolicy -Identity %s)", q(name)), cmd})
	case PolicyUpdate:
		// The guard takes the same arguments as the command.
		args := strings.TrimPrefix(cmd, fmt.Sprintf("Set-CsTeamsSharedCallingRoutingPolicy -Identity %s", q(name)))
		p.guarded(branch{fmt.Sprintf("-not (Test-CallopsPolicyFields -Identity %s%s)", q(name), args), cmd})
	case PolicyRemoveEmergency:
		p.guarded(branch{fmt.Sprintf("Test-CallopsEmergencyNumbers -Identity %s -Listed %s", q(name), quoteList(op.Numbers)), cmd})
	case PolicyAddEmergency:
		p.guarded(branch{fmt.Sprintf("Test-CallopsEmergencyNumbers -Identity %s -Unlisted %s", q(name), quoteList(op.Numbers)), cmd})
	case PolicyDelete:
		p.guarded(branch{fmt.Sprintf("Test-CallopsPolicy -Identity %s", q(name)), cmd})
	case GrantUser:
		_, test := grantValue(op.Grant)
		upn := op.User
		if u := p.s.UserByUPN(op.User); u != nil {
			upn = u.UserPrincipalName
		}
		p.guarded(branch{fmt.Sprintf("-not (Test-CallopsUserPolicy -Identity %s -PolicyName %s)", q(upn), test), cmd})
	case GrantGroup:
		if op.Grant == nil {
			p.guarded(branch{fmt.Sprintf("-not (Test-CallopsGroupPolicy -GroupId %s -PolicyName '')", q(op.Group)), cmd})
			break
		}
		p.guarded(branch{fmt.Sprintf("-not (Test-CallopsGroupPolicy -GroupId %s -PolicyName %s -Rank %d)", q(op.Group), q(PolicyName(*op.Grant)), op.Rank), cmd})
	case GrantGlobal:
		// The tenant default cannot be read back per policy type; the
		// grant is idempotent, so it is simply run again.
		p.guarded(branch{"", cmd})
	default:
		return fmt.Errorf("unknown action %q", op.Action)
	}
	return nil
}

// raObjectID resolves a policy's resource account (UPN or ObjectId) to the
// ObjectId -ResourceAccount takes.
func (p *psWriter) raObjectID(upn string) (string, error) {
	if ra := p.s.ResourceAccountByUPN(upn); ra != nil {
		return ra.ObjectID, nil
	}
	if ra := p.s.ResourceAccountByID(upn); ra != nil {
		return ra.ObjectID, nil
	}
	return "", fmt.Errorf("%s is not a resource account of the tenant", upn)
}

// summary is the progress text of an operation.
func summary(op Op) string {
	grant := func() string {
		if op.Grant == nil {
			return "(none)"
		}
		return *op.Grant
	}
	switch op.Action {
	case NumberUnassign:
		return fmt.Sprintf("%s %s from %s", op.Action, op.Number, op.Holder)
	case NumberAssign:
		return fmt.Sprintf("%s %s to %s", op.Action, op.Number, op.Holder)
	case NumberSetLocation:
		return fmt.Sprintf("%s %s %s", op.Action, op.Number, op.Location)
	case PolicyCreate, PolicyUpdate, PolicyDelete:
		return fmt.Sprintf("%s %s", op.Action, op.Policy)
	case PolicyRemoveEmergency, PolicyAddEmergency:
		return fmt.Sprintf("%s %s %s", op.Action, op.Policy, strings.Join(op.Numbers, ", "))
	case GrantUser:
		return fmt.Sprintf("%s %s %s", op.Action, op.User, grant())
	case GrantGroup:
		return fmt.Sprintf("%s %s %s rank %d", op.Action, op.Group, grant(), op.Rank)
	case GrantGlobal:
		return fmt.Sprintf("%s %s", op.Action, grant())
	}
	return string(op.Action)
}
