#Requires -Version 5.1
#Requires -Modules @{ModuleName='MicrosoftTeams'; ModuleVersion='5.5.0'}
<#
.SYNOPSIS
Exports a tenant's Shared Calling state for 'callops import'.

.DESCRIPTION
Writes one JSON file per cmdlet into -OutDir, each an array of objects
(ConvertTo-Json -Depth 5), UTF-8:

  policies.json            Get-CsTeamsSharedCallingRoutingPolicy
  numbers.json             Get-CsPhoneNumberAssignment (every page, -Top 1000 -Skip n)
  resource-accounts.json   Get-CsOnlineApplicationInstance
  locations.json           Get-CsOnlineLisLocation
  users.json               Get-CsOnlineUser (UserPrincipalName, Identity,
                           EnterpriseVoiceEnabled, LineUri,
                           TeamsSharedCallingRoutingPolicy)
  group-assignments.json   Get-CsGroupPolicyAssignment -PolicyType TeamsSharedCallingRoutingPolicy
  tenant.json              the tenant's domain, its id, the tenant default
                           (-TenantDefault) and the Global policy instance

Enums are written as their names in both Windows PowerShell 5.1 (whose
ConvertTo-Json writes enums as integers) and PowerShell 7. Run it in a
session connected with Connect-MicrosoftTeams; it only reads.

.PARAMETER OutDir
The directory to write the files into (created if missing).

.PARAMETER TenantDefault
The policy granted tenant-wide with Grant-CsTeamsSharedCallingRoutingPolicy
-Global, when it is not the built-in Global instance. The module has no
cmdlet that reads it back, so say it here; leave it out for Global.

.EXAMPLE
Connect-MicrosoftTeams
./scripts/Export-CallopsState.ps1 -OutDir ./export
callops import ./export --out callops.state.json
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory = $true)]
    [string]$OutDir,

    [string]$TenantDefault = ''
)

$ErrorActionPreference = 'Stop'

try {
    $tenant = Get-CsTenant
} catch {
    throw 'Export-CallopsState: no Microsoft Teams session: run Connect-MicrosoftTeams first'
}

# ConvertTo-CallopsValue turns a property value into what JSON should hold:
# enums as names, GUIDs as strings, collections as arrays of those.
function ConvertTo-CallopsValue {
    param($Value)
    if ($null -eq $Value) { return $null }
    if ($Value -is [enum]) { return $Value.ToString() }
    if ($Value -is [guid]) { return $Value.ToString() }
    if ($Value -is [string] -or $Value -is [bool] -or $Value -is [int] -or $Value -is [long]) { return $Value }
    if ($Value -is [System.Collections.IEnumerable]) {
        $items = @()
        foreach ($item in $Value) { $items += , (ConvertTo-CallopsValue $item) }
        return , $items
    }
    return $Value.ToString()
}

# Select-CallopsRecord keeps the named properties of each object, converted.
function Select-CallopsRecord {
    param([object[]]$InputObject, [string[]]$Property)
    $records = New-Object System.Collections.Generic.List[object]
    foreach ($o in $InputObject) {
        if ($null -eq $o) { continue }
        $r = [ordered]@{}
        foreach ($p in $Property) {
            $v = $null
            if ($null -ne $o.PSObject.Properties[$p]) { $v = $o.$p }
            $r[$p] = ConvertTo-CallopsValue $v
        }
        $records.Add([pscustomobject]$r)
    }
    return , $records.ToArray()
}

# Write-CallopsJson writes the records as a JSON array (also when there is
# one record or none).
function Write-CallopsJson {
    param([string]$Name, [object[]]$Records)
    $path = Join-Path $OutDir $Name
    $json = ConvertTo-Json -InputObject @($Records) -Depth 5
    if ($null -eq $json -or $json -eq '') { $json = '[]' }
    [System.IO.File]::WriteAllText($path, $json + [Environment]::NewLine, (New-Object System.Text.UTF8Encoding $false))
    Write-Host ('wrote {0}: {1} objects' -f $path, @($Records).Count)
}

if (-not (Test-Path -LiteralPath $OutDir)) {
    $null = New-Item -ItemType Directory -Path $OutDir
}
$OutDir = (Resolve-Path -LiteralPath $OutDir).Path

# Policies, including the Global instance.
$policies = @(Get-CsTeamsSharedCallingRoutingPolicy)
Write-CallopsJson 'policies.json' (Select-CallopsRecord $policies 'Identity', 'Description', 'ResourceAccount', 'EmergencyNumbers')

# Numbers: at most 1000 a call; page until a page is short.
$numbers = New-Object System.Collections.Generic.List[object]
$skip = 0
do {
    $page = @(Get-CsPhoneNumberAssignment -Top 1000 -Skip $skip)
    foreach ($n in $page) { $numbers.Add($n) }
    $skip += $page.Count
} while ($page.Count -eq 1000)
Write-CallopsJson 'numbers.json' (Select-CallopsRecord $numbers.ToArray() 'TelephoneNumber', 'NumberType', 'IsoCountryCode', 'LocationId', 'CivicAddressId', 'AssignedPstnTargetId', 'PstnAssignmentStatus', 'Capability', 'NumberSource', 'ActivationState')

$accounts = @(Get-CsOnlineApplicationInstance)
Write-CallopsJson 'resource-accounts.json' (Select-CallopsRecord $accounts 'ObjectId', 'UserPrincipalName', 'DisplayName', 'ApplicationId', 'PhoneNumber')

$locations = @(Get-CsOnlineLisLocation)
Write-CallopsJson 'locations.json' (Select-CallopsRecord $locations 'LocationId', 'CivicAddressId', 'CountryOrRegion', 'Description', 'Location', 'City')

$users = @(Get-CsOnlineUser -ResultSize Unlimited)
# Identity is the user's object id in current module versions; ObjectId is
# written too for versions where Identity is a distinguished name.
Write-CallopsJson 'users.json' (Select-CallopsRecord $users 'UserPrincipalName', 'Identity', 'ObjectId', 'EnterpriseVoiceEnabled', 'LineUri', 'TeamsSharedCallingRoutingPolicy')

$groups = @(Get-CsGroupPolicyAssignment -PolicyType TeamsSharedCallingRoutingPolicy)
Write-CallopsJson 'group-assignments.json' (Select-CallopsRecord $groups 'GroupId', 'PolicyType', 'PolicyName', 'Rank')

# The tenant: its initial domain (name.onmicrosoft.com), the tenant default
# and the Global instance.
$domain = ''
$domains = @()
if ($null -ne $tenant.PSObject.Properties['VerifiedDomains']) { $domains = @($tenant.VerifiedDomains | ForEach-Object { if ($_ -is [string]) { $_ } else { $_.Name } }) }
$initial = @($domains | Where-Object { $_ -like '*.onmicrosoft.com' -and $_ -notlike '*.mail.onmicrosoft.com' })
if ($initial.Count -gt 0) { $domain = $initial[0] } elseif ($domains.Count -gt 0) { $domain = $domains[0] }
$global = @($policies | Where-Object { ([string]$_.Identity) -eq 'Global' })
$info = [ordered]@{
    Domain        = $domain
    TenantId      = ConvertTo-CallopsValue $tenant.TenantId
    GlobalPolicy  = $TenantDefault
    Global        = $null
}
if ($global.Count -gt 0) { $info.Global = (Select-CallopsRecord $global 'Identity', 'Description', 'ResourceAccount', 'EmergencyNumbers')[0] }
Write-CallopsJson 'tenant.json' @([pscustomobject]$info)
