// Package ci holds the tests of the repository's CI scripts under .ci/ (the
// go command skips dot directories, so their tests live here). It has no code
// of its own.
package ci
