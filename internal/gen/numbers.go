package gen

import (
	"fmt"

	"github.com/nyaruka/phonenumbers"
)

// site is a place policies are generated for: one emergency location and the
// numbering plan area its numbers come from.
type site struct {
	key     string // location key in the desired state
	name    string // for descriptions and policy names
	country string // ISO 3166-1 alpha-2, as libphonenumber reports the area code
	npa     string // NANP area code
}

// sites are real NANP area codes of Washington State and British Columbia,
// so that numbers are valid for their region and +1 numbers of two countries
// appear (policy-number-country must tell them apart by area code).
var sites = []site{
	{key: "seattle", name: "Seattle", country: "US", npa: "206"},
	{key: "tacoma", name: "Tacoma", country: "US", npa: "253"},
	{key: "olympia", name: "Olympia", country: "US", npa: "360"},
	{key: "redmond", name: "Redmond", country: "US", npa: "425"},
	{key: "spokane", name: "Spokane", country: "US", npa: "509"},
	{key: "vancouver", name: "Vancouver", country: "CA", npa: "604"},
	{key: "surrey", name: "Surrey", country: "CA", npa: "778"},
}

// numberPool hands out unused numbers of a site, in order, skipping those
// libphonenumber does not consider valid numbers of the site's country. It
// parses with phonenumbers directly rather than internal/phone, so that
// generating a fixture does not warm the parse cache lint and plan use.
type numberPool struct {
	site     site
	exchange int // current central office code, 200..999
	line     int // next subscriber number, 0..9999
}

func newNumberPool(s site) *numberPool {
	return &numberPool{site: s, exchange: 201, line: 100}
}

// reservedExchange reports central office codes that are not assignable: N11
// service codes, 555 (mostly fictional), 950 and 958/959 (carrier access and
// test), 976 (premium).
func reservedExchange(x int) bool {
	return x%100 == 11 || x == 555 || x == 950 || x == 958 || x == 959 || x == 976
}

// next returns the pool's next valid number in E.164.
func (p *numberPool) next() (string, error) {
	for tries := 0; tries < 100000; tries++ {
		if p.line > 9999 {
			p.line = 100
			p.exchange++
		}
		for p.exchange <= 999 && reservedExchange(p.exchange) {
			p.exchange++
		}
		if p.exchange > 999 {
			return "", fmt.Errorf("area code %s has no numbers left", p.site.npa)
		}
		n := fmt.Sprintf("+1%s%03d%04d", p.site.npa, p.exchange, p.line)
		p.line++
		if validFor(n, p.site.country) {
			return n, nil
		}
	}
	return "", fmt.Errorf("area code %s: no valid number found", p.site.npa)
}

// validFor reports whether libphonenumber considers n a valid number of
// region country.
func validFor(n, country string) bool {
	pn, err := phonenumbers.Parse(n, "")
	if err != nil || !phonenumbers.IsValidNumber(pn) {
		return false
	}
	return phonenumbers.GetRegionCodeForNumber(pn) == country
}
