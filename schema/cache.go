package schema

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
)

// The model cache: evaluating a large desired state with CUE costs most of a
// lint run, and a pre-commit hook lints the same files again and again. The
// evaluated model is stored under Options.CacheDir in a file named by a
// digest of everything that determines it (this cache's format, the embedded
// schema, and the names and contents of the files), so a run on unchanged
// files costs a hash and a decode. The cache is best effort: an unreadable,
// corrupt or unwritable entry is ignored and the state is evaluated, and
// only successful loads are stored (errors are recomputed, with their
// positions).

// cacheFormat changes whenever Desired or its encoding changes.
const cacheFormat = "callops-model-cache/v2"

// An entry is the SHA-256 of its key and payload, then the payload (the
// gob-encoded model): a corrupt entry, or one copied under another key's
// name, does not decode as a model of other files. (It does not stop
// someone who can write the cache directory: they could write the files
// too.)
func entrySum(key string, payload []byte) []byte {
	h := sha256.New()
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write(payload)
	return h.Sum(nil)
}

func cacheKey(files []File) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00", cacheFormat, buildID(), len(Source), Source)
	fmt.Fprintf(h, "%s", digest(files))
	return hex.EncodeToString(h.Sum(nil))
}

func cachePath(dir, key string) string {
	return filepath.Join(dir, "model-"+key+".gob")
}

// readCache returns the cached model for key, or false.
func readCache(dir, key string) (*Desired, bool) {
	data, err := os.ReadFile(cachePath(dir, key))
	if err != nil || len(data) < sha256.Size {
		return nil, false
	}
	sum, payload := data[:sha256.Size], data[sha256.Size:]
	if !bytes.Equal(sum, entrySum(key, payload)) {
		return nil, false
	}
	var d Desired
	if err := gob.NewDecoder(bytes.NewReader(payload)).Decode(&d); err != nil {
		return nil, false
	}
	return &d, true
}

// writeCache stores d for key atomically (a temporary file renamed into
// place), so a concurrent reader sees the whole entry or none.
func writeCache(dir, key string, d *Desired) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(d); err != nil {
		return
	}
	entry := append(entrySum(key, buf.Bytes()), buf.Bytes()...)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(dir, ".model-*.tmp")
	if err != nil {
		return
	}
	_, werr := tmp.Write(entry)
	cerr := tmp.Close()
	if werr != nil || cerr != nil || os.Rename(tmp.Name(), cachePath(dir, key)) != nil {
		os.Remove(tmp.Name())
	}
}

// buildID identifies the callops binary, so that a build whose loader decodes
// differently never reads another build's entries: the VCS revision it was
// built from (and whether the tree was modified), and the executable's size
// and modification time.
var buildID = sync.OnceValue(func() string {
	var b strings.Builder
	if bi, ok := debug.ReadBuildInfo(); ok {
		b.WriteString(bi.Main.Version)
		for _, s := range bi.Settings {
			if strings.HasPrefix(s.Key, "vcs.") {
				b.WriteString(" " + s.Key + "=" + s.Value)
			}
		}
	}
	if exe, err := os.Executable(); err == nil {
		if fi, err := os.Stat(exe); err == nil {
			fmt.Fprintf(&b, " %d %d", fi.Size(), fi.ModTime().UnixNano())
		}
	}
	return b.String()
})
