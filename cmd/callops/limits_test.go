package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"0", 0, true},
		{"1024", 1024, true},
		{"2GiB", 2 << 30, true},
		{"512MiB", 512 << 20, true},
		{"64 KiB", 64 << 10, true},
		{"300MB", 300e6, true},
		{"1GB", 1e9, true},
		{"12B", 12, true},
		{"", 0, false},
		{"12x", 0, false},
		{"-1MiB", 0, false},
		{"1.5GiB", 0, false},
		{"99999999999GiB", 0, false},
	}
	for _, tc := range tests {
		got, err := parseSize(tc.in)
		if (err == nil) != tc.ok {
			t.Errorf("parseSize(%q) error = %v, want ok %v", tc.in, err, tc.ok)
			continue
		}
		if d := cmp.Diff(tc.want, got); d != "" {
			t.Errorf("parseSize(%q) (-want +got):\n%s", tc.in, d)
		}
	}
}

func TestFormatSize(t *testing.T) {
	for in, want := range map[int64]string{2 << 30: "2 GiB", 256 << 20: "256 MiB", 3 << 10: "3 KiB", 300e6: "300000000 bytes", 1000: "1000 bytes"} {
		if got := formatSize(in); got != want {
			t.Errorf("formatSize(%d) = %q, want %q", in, got, want)
		}
	}
}

func TestMemoryLimit(t *testing.T) {
	for in, want := range map[int64]int64{0: defaultMaxMemoryBytes, -1: 0, 128 << 20: 128 << 20} {
		if got := memoryLimit(in); got != want {
			t.Errorf("memoryLimit(%d) = %d, want %d", in, got, want)
		}
	}
	if n, err := parseSize(defaultMaxMemory); err != nil || n != defaultMaxMemoryBytes {
		t.Errorf("the flag's default %s is %d bytes, want %d (%v)", defaultMaxMemory, n, defaultMaxMemoryBytes, err)
	}
}
