package tenant

import (
	"runtime"
	"testing"
	"time"
)

var globalSnap Snapshot

type wrapper struct {
	n    int
	snap Snapshot
}

// TestIndexPlacement: snapshots in globals, inside structs and in slices
// each have their own index.
func TestIndexPlacement(t *testing.T) {
	globalSnap = *fixture()
	if globalSnap.UserByUPN("alice@contoso.com") == nil {
		t.Error("lookup in a global snapshot failed")
	}
	w := &wrapper{snap: *fixture()}
	if w.snap.UserByUPN("alice@contoso.com") == nil {
		t.Error("lookup in a snapshot inside a struct failed")
	}
	list := []Snapshot{*fixture(), *fixture()}
	if err := list[1].Apply(Op{Action: GrantUser, User: "bob@contoso.com", Grant: ptr("Seattle")}); err != nil {
		t.Fatal(err)
	}
	if list[0].CountUsersOfPolicy("Seattle") != 0 || list[1].CountUsersOfPolicy("Seattle") != 1 {
		t.Error("snapshots of one slice share an index")
	}
}

// TestIndexInvalidation: replacing the snapshot's content, canonicalizing it
// and Reindex all make lookups see the new content.
func TestIndexInvalidation(t *testing.T) {
	s := fixture()
	if s.PolicyByIdentity("Empty") == nil {
		t.Fatal("no policy Empty")
	}
	other := fixture()
	other.Policies = other.Policies[:1]
	*s = *other
	if s.PolicyByIdentity("Empty") != nil {
		t.Error("assigning *s kept the old index")
	}

	s = fixture()
	s.UserByUPN("bob@contoso.com")
	s.Canonicalize()
	if p := s.PolicyByIdentity("Seattle"); p == nil || p.Identity != "Seattle" {
		t.Errorf("after Canonicalize PolicyByIdentity(Seattle) = %+v", p)
	}
	checkIndex(t, s)

	s.Users[1].SharedCallingPolicy = "Seattle"
	s.Reindex()
	if got := s.UsersOfPolicy("Seattle"); len(got) != 1 {
		t.Errorf("after Reindex UsersOfPolicy(Seattle) = %v", got)
	}
}

// TestIndexReleased: the index of a snapshot nobody uses is dropped.
func TestIndexReleased(t *testing.T) {
	count := func() int {
		indexes.Lock()
		defer indexes.Unlock()
		return len(indexes.m)
	}
	before := count()
	for range 100 {
		fixture().UserByUPN("alice@contoso.com")
	}
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); {
		runtime.GC()
		if count() <= before+10 {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Errorf("%d indexes held after their snapshots were dropped (%d before)", count(), before)
}
