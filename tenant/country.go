package tenant

import (
	"strings"

	"github.com/callops/callops/internal/phone"
)

// countryOf is the ISO 3166-1 alpha-2 country of a number: the inventory's
// IsoCountryCode when the tenant has the number, else the libphonenumber
// region through internal/phone, as lint sees it (+1 numbers are US, CA or a
// Caribbean region by area code). It is "" when unknown; callers do not
// refuse on an unknown country.
func (s *Snapshot) countryOf(tel string) string {
	if n := s.NumberByTelephone(tel); n != nil && n.IsoCountryCode != "" {
		return strings.ToUpper(n.IsoCountryCode)
	}
	return regionOf(tel)
}

// regionOf is the region of a number, "" when libphonenumber can't tell or
// the number is non-geographic.
func regionOf(tel string) string {
	n, _ := phone.Parse(tel)
	if n.Region == "001" || n.Region == "ZZ" {
		return ""
	}
	return n.Region
}
