package apply

import (
	"github.com/callops/callops/internal/fixture"
	"github.com/callops/callops/schema"
	"github.com/callops/callops/tenant"
)

// The shared Contoso fixture (internal/fixture), under the names these
// tests use.
const (
	loc1 = fixture.Loc1
	loc2 = fixture.Loc2
)

func contoso() *tenant.Snapshot             { return fixture.Contoso() }
func contosoDesired() *schema.Desired       { return fixture.ContosoDesired() }
func located(vs ...string) []schema.Located { return fixture.Located(vs...) }
