// Package phone parses and checks the telephone numbers callops handles: E.164
// numbers ("+" and 8 to 15 digits), optionally followed by ";ext=digits" (Direct
// Routing extension dialing). It adds what libphonenumber knows about a number
// (validity for its region, the region, whether it is toll-free) and memoizes
// the result, because libphonenumber costs tens of microseconds a number and a
// tenant holds tens of thousands of them.
//
// It never prints, never panics on bad input, and imports only the standard
// library and github.com/nyaruka/phonenumbers.
package phone

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"

	"github.com/nyaruka/phonenumbers"
)

// ExtSeparator separates a number from its extension, as Teams writes it
// ("+12223334444;ext=6789").
const ExtSeparator = ";ext="

// Errors that Parse wraps; callers branch on them with errors.Is.
var (
	// ErrNotE164 reports a string that is not "+" and 8 to 15 digits,
	// optionally followed by ";ext=" and digits.
	ErrNotE164 = errors.New("not an E.164 number")
	// ErrInvalid reports an E.164 number that libphonenumber does not
	// consider valid for its region (wrong length, unassigned prefix).
	ErrInvalid = errors.New("not a valid number for its region")
)

// Number is a parsed telephone number.
type Number struct {
	// Base is the E.164 number without its extension: "+14255550100".
	Base string
	// Ext is the extension's digits, empty when there is none.
	Ext string
	// CountryCode is the calling code: 1 for NANP, 44 for the UK.
	CountryCode int
	// Region is the ISO 3166-1 alpha-2 region of the number ("US", "CA",
	// "JM" for +1 876), "001" for non-geographic numbers, empty when
	// libphonenumber cannot tell (an invalid number).
	Region string
	// Valid reports whether libphonenumber considers the number valid for
	// its region.
	Valid bool
	// TollFree reports whether the number is a toll-free number.
	TollFree bool
}

// String returns the number in canonical form: Base, followed by ";ext=" and
// Ext when there is an extension.
func (n Number) String() string {
	if n.Ext == "" {
		return n.Base
	}
	return n.Base + ExtSeparator + n.Ext
}

// HasExt reports whether the number carries an extension. A number with an
// extension is a different number from its base.
func (n Number) HasExt() bool { return n.Ext != "" }

// CountryRegion returns the main region of the number's country calling code
// ("US" for +1, "GB" for +44). Unlike Region it is known for invalid numbers
// too, which makes it useful in messages.
func (n Number) CountryRegion() string {
	if n.CountryCode == 0 {
		return ""
	}
	return phonenumbers.GetRegionCodeForCountryCode(n.CountryCode)
}

// Split separates s into its base and its extension at ";ext=" without
// checking either. ext is empty when s has no extension.
func Split(s string) (base, ext string) {
	if i := strings.Index(s, ExtSeparator); i >= 0 {
		return s[:i], s[i+len(ExtSeparator):]
	}
	return s, ""
}

// CheckE164 checks the syntax of s only: "+" and 8 to 15 digits, optionally
// followed by ";ext=" and 1 to 15 digits. The returned error wraps ErrNotE164.
func CheckE164(s string) error {
	base, ext := Split(s)
	if !strings.HasPrefix(base, "+") {
		return fmt.Errorf("%q: %w (it must start with +)", s, ErrNotE164)
	}
	digits := base[1:]
	if !allDigits(digits) {
		return fmt.Errorf("%q: %w (only digits may follow the +)", s, ErrNotE164)
	}
	if len(digits) < 8 || len(digits) > 15 {
		return fmt.Errorf("%q: %w (it has %d digits after the +, want 8 to 15)", s, ErrNotE164, len(digits))
	}
	if digits[0] == '0' {
		return fmt.Errorf("%q: %w (a country code never starts with 0)", s, ErrNotE164)
	}
	if strings.Contains(s, ExtSeparator) && (ext == "" || len(ext) > 15 || !allDigits(ext)) {
		return fmt.Errorf("%q: %w (the extension must be 1 to 15 digits)", s, ErrNotE164)
	}
	return nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Parse parses an E.164 number with an optional ";ext=digits" extension.
//
// A string that is not E.164 gives the zero Number and an error wrapping
// ErrNotE164. A well-formed number that libphonenumber finds invalid gives the
// Number (Valid false, Region usually empty) and an error wrapping ErrInvalid,
// so that callers that only need the syntax can go on. Results are memoized in
// a process-wide cache (see Cache); Parse is safe for concurrent use.
func Parse(s string) (Number, error) {
	return defaultCache.Parse(s)
}

// parses counts calls of parse (tests check that concurrent ParseAll calls
// parse each number once).
var parses atomic.Int64

// parse is Parse without the cache.
func parse(s string) (Number, error) {
	parses.Add(1)
	if err := CheckE164(s); err != nil {
		return Number{}, err
	}
	base, ext := Split(s)
	n, err := describe(s, base)
	n.Base, n.Ext = base, ext
	return n, err
}

// describeNumber asks libphonenumber about base, an E.164 number without
// extension (a variable: tests make it panic).
var describeNumber = func(s, base string) (Number, error) {
	pn, err := phonenumbers.Parse(base, "")
	if err != nil {
		// The syntax check above makes this rare (an unknown country code).
		return Number{}, fmt.Errorf("%q: %w (%v)", s, ErrInvalid, err)
	}
	// GetNumberType finds the number's region and matches it against
	// that region's patterns; a number is valid exactly when it matches
	// one (IsValidNumber does the same work, and a separate call for each
	// fact tripled the cost: for +1 the region is found by trying each of
	// the NANP regions' patterns).
	typ := phonenumbers.GetNumberType(pn)
	n := Number{
		CountryCode: int(pn.GetCountryCode()),
		Valid:       typ != phonenumbers.UNKNOWN,
		TollFree:    typ == phonenumbers.TOLL_FREE,
	}
	if !n.Valid {
		return n, fmt.Errorf("%q: %w (country code +%d)", s, ErrInvalid, n.CountryCode)
	}
	n.Region = phonenumbers.GetRegionCodeForNumber(pn)
	return n, nil
}

// describe is describeNumber, with a panic in libphonenumber turned into
// ErrInvalid: a number the library cannot handle is reported as a finding,
// it does not take callops down (with numbers parsed on several goroutines,
// nothing else could recover it).
func describe(s, base string) (n Number, err error) {
	defer func() {
		if r := recover(); r != nil {
			n, err = Number{}, fmt.Errorf("%q: %w (libphonenumber failed on it: %v)", s, ErrInvalid, r)
		}
	}()
	return describeNumber(s, base)
}
