package phone

import (
	"fmt"
	"strings"
)

// Normalize rewrites a number as people write it into E.164:
// "+1 (425) 555-0100", "+1 425-555-0100", "+1.425.555.0100" and
// "tel:+14255550100" all become "+14255550100". An extension written as
// ";ext=N" (any case) is kept as ";ext=N". Normalize checks the syntax of the
// result (CheckE164) but not its validity for the region; use Parse for that.
func Normalize(s string) (string, error) {
	t := strings.TrimSpace(s)
	if len(t) >= 4 && strings.EqualFold(t[:4], "tel:") {
		t = t[4:]
	}
	var ext string
	hasExt := false
	if i := indexASCIIFold(t, ExtSeparator); i >= 0 {
		hasExt = true
		ext = strings.TrimSpace(t[i+len(ExtSeparator):])
		t = t[:i]
	}
	var b strings.Builder
	b.Grow(len(t) + len(ext) + len(ExtSeparator))
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9', r == '+' && b.Len() == 0:
			b.WriteRune(r)
		case r == ' ', r == '-', r == '.', r == '(', r == ')', r == '/', r == '\u00a0', r == '\t':
			// Punctuation people use to group digits.
		default:
			return "", fmt.Errorf("normalizing %q: %w (unexpected %q)", s, ErrNotE164, r)
		}
	}
	if hasExt {
		b.WriteString(ExtSeparator)
		b.WriteString(ext)
	}
	out := b.String()
	if err := CheckE164(out); err != nil {
		return "", fmt.Errorf("normalizing %q: %w", s, err)
	}
	return out, nil
}

// indexASCIIFold is strings.Index ignoring ASCII case. Unlike lowering the
// whole string first it keeps byte offsets intact for any input (lowering
// invalid UTF-8 changes its length).
func indexASCIIFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(sub)], sub) {
			return i
		}
	}
	return -1
}
