package tenant

import (
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// countryOf is the ISO 3166-1 alpha-2 country of a number: the inventory's
// IsoCountryCode when the tenant has the number, else the libphonenumber
// region (+1 numbers are US, CA or a Caribbean region by area code). It is
// "" when unknown; callers do not refuse on an unknown country.
func (s *Snapshot) countryOf(tel string) string {
	if n := s.NumberByTelephone(tel); n != nil && n.IsoCountryCode != "" {
		return strings.ToUpper(n.IsoCountryCode)
	}
	return regionOf(tel)
}

// regionOf is the libphonenumber region of an E.164 number (an ";ext="
// suffix ignored), "" when it has none.
func regionOf(tel string) string {
	if i := strings.IndexByte(tel, ';'); i >= 0 {
		tel = tel[:i]
	}
	pn, err := phonenumbers.Parse(tel, "")
	if err != nil {
		return ""
	}
	r := phonenumbers.GetRegionCodeForNumber(pn)
	if r == "ZZ" {
		return ""
	}
	return r
}
