package phone

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in      string
		want    Number
		wantErr error
	}{
		{"+14255550100", Number{Base: "+14255550100", CountryCode: 1, Region: "US", Valid: true}, nil},
		{"+12063459000", Number{Base: "+12063459000", CountryCode: 1, Region: "US", Valid: true}, nil},
		// Vancouver area code: NANP, but Canada.
		{"+16045551234", Number{Base: "+16045551234", CountryCode: 1, Region: "CA", Valid: true}, nil},
		// Jamaica, a Caribbean NANP region told apart by area code.
		{"+18762345678", Number{Base: "+18762345678", CountryCode: 1, Region: "JM", Valid: true}, nil},
		{"+18005550100", Number{Base: "+18005550100", CountryCode: 1, Region: "US", Valid: true, TollFree: true}, nil},
		{"+18885550100", Number{Base: "+18885550100", CountryCode: 1, Region: "US", Valid: true, TollFree: true}, nil},
		{"+442079460000", Number{Base: "+442079460000", CountryCode: 44, Region: "GB", Valid: true}, nil},
		{"+49301234567", Number{Base: "+49301234567", CountryCode: 49, Region: "DE", Valid: true}, nil},
		{"+61291234567", Number{Base: "+61291234567", CountryCode: 61, Region: "AU", Valid: true}, nil},
		{"+611800123456", Number{Base: "+611800123456", CountryCode: 61, Region: "AU", Valid: true, TollFree: true}, nil},
		// Extension dialing (Direct Routing): the base is checked, the extension kept.
		{"+14255550100;ext=6789", Number{Base: "+14255550100", Ext: "6789", CountryCode: 1, Region: "US", Valid: true}, nil},
		// The seed note's numbers: 9 digits after +1.
		{"+1425555432", Number{Base: "+1425555432", CountryCode: 1}, ErrInvalid},
		{"+1425555433", Number{Base: "+1425555433", CountryCode: 1}, ErrInvalid},
		// 222 is not an assigned NANP area code.
		{"+12223334444", Number{Base: "+12223334444", CountryCode: 1}, ErrInvalid},
		{"14255550100", Number{}, ErrNotE164},
		{"+1 425 555 0100", Number{}, ErrNotE164},
		{"+1234567", Number{}, ErrNotE164},            // 7 digits
		{"+1234567890123456", Number{}, ErrNotE164},   // 16 digits
		{"+04255550100", Number{}, ErrNotE164},        // country code 0
		{"+14255550100;ext=", Number{}, ErrNotE164},   // empty extension
		{"+14255550100;ext=1a", Number{}, ErrNotE164}, // non-digit extension
		{"", Number{}, ErrNotE164},
		{"+", Number{}, ErrNotE164},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := Parse(tt.in)
			if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
				t.Fatalf("Parse(%q) error = %v, want %v", tt.in, err, tt.wantErr)
			}
			if d := cmp.Diff(tt.want, got); d != "" {
				t.Errorf("Parse(%q) mismatch (-want +got):\n%s", tt.in, d)
			}
		})
	}
}

func TestNumberString(t *testing.T) {
	for _, s := range []string{"+14255550100", "+14255550100;ext=6789"} {
		n, err := Parse(s)
		if err != nil {
			t.Fatal(err)
		}
		if n.String() != s {
			t.Errorf("Parse(%q).String() = %q", s, n.String())
		}
	}
	n, _ := Parse("+1425555432")
	if got := n.CountryRegion(); got != "US" {
		t.Errorf("CountryRegion of +1425555432 = %q, want US", got)
	}
}

func TestNormalize(t *testing.T) {
	tests := []struct {
		in, want string
		wantErr  bool
	}{
		{"+1 (425) 555-0100", "+14255550100", false},
		{"+1 425-555-0100", "+14255550100", false},
		{"+1.425.555.0100", "+14255550100", false},
		{"  +14255550100 ", "+14255550100", false},
		{"tel:+14255550100", "+14255550100", false},
		{"TEL:+1 425 555 0100;EXT=12", "+14255550100;ext=12", false},
		{"+1 222-333-4444;ext=6789", "+12223334444;ext=6789", false},
		{"+44 20 7946 0000", "+442079460000", false},
		{"425-555-0100", "", true},
		{"+1 425 555 0100 x12", "", true},
		{"+1-425-CALL-NOW", "", true},
		{"++14255550100", "", true},
		{"+14255550100;ext=", "", true},
	}
	for _, tt := range tests {
		got, err := Normalize(tt.in)
		if (err != nil) != tt.wantErr {
			t.Errorf("Normalize(%q) error = %v, want error %v", tt.in, err, tt.wantErr)
			continue
		}
		if tt.wantErr && !errors.Is(err, ErrNotE164) {
			t.Errorf("Normalize(%q) error = %v, want it to wrap ErrNotE164", tt.in, err)
		}
		if got != tt.want {
			t.Errorf("Normalize(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseAll(t *testing.T) {
	var c Cache
	var in []string
	for i := 0; i < 500; i++ {
		in = append(in, fmt.Sprintf("+1425555%04d", i%300)) // 300 distinct
	}
	in = append(in, "+1425555432", "bad")
	got := c.ParseAll(in)
	if len(got) != 302 {
		t.Fatalf("ParseAll returned %d entries, want 302", len(got))
	}
	if c.Len() != 302 {
		t.Errorf("cache holds %d entries, want 302", c.Len())
	}
	for _, s := range in {
		n, err := parse(s)
		want := Info{n, err}
		g := got[s]
		if d := cmp.Diff(want.Number, g.Number); d != "" || fmt.Sprint(want.Err) != fmt.Sprint(g.Err) {
			t.Fatalf("ParseAll[%q] = %+v, want %+v", s, g, want)
		}
	}
	if !errors.Is(got["bad"].Err, ErrNotE164) || !errors.Is(got["+1425555432"].Err, ErrInvalid) {
		t.Errorf("errors not kept: %v, %v", got["bad"].Err, got["+1425555432"].Err)
	}
	// A second call is served from the cache and gives the same answer.
	again := c.ParseAll(in[:10])
	for _, s := range in[:10] {
		if again[s] != got[s] {
			t.Errorf("second ParseAll[%q] = %+v, want %+v", s, again[s], got[s])
		}
	}
}

func TestCacheConcurrent(t *testing.T) {
	var c Cache
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 100; i++ {
				s := fmt.Sprintf("+1206345%04d", (i*7+g)%150)
				if n, err := c.Parse(s); err != nil || n.Region != "US" {
					t.Errorf("Parse(%q) = %+v, %v", s, n, err)
					return
				}
			}
			c.ParseAll([]string{"+442079460000", "+49301234567"})
		}(g)
	}
	wg.Wait()
}

func BenchmarkParseAll(b *testing.B) {
	in := make([]string, 20000)
	for i := range in {
		in[i] = fmt.Sprintf("+1425%07d", 2000000+i)
	}
	for b.Loop() {
		var c Cache
		c.ParseAll(in)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"+14255550100", "+14255550100;ext=1", "+1425555432", "", "+", ";ext=", "+1;ext=;ext=2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parse(s)
		if err == nil && CheckE164(n.String()) != nil {
			t.Errorf("Parse(%q) accepted a number whose String %q is not E.164", s, n.String())
		}
		if err != nil && !errors.Is(err, ErrNotE164) && !errors.Is(err, ErrInvalid) {
			t.Errorf("Parse(%q) error %v wraps neither ErrNotE164 nor ErrInvalid", s, err)
		}
		if _, err := Normalize(s); err != nil && !errors.Is(err, ErrNotE164) {
			t.Errorf("Normalize(%q) error %v does not wrap ErrNotE164", s, err)
		}
	})
}

// TestParseAllConcurrentOnce: ParseAll calls running at once on overlapping
// numbers (the state's and the desired state's, on two goroutines) parse
// each number once, and each gets every result.
func TestParseAllConcurrentOnce(t *testing.T) {
	var c Cache
	var nums []string
	for i := range 600 {
		nums = append(nums, fmt.Sprintf("+1425555%04d", i))
	}
	before := parses.Load()
	var wg sync.WaitGroup
	results := make([]map[string]Info, 3)
	for g := range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[g] = c.ParseAll(nums[g*100 : g*100+400])
		}()
	}
	wg.Wait()
	n, err := c.Parse(nums[150])
	if got := parses.Load() - before; got != 600 {
		t.Errorf("parsed %d times, want 600 (each distinct number once)", got)
	}
	for g, r := range results {
		if len(r) != 400 {
			t.Errorf("goroutine %d: %d results, want 400", g, len(r))
		}
		for _, s := range nums[g*100 : g*100+400] {
			if r[s].Number.Base != s || r[s].Err != nil {
				t.Errorf("goroutine %d: %s -> %+v", g, s, r[s])
			}
		}
	}
	if err != nil || n.Base != nums[150] {
		t.Errorf("Parse(%s) = %+v, %v", nums[150], n, err)
	}
}

// TestParsePanicIsInvalid: a panic inside libphonenumber, on any of the
// goroutines ParseAll uses, makes the number invalid instead of taking the
// process down, and the numbers it was parsed with still come back.
func TestParsePanicIsInvalid(t *testing.T) {
	orig := describeNumber
	t.Cleanup(func() { describeNumber = orig })
	const bad = "+14255550199"
	describeNumber = func(s, base string) (Number, error) {
		if base == bad {
			panic("index out of range")
		}
		return orig(s, base)
	}
	var c Cache
	nums := []string{bad}
	for i := range 2 * parallelThreshold {
		nums = append(nums, fmt.Sprintf("+1425555%04d", 1000+i))
	}
	got := c.ParseAll(nums)
	in := got[bad]
	if !errors.Is(in.Err, ErrInvalid) || !strings.Contains(in.Err.Error(), "libphonenumber failed on it: index out of range") {
		t.Errorf("ParseAll(%s).Err = %v, want ErrInvalid naming the failure", bad, in.Err)
	}
	if in.Number.Valid || in.Number.Base != bad {
		t.Errorf("ParseAll(%s).Number = %+v, want an invalid number with its base", bad, in.Number)
	}
	if ok := got["+14255551000"]; ok.Err != nil || !ok.Number.Valid {
		t.Errorf("a number parsed beside it = %+v", ok)
	}
	if _, err := c.Parse(bad); !errors.Is(err, ErrInvalid) {
		t.Errorf("Parse(%s) after = %v, want the cached ErrInvalid", bad, err)
	}
}
