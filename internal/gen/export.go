package gen

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/callops/callops/tenant"
)

// The shapes below are what PowerShell 7's `ConvertTo-Json -Depth 5` writes
// for the MicrosoftTeams cmdlets' objects (DESIGN.md section 3): PascalCase
// properties, enums as strings, $null for absent values, "Tag:" on policy
// identities and "tel:" on line URIs. Only a representative subset of each
// object's properties is written.

type psPolicy struct {
	Identity         string   `json:"Identity"`
	Description      string   `json:"Description"`
	ResourceAccount  *string  `json:"ResourceAccount"`
	EmergencyNumbers []string `json:"EmergencyNumbers"`
}

type psNumber struct {
	TelephoneNumber         string   `json:"TelephoneNumber"`
	OperatorID              *string  `json:"OperatorId"`
	NumberType              string   `json:"NumberType"`
	ActivationState         string   `json:"ActivationState"`
	AssignedPstnTargetID    *string  `json:"AssignedPstnTargetId"`
	AssignmentCategory      *string  `json:"AssignmentCategory"`
	Capability              []string `json:"Capability"`
	City                    *string  `json:"City"`
	CivicAddressID          *string  `json:"CivicAddressId"`
	IsoCountryCode          string   `json:"IsoCountryCode"`
	IsoSubdivision          *string  `json:"IsoSubdivision"`
	LocationID              *string  `json:"LocationId"`
	LocationUpdateSupported bool     `json:"LocationUpdateSupported"`
	NetworkSiteID           *string  `json:"NetworkSiteId"`
	PortInOrderStatus       *string  `json:"PortInOrderStatus"`
	PstnAssignmentStatus    string   `json:"PstnAssignmentStatus"`
	PstnPartnerID           *string  `json:"PstnPartnerId"`
	PstnPartnerName         string   `json:"PstnPartnerName"`
	NumberSource            string   `json:"NumberSource"`
	ReverseNumberLookup     []string `json:"ReverseNumberLookup"`
	Tag                     []string `json:"Tag"`
}

type psResourceAccount struct {
	ObjectID          string  `json:"ObjectId"`
	TenantID          string  `json:"TenantId"`
	UserPrincipalName string  `json:"UserPrincipalName"`
	ApplicationID     string  `json:"ApplicationId"`
	DisplayName       string  `json:"DisplayName"`
	PhoneNumber       *string `json:"PhoneNumber"`
}

type psLocation struct {
	LocationID      string  `json:"LocationId"`
	CivicAddressID  string  `json:"CivicAddressId"`
	CountryOrRegion string  `json:"CountryOrRegion"`
	Description     string  `json:"Description"`
	City            string  `json:"City"`
	Location        *string `json:"Location"`
}

type psUser struct {
	Identity                        string  `json:"Identity"`
	UserPrincipalName               string  `json:"UserPrincipalName"`
	DisplayName                     string  `json:"DisplayName"`
	EnterpriseVoiceEnabled          bool    `json:"EnterpriseVoiceEnabled"`
	LineURI                         *string `json:"LineUri"`
	TeamsSharedCallingRoutingPolicy *string `json:"TeamsSharedCallingRoutingPolicy"`
}

type psGroupAssignment struct {
	GroupID     string `json:"GroupId"`
	PolicyType  string `json:"PolicyType"`
	PolicyName  string `json:"PolicyName"`
	Rank        int    `json:"Rank"`
	CreatedTime string `json:"CreatedTime"`
	CreatedBy   string `json:"CreatedBy"`
}

type psTenant struct {
	Domain       string `json:"Domain"`
	GlobalPolicy string `json:"GlobalPolicy"`
}

// ApplicationID is the application id of Teams resource accounts of the
// Shared Calling kind (the auto attendant application).
const applicationID = "ce933385-9390-45d1-9512-c8d228074e07"

func ptr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// ExportFiles returns the current state as the PowerShell export directory
// `callops import` reads: file name -> content. Numbers follow the state's
// order; the Global policy instance comes first, as the cmdlet lists it.
func (t *Tenant) ExportFiles() (map[string][]byte, error) {
	s := t.State
	tenantID := "72f988bf-86f1-41af-91ab-2d7cd011db47"
	cities := map[string]string{}
	for _, l := range t.Locations {
		cities[l.ID] = strings.TrimSuffix(l.Description, " office")
	}

	policies := []psPolicy{{Identity: "Global", EmergencyNumbers: []string{}}}
	for _, p := range s.Policies {
		policies = append(policies, psPolicy{
			Identity: "Tag:" + p.Identity, Description: p.Description,
			ResourceAccount: ptr(p.ResourceAccount), EmergencyNumbers: p.EmergencyNumbers,
		})
	}

	held := make(map[string]string, len(s.Numbers))
	numbers := make([]psNumber, 0, len(s.Numbers))
	partner := "Microsoft"
	for _, n := range s.Numbers {
		if n.AssignedPstnTargetID != "" {
			held[n.AssignedPstnTargetID] = n.TelephoneNumber
		}
		pn := psNumber{
			TelephoneNumber: n.TelephoneNumber, NumberType: n.NumberType, ActivationState: "Activated",
			AssignedPstnTargetID: ptr(n.AssignedPstnTargetID), Capability: n.Capability,
			City: ptr(cities[n.LocationID]), IsoCountryCode: n.IsoCountryCode, LocationID: ptr(n.LocationID),
			LocationUpdateSupported: true, PstnAssignmentStatus: n.PstnAssignmentStatus,
			PstnPartnerName: partner, NumberSource: n.NumberSource,
			ReverseNumberLookup: []string{}, Tag: []string{},
		}
		if n.AssignedPstnTargetID != "" {
			pn.AssignmentCategory = ptr("Primary")
		}
		if n.NumberType == tenant.TypeOperatorConnect {
			pn.PstnPartnerName = "Contoso Telecom"
			pn.OperatorID = ptr("2f2d1c1d-5a3a-4b25-9b5e-3d3c2c1b0a09")
		}
		numbers = append(numbers, pn)
	}

	ras := make([]psResourceAccount, 0, len(s.ResourceAccounts))
	for _, ra := range s.ResourceAccounts {
		var line *string
		if n := held[ra.ObjectID]; n != "" {
			line = ptr("tel:" + n)
		}
		ras = append(ras, psResourceAccount{
			ObjectID: ra.ObjectID, TenantID: tenantID, UserPrincipalName: ra.UserPrincipalName,
			ApplicationID: applicationID, DisplayName: ra.DisplayName, PhoneNumber: line,
		})
	}

	locations := make([]psLocation, 0, len(s.Locations))
	for _, l := range s.Locations {
		locations = append(locations, psLocation{
			LocationID: l.LocationID, CivicAddressID: l.LocationID, CountryOrRegion: l.CountryOrRegion,
			Description: l.Description, City: cities[l.LocationID],
		})
	}

	users := make([]psUser, 0, len(s.Users))
	for _, u := range s.Users {
		var line *string
		if n := held[u.ObjectID]; n != "" {
			line = ptr("tel:" + n)
		}
		users = append(users, psUser{
			Identity: u.ObjectID, UserPrincipalName: u.UserPrincipalName,
			DisplayName: strings.TrimSuffix(u.UserPrincipalName, "@"+UPNDomain), EnterpriseVoiceEnabled: u.EnterpriseVoiceEnabled,
			LineURI: line, TeamsSharedCallingRoutingPolicy: ptr(u.SharedCallingPolicy),
		})
	}

	groups := make([]psGroupAssignment, 0, len(s.GroupAssignments))
	for _, g := range s.GroupAssignments {
		groups = append(groups, psGroupAssignment{
			GroupID: g.GroupID, PolicyType: "TeamsSharedCallingRoutingPolicy", PolicyName: g.PolicyName, Rank: g.Rank,
			CreatedTime: "2026-01-05T09:30:00Z", CreatedBy: "admin@" + UPNDomain,
		})
	}
	sort.Slice(groups, func(i, j int) bool { return groups[i].Rank < groups[j].Rank })

	out := map[string]any{
		"policies.json":          policies,
		"numbers.json":           numbers,
		"resource-accounts.json": ras,
		"locations.json":         locations,
		"users.json":             users,
		"group-assignments.json": groups,
		"tenant.json":            psTenant{Domain: s.Tenant.Domain, GlobalPolicy: s.Tenant.GlobalPolicy},
	}
	files := make(map[string][]byte, len(out))
	for name, v := range out {
		b, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("encoding %s: %w", name, err)
		}
		files[name] = append(b, '\n')
	}
	return files, nil
}

// WriteExport writes ExportFiles into dir, creating it.
func (t *Tenant) WriteExport(dir string) error {
	files, err := t.ExportFiles()
	if err != nil {
		return fmt.Errorf("writing export: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("writing export: %w", err)
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			return fmt.Errorf("writing export: %w", err)
		}
	}
	return nil
}
