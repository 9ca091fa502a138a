#Requires -Version 5.1
#Requires -Modules @{ModuleName='MicrosoftTeams'; ModuleVersion='5.5.0'}
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

$CallopsScript = 'plan'
$CallopsTool = 'callops 0.1.0'
$CallopsSource = 'examples/contoso at 0123abc'
$CallopsState = 'lineage 00000000-0000-4000-8000-000000000000 serial 1'
$CallopsSteps = 19
$CallopsScriptId = '676ec2b902efc97d'
Write-Host ('callops {0}: {1} steps ({2})' -f $CallopsScript, $CallopsSteps, $CallopsSource)
Initialize-CallopsProgress -ScriptId $CallopsScriptId

# ---- steps ----
Assert-CallopsTenant -Domain 'contoso.onmicrosoft.com'

# Step 1 of 19
Write-Host ('[{0}/{1}] {2}' -f 1, 19, 'policy.remove-emergency-numbers Redmond +14255556678')
if (Test-CallopsStepDone -Step 1) {
    Write-Host '    done by an earlier run: skipped'
} elseif (Test-CallopsEmergencyNumbers -Identity 'Redmond' -Listed '+14255556678') {
    Set-CsTeamsSharedCallingRoutingPolicy -Identity 'Redmond' -EmergencyNumbers @{remove='+14255556678'}
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 1

# Step 2 of 19
Write-Host ('[{0}/{1}] {2}' -f 2, 19, 'number.assign +14255556678 to eve@contoso.com')
if (Test-CallopsStepDone -Step 2) {
    Write-Host '    done by an earlier run: skipped'
} elseif (-not (Test-CallopsNumberHeldBy -PhoneNumber '+14255556678' -ObjectId '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d')) {
    Set-CsPhoneNumberAssignment -Identity 'eve@contoso.com' -PhoneNumber '+14255556678' -PhoneNumberType 'CallingPlan'
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 2

# Step 3 of 19
Write-Host ('[{0}/{1}] {2}' -f 3, 19, 'number.unassign +14255556679 from carol@contoso.com')
if (Test-CallopsStepDone -Step 3) {
    Write-Host '    done by an earlier run: skipped'
} elseif (Test-CallopsNumberHeldBy -PhoneNumber '+14255556679' -ObjectId '5a6b7c8d-9e0f-4a1b-8c2d-3e4f5a6b7c8d') {
    Remove-CsPhoneNumberAssignment -Identity 'carol@contoso.com' -PhoneNumber '+14255556679' -PhoneNumberType 'CallingPlan'
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 3

# Step 4 of 19
Write-Host ('[{0}/{1}] {2}' -f 4, 19, 'policy.add-emergency-numbers Redmond +14255556679')
if (Test-CallopsStepDone -Step 4) {
    Write-Host '    done by an earlier run: skipped'
} elseif (Test-CallopsEmergencyNumbers -Identity 'Redmond' -Unlisted '+14255556679') {
    Set-CsTeamsSharedCallingRoutingPolicy -Identity 'Redmond' -EmergencyNumbers @{add='+14255556679'}
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 4

# Step 5 of 19
Write-Host ('[{0}/{1}] {2}' -f 5, 19, 'number.set-location +14255556679 c7c5a17f-00d7-47c0-9ddb-3383229d606b')
if (Test-CallopsStepDone -Step 5) {
    Write-Host '    done by an earlier run: skipped'
} elseif (-not (Test-CallopsNumberLocation -PhoneNumber '+14255556679' -LocationId 'c7c5a17f-00d7-47c0-9ddb-3383229d606b')) {
    Set-CsPhoneNumberAssignment -PhoneNumber '+14255556679' -LocationId 'c7c5a17f-00d7-47c0-9ddb-3383229d606b'
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 5

# Step 6 of 19
Write-Host ('[{0}/{1}] {2}' -f 6, 19, 'policy.create Seattle')
if (Test-CallopsStepDone -Step 6) {
    Write-Host '    done by an earlier run: skipped'
} elseif (-not (Test-CallopsPolicy -Identity 'Seattle')) {
    New-CsTeamsSharedCallingRoutingPolicy -Identity 'Seattle' -ResourceAccount 'fa2f17ec-ebd5-43f8-81ac-959c245620fa' -Description 'Seattle’’s “new” line; it''s $(here)' -EmergencyNumbers @{add='+14255550199'}
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 6

# Step 7 of 19
Write-Host ('[{0}/{1}] {2}' -f 7, 19, 'policy.update Omaha')
if (Test-CallopsStepDone -Step 7) {
    Write-Host '    done by an earlier run: skipped'
} elseif (-not (Test-CallopsPolicyFields -Identity 'Omaha' -Description 'Omaha ‘‘front’’ desk')) {
    Set-CsTeamsSharedCallingRoutingPolicy -Identity 'Omaha' -Description 'Omaha ‘‘front’’ desk'
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 7

# Step 8 of 19
Write-Host ('[{0}/{1}] {2}' -f 8, 19, 'grant.user bob@contoso.com Seattle')
if (Test-CallopsStepDone -Step 8) {
    Write-Host '    done by an earlier run: skipped'
} elseif (-not (Test-CallopsUserPolicy -Identity 'bob@contoso.com' -PolicyName 'Seattle')) {
    Grant-CsTeamsSharedCallingRoutingPolicy -Identity 'bob@contoso.com' -PolicyName 'Seattle'
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 8

# Step 9 of 19
Write-Host ('[{0}/{1}] {2}' -f 9, 19, 'grant.user alice@contoso.com (none)')
if (Test-CallopsStepDone -Step 9) {
    Write-Host '    done by an earlier run: skipped'
} elseif (-not (Test-CallopsUserPolicy -Identity 'alice@contoso.com' -PolicyName '')) {
    Grant-CsTeamsSharedCallingRoutingPolicy -Identity 'alice@contoso.com' -PolicyName $null
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 9

# Step 10 of 19
Write-Host ('[{0}/{1}] {2}' -f 10, 19, 'grant.group 0c6f1b7e-3d2a-4f5b-9e8c-7a6b5c4d3e2f Seattle rank 2')
if (Test-CallopsStepDone -Step 10) {
    Write-Host '    done by an earlier run: skipped'
} elseif (-not (Test-CallopsGroupPolicy -GroupId '0c6f1b7e-3d2a-4f5b-9e8c-7a6b5c4d3e2f' -PolicyName 'Seattle' -Rank 2)) {
    Grant-CsTeamsSharedCallingRoutingPolicy -Group '0c6f1b7e-3d2a-4f5b-9e8c-7a6b5c4d3e2f' -PolicyName 'Seattle' -Rank 2
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 10

# Step 11 of 19
Write-Host ('[{0}/{1}] {2}' -f 11, 19, 'grant.group 11111111-2222-4333-8444-555555555555 Omaha rank 3')
if (Test-CallopsStepDone -Step 11) {
    Write-Host '    done by an earlier run: skipped'
} elseif (-not (Test-CallopsGroupPolicy -GroupId '11111111-2222-4333-8444-555555555555' -PolicyName 'Omaha' -Rank 3)) {
    Grant-CsTeamsSharedCallingRoutingPolicy -Group '11111111-2222-4333-8444-555555555555' -PolicyName 'Omaha' -Rank 3
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 11

# Step 12 of 19
Write-Host ('[{0}/{1}] {2}' -f 12, 19, 'grant.global Seattle')
if (Test-CallopsStepDone -Step 12) {
    Write-Host '    done by an earlier run: skipped'
} else {
    Grant-CsTeamsSharedCallingRoutingPolicy -Global -PolicyName 'Seattle'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 12

# Step 13 of 19
Write-Host ('[{0}/{1}] {2}' -f 13, 19, 'grant.user dave@contoso.com (none)')
if (Test-CallopsStepDone -Step 13) {
    Write-Host '    done by an earlier run: skipped'
} elseif (-not (Test-CallopsUserPolicy -Identity 'dave@contoso.com' -PolicyName '')) {
    Grant-CsTeamsSharedCallingRoutingPolicy -Identity 'dave@contoso.com' -PolicyName $null
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 13

# Step 14 of 19
Write-Host ('[{0}/{1}] {2}' -f 14, 19, 'grant.group 11111111-2222-4333-8444-555555555555 (none) rank 0')
if (Test-CallopsStepDone -Step 14) {
    Write-Host '    done by an earlier run: skipped'
} elseif (-not (Test-CallopsGroupPolicy -GroupId '11111111-2222-4333-8444-555555555555' -PolicyName '')) {
    Remove-CsGroupPolicyAssignment -GroupId '11111111-2222-4333-8444-555555555555' -PolicyType 'TeamsSharedCallingRoutingPolicy'
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 14

# Step 15 of 19
Write-Host ('[{0}/{1}] {2}' -f 15, 19, 'policy.delete Omaha')
if (Test-CallopsStepDone -Step 15) {
    Write-Host '    done by an earlier run: skipped'
} elseif (Test-CallopsPolicy -Identity 'Omaha') {
    Remove-CsTeamsSharedCallingRoutingPolicy -Identity 'Omaha'
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 15

# Step 16 of 19
Write-Host ('[{0}/{1}] {2}' -f 16, 19, 'number.unassign +14025551234 from ra2@contoso.com')
if (Test-CallopsStepDone -Step 16) {
    Write-Host '    done by an earlier run: skipped'
} elseif (Test-CallopsNumberHeldBy -PhoneNumber '+14025551234' -ObjectId '0b2d5c43-1e7f-4a9b-8c3d-2e4f6a8b0c1d') {
    Remove-CsPhoneNumberAssignment -Identity 'ra2@contoso.com' -PhoneNumber '+14025551234' -PhoneNumberType 'CallingPlan'
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 16

# Step 17 of 19
Write-Host ('[{0}/{1}] {2}' -f 17, 19, 'number.assign +14025551234 to ra2@contoso.com')
if (Test-CallopsStepDone -Step 17) {
    Write-Host '    done by an earlier run: skipped'
} elseif (-not (Test-CallopsNumberHeldBy -PhoneNumber '+14025551234' -ObjectId '0b2d5c43-1e7f-4a9b-8c3d-2e4f6a8b0c1d')) {
    Set-CsPhoneNumberAssignment -Identity 'ra2@contoso.com' -PhoneNumber '+14025551234' -PhoneNumberType 'CallingPlan' -LocationId '9905bca0-6fb0-11ec-84a4-25019013784a'
} elseif (-not (Test-CallopsNumberLocation -PhoneNumber '+14025551234' -LocationId '9905bca0-6fb0-11ec-84a4-25019013784a')) {
    Set-CsPhoneNumberAssignment -PhoneNumber '+14025551234' -LocationId '9905bca0-6fb0-11ec-84a4-25019013784a'
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 17

# Step 18 of 19
Write-Host ('[{0}/{1}] {2}' -f 18, 19, 'policy.update Seattle')
if (Test-CallopsStepDone -Step 18) {
    Write-Host '    done by an earlier run: skipped'
} elseif (-not (Test-CallopsPolicyFields -Identity 'Seattle' -ResourceAccount '0b2d5c43-1e7f-4a9b-8c3d-2e4f6a8b0c1d')) {
    Set-CsTeamsSharedCallingRoutingPolicy -Identity 'Seattle' -ResourceAccount '0b2d5c43-1e7f-4a9b-8c3d-2e4f6a8b0c1d'
} else {
    Write-Host '    already done: skipped'
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 18

# Step 19 of 19
Write-Host ('[{0}/{1}] {2}' -f 19, 19, 'grant.global (none)')
if (Test-CallopsStepDone -Step 19) {
    Write-Host '    done by an earlier run: skipped'
} else {
    Grant-CsTeamsSharedCallingRoutingPolicy -Global -PolicyName $null
}
Complete-CallopsStep -ScriptId $CallopsScriptId -Step 19

# ---- end ----
Write-Host ('callops {0}: done, {1} steps' -f $CallopsScript, $CallopsSteps)
