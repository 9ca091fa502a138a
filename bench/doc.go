// Package bench measures callops at enterprise scale (DESIGN.md section 7):
// lint and plan of a 2,000-policy, 50,000-user tenant against their floors
// (CUE evaluation of the same files, encoding/json decoding of the same
// state), the same at 5,000 policies to show linear growth, and import and
// export of a 50,000-user tenant. Fixtures come from internal/gen.
//
// The benchmarks run only with -bench:
//
//	go test ./bench -bench . -benchmem -run '^$'
//
// The tests of this package are small and check work (allocations), not
// time. bench/run.sh times the callops binary itself against `cue export`.
package bench
