package bench

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/callops/callops/internal/gen"
)

// fixture is a generated tenant written to disk once per process.
type fixture struct {
	t         *gen.Tenant
	desired   string // directory of CUE files
	statePath string // callops-state/v1 file
	exportDir string // PowerShell export
	stateJSON []byte
}

var (
	fixturesMu sync.Mutex
	fixtures   = map[gen.Options]*fixture{}
	fixtureDir string // removed by TestMain
)

func TestMain(m *testing.M) {
	code := m.Run()
	if fixtureDir != "" {
		os.RemoveAll(fixtureDir)
	}
	os.Exit(code)
}

// scale names a benchmark size.
type scale struct {
	policies, users int
}

func (s scale) String() string { return fmt.Sprintf("%dx%d", s.policies, s.users) }

// The sizes of DESIGN.md section 7: 2,000 policies and 50,000 users, and
// 5,000 policies to show that cost grows linearly.
var (
	scale2000 = scale{2000, 25}
	scale5000 = scale{5000, 25}
)

// drift is the fraction of policies and grants that differ in benchmarks.
const drift = 0.05

// getFixture generates (once per process) and writes the tenant of the given
// size. Call it before b.Loop, which resets the timer on its first call.
func getFixture(tb testing.TB, s scale, d float64) *fixture {
	tb.Helper()
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	o := gen.Options{Policies: s.policies, UsersPerPolicy: s.users, Seed: 1, Drift: d}
	if f, ok := fixtures[o]; ok {
		return f
	}
	if fixtureDir == "" {
		dir, err := os.MkdirTemp("", "callops-bench-")
		if err != nil {
			tb.Fatal(err)
		}
		fixtureDir = dir
	}
	t, err := gen.Generate(o)
	if err != nil {
		tb.Fatal(err)
	}
	root := filepath.Join(fixtureDir, fmt.Sprintf("%s-%g", s, d))
	f := &fixture{
		t:         t,
		desired:   filepath.Join(root, "desired"),
		statePath: filepath.Join(root, "callops.state.json"),
		exportDir: filepath.Join(root, "export"),
	}
	if err := t.WriteCUE(f.desired); err != nil {
		tb.Fatal(err)
	}
	if err := t.WriteState(f.statePath); err != nil {
		tb.Fatal(err)
	}
	if err := t.WriteExport(f.exportDir); err != nil {
		tb.Fatal(err)
	}
	if f.stateJSON, err = os.ReadFile(f.statePath); err != nil {
		tb.Fatal(err)
	}
	fixtures[o] = f
	return f
}
