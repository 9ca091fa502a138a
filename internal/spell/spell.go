// Package spell measures how far apart two words are, for "did you mean"
// hints (an unknown field of the desired state, an unknown command). It
// imports only the standard library.
package spell

// Distance is the Levenshtein distance of a and b, counted in bytes: the
// words compared are field and command names, short and ASCII, so the
// quadratic table costs nothing.
func Distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
