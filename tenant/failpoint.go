package tenant

// SetFailpoint installs f as the file backend's failpoint hook, called at
// named points of an apply ("before-step-N", "after-step-N",
// "checkpoint-recorded", "mid-write", "after-rename", "journal-removed",
// "lock-wait"; see backend.go), or removes it when f is nil. It exists for
// crash and locking tests of the real command: cmd/callops calls it only in
// a binary built with the callops_failpoints tag, which no release is. It
// is not safe to call while a backend is in use.
func SetFailpoint(f func(name string)) { failpoint = f }
