package schema

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestCache(t *testing.T) {
	dir := t.TempDir()
	fs := files("tenant.cue", contoso)
	d1, err := LoadFiles(fs, Options{CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "model-*.gob"))
	if len(entries) != 1 {
		t.Fatalf("cache entries %v, want one", entries)
	}
	// A hit gives the same model.
	d2, err := LoadFiles(fs, Options{CacheDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(d1, d2, cmp.AllowUnexported(Desired{}), cmp.Comparer(func(a, b *index) bool { return true })); diff != "" {
		t.Errorf("cached model differs (-evaluated +cached):\n%s", diff)
	}
	// The entry is really used: a marker planted in it comes back.
	d1.Domain = "planted.example"
	writeCache(dir, cacheKey(fs), d1)
	d3, _ := LoadFiles(fs, Options{CacheDir: dir})
	if d3.Domain != "planted.example" {
		t.Errorf("cache not read: domain %q", d3.Domain)
	}
	// Other content misses.
	changed := files("tenant.cue", contoso+"\n")
	d4, err := LoadFiles(changed, Options{CacheDir: dir})
	if err != nil || d4.Domain != "contoso.onmicrosoft.com" {
		t.Errorf("changed files: %v %q", err, d4.Domain)
	}
	// A corrupt entry is ignored and replaced.
	os.WriteFile(cachePath(dir, cacheKey(fs)), []byte("garbage"), 0o600)
	d5, err := LoadFiles(fs, Options{CacheDir: dir})
	if err != nil || d5.Domain != "contoso.onmicrosoft.com" {
		t.Errorf("corrupt entry: %v %q", err, d5.Domain)
	}
	// Errors are not cached.
	bad := files("tenant.cue", "package tenant\n")
	if _, err := LoadFiles(bad, Options{CacheDir: dir}); err == nil {
		t.Fatal("no error for a state without a domain")
	}
	if _, ok := readCache(dir, cacheKey(bad)); ok {
		t.Error("an error was cached")
	}
	// An unwritable cache directory is not an error.
	if _, err := LoadFiles(fs, Options{CacheDir: "/dev/null/x"}); err != nil {
		t.Errorf("unwritable cache: %v", err)
	}
}

// TestCacheEntryChecked: an entry whose payload was altered (a bit flip, an
// edit that still decodes) or that was copied under another key's name is
// not used; the files are evaluated instead.
func TestCacheEntryChecked(t *testing.T) {
	dir := t.TempDir()
	fs := files("tenant.cue", contoso)
	if _, err := LoadFiles(fs, Options{CacheDir: dir}); err != nil {
		t.Fatal(err)
	}
	path := cachePath(dir, cacheKey(fs))
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// A same-length edit inside the payload still decodes as gob.
	altered := bytes.Replace(data, []byte("contoso.onmicrosoft.com"), []byte("evilcorp.onmicrosoft.com"[:len("contoso.onmicrosoft.com")]), 1)
	if bytes.Equal(altered, data) {
		t.Fatal("the domain is not in the entry")
	}
	if err := os.WriteFile(path, altered, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := LoadFiles(fs, Options{CacheDir: dir})
	if err != nil || d.Domain != "contoso.onmicrosoft.com" {
		t.Errorf("altered entry used: %v, domain %q", err, d.Domain)
	}
	// An entry of other files, copied under this key's name.
	other := files("tenant.cue", strings.Replace(contoso, "contoso.onmicrosoft.com", "other.onmicrosoft.com", 1))
	if _, err := LoadFiles(other, Options{CacheDir: dir}); err != nil {
		t.Fatal(err)
	}
	otherData, _ := os.ReadFile(cachePath(dir, cacheKey(other)))
	if err := os.WriteFile(path, otherData, 0o600); err != nil {
		t.Fatal(err)
	}
	d, err = LoadFiles(fs, Options{CacheDir: dir})
	if err != nil || d.Domain != "contoso.onmicrosoft.com" {
		t.Errorf("another key's entry used: %v, domain %q", err, d.Domain)
	}
}
