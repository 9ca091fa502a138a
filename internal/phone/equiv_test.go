package phone

import (
	"fmt"
	"testing"

	"github.com/nyaruka/phonenumbers"
)

// TestValidityMatchesLibrary: Valid, Region and TollFree, computed from one
// GetNumberType, agree with the library's own IsValidNumber,
// GetRegionCodeForNumber and GetNumberType over a sweep of NANP and other
// numbers.
func TestValidityMatchesLibrary(t *testing.T) {
	var nums []string
	for _, cc := range []string{"1206", "1425", "1604", "1800", "1876", "1555", "1242", "44207", "4930", "61291", "8190", "35312"} {
		for i := 0; i < 40; i++ {
			nums = append(nums, fmt.Sprintf("+%s%07d", cc, i*249979%10000000))
		}
	}
	valid, tollFree := 0, 0
	for _, s := range nums {
		pn, err := phonenumbers.Parse(s, "")
		if err != nil {
			continue
		}
		n, _ := parse(s)
		want := phonenumbers.IsValidNumber(pn)
		if n.Valid != want {
			t.Errorf("%s: Valid %v, library %v", s, n.Valid, want)
		}
		if want {
			valid++
			if n.TollFree {
				tollFree++
			}
			if r := phonenumbers.GetRegionCodeForNumber(pn); n.Region != r {
				t.Errorf("%s: Region %q, library %q", s, n.Region, r)
			}
			if tf := phonenumbers.GetNumberType(pn) == phonenumbers.TOLL_FREE; n.TollFree != tf {
				t.Errorf("%s: TollFree %v, library %v", s, n.TollFree, tf)
			}
		}
	}
	if valid < 100 || tollFree == 0 {
		t.Errorf("sweep too thin: %d valid, %d toll-free numbers", valid, tollFree)
	}
}
