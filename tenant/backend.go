package tenant

// Backend carries operations out on a tenant. Current is the tenant as the
// backend knows it; Apply carries out one operation or refuses it with a
// *RefusedError; Close persists what is pending and releases what the
// backend holds (the file backend's lock). Backends never see a plan's
// ordering: apply/ maps plan steps to operations.
type Backend interface {
	Current() *Snapshot
	Apply(op Op) error
	Close() error
}

// failpoint, when set by a test, is called at named points of the file
// backend ("before-step-3", "after-step-3", "checkpoint-recorded",
// "mid-write", "after-rename", "journal-removed", "lock-wait": another
// holder has the lock and this open waits) so that a test can
// simulate a kill there. It is nil in normal runs.
var failpoint func(name string)

func fail(name string) {
	if failpoint != nil {
		failpoint(name)
	}
}
