package apply

import (
	"container/heap"
	"fmt"
	"sort"
	"strings"

	"github.com/callops/callops/tenant"
)

// Phases order steps that are free to go in any order, so that a plan
// reads as an admin would do the work: free numbers first, then give them
// out, then policies, then grants, then deletions. Dependencies always win
// over phases.
const (
	phaseRemoveEmergency = iota
	phaseUnassign
	phaseAssign
	phaseCreate
	phaseUpdate
	phaseAddEmergency
	phaseGroupRemove
	phaseGroupTemp
	phaseGroupGrant
	phaseGrantUser
	phaseGrantGlobal
	phaseRevokeUser
	phaseDelete
)

// node is one step of the plan while it is being ordered.
type node struct {
	op     tenant.Op
	reason string
	phase  int
	key    string // tie-break within a phase: the object's name

	out  []int // nodes that must come after this one
	deps int   // nodes that must come before it and are not yet placed

	// partner is, for the unassign of a holder's old number, the assign of
	// its new number (-1 when none): the two are placed next to each other
	// whenever the dependencies allow, so that the holder is without a
	// number for as short a time as possible (DESIGN.md section 5, rule 6).
	partner int
	// softLeft counts the soft predecessors not yet placed: steps that
	// should, but need not, come first (a policy moving off or deleted
	// before its account loses its number, so that its users see no
	// window). A node with soft predecessors left is held back while other
	// work is ready.
	softLeft int
	// staysInUse is set on the unassign of an account's number when a
	// policy keeps using the account: placing it opens a window whatever
	// else is done first.
	staysInUse bool
	// closes is set on the assign that ends a window opened by its
	// partner: it is placed as soon as it can be. opener is that partner.
	closes bool
	opener int
	// temp is set on a group assignment to a temporary rank.
	temp bool
	// users is, for the unassign of an account's number, the users the
	// account serves: those granted the policies that use it, and those
	// on the tenant default when it is one of them. When a cycle forces a
	// window open, the account serving fewest users opens first and gets
	// the longer window.
	users int
}

// graph is the set of steps and their dependencies.
type graph struct {
	nodes []node
	edges map[[2]int]bool
	// placed is the position of each placed node in the order.
	placed []int
	// softOut maps a node to the nodes it is a soft predecessor of.
	softOut map[int][]int
	// noise, when set (tests only), replaces the phases by random ranks,
	// so that tests can check that the dependencies alone make a plan
	// valid and the phases only make it read well.
	noise []int
}

func (g *graph) add(n node) int {
	n.partner, n.opener = -1, -1
	g.nodes = append(g.nodes, n)
	return len(g.nodes) - 1
}

// before records that node a must be placed before node b.
func (g *graph) before(a, b int) {
	if a < 0 || b < 0 || a == b {
		return
	}
	if g.edges == nil {
		g.edges = map[[2]int]bool{}
	}
	if g.edges[[2]int{a, b}] {
		return
	}
	g.edges[[2]int{a, b}] = true
	g.nodes[a].out = append(g.nodes[a].out, b)
	g.nodes[b].deps++
}

// preferBefore records that node a should be placed before node b when
// the dependencies allow it (see node.softLeft).
func (g *graph) preferBefore(a, b int) {
	if a < 0 || b < 0 || a == b {
		return
	}
	if g.softOut == nil {
		g.softOut = map[int][]int{}
	}
	g.softOut[a] = append(g.softOut[a], b)
	g.nodes[b].softLeft++
}

// opensWindow reports whether placing an unassign now leaves an account in
// use without a number.
func (g *graph) opensWindow(id int) bool {
	n := &g.nodes[id]
	return n.staysInUse || n.softLeft > 0
}

// readyQueue orders ready nodes: closers of open windows first, then by
// phase, key and creation order, which makes the order deterministic.
type readyQueue struct {
	g   *graph
	ids []int
}

func (q *readyQueue) Len() int { return len(q.ids) }
func (q *readyQueue) Less(i, j int) bool {
	return q.g.less(q.ids[i], q.ids[j])
}
func (q *readyQueue) Swap(i, j int) { q.ids[i], q.ids[j] = q.ids[j], q.ids[i] }
func (q *readyQueue) Push(x any)    { q.ids = append(q.ids, x.(int)) }
func (q *readyQueue) Pop() any {
	n := len(q.ids)
	x := q.ids[n-1]
	q.ids = q.ids[:n-1]
	return x
}

func (g *graph) less(a, b int) bool {
	na, nb := &g.nodes[a], &g.nodes[b]
	if na.closes != nb.closes {
		return na.closes
	}
	if na.closes && nb.closes {
		// Close the window opened last first: in a cycle of moves every
		// window but the first is then one step long.
		if pa, pb := g.placed[na.opener], g.placed[nb.opener]; pa != pb {
			return pa > pb
		}
	}
	if g.noise != nil && g.noise[a] != g.noise[b] {
		return g.noise[a] < g.noise[b]
	}
	if na.phase != nb.phase {
		return na.phase < nb.phase
	}
	if na.key != nb.key {
		return na.key < nb.key
	}
	return a < b
}

// deferred reports whether a ready node should wait: it has soft
// predecessors left, or it is an unassign whose partner assign still waits
// for something else (placing it now would open a window that stays open).
func (g *graph) deferred(id int) bool {
	n := &g.nodes[id]
	if n.softLeft > 0 {
		return true
	}
	return n.partner >= 0 && g.nodes[n.partner].deps > 1
}

// order returns the nodes in an order that satisfies every dependency:
// Kahn's algorithm with a priority queue (see less). Ready nodes are held
// back (deferred) while they have soft predecessors left, or, for an
// unassign, until its partner assign can follow at once. When only
// held-back nodes are left (a swap, a cycle of moves, a policy that
// follows its number), one goes: preferably one that opens no window (a
// user's number, an unused account's), else the one whose account serves
// fewest users (node.users), then the first by priority; that opens the
// shortest window the cycle allows, and its longest window hits the fewest
// users. It returns an error naming the nodes of a dependency cycle, which
// the construction of the graph rules out: that is a bug.
func (g *graph) order() ([]int, error) {
	g.placed = make([]int, len(g.nodes)) // 0: not placed yet
	q := &readyQueue{g: g}
	var held []int // deferred ready nodes; stale entries have inHeld false
	inHeld := make([]bool, len(g.nodes))
	ready := func(id int) {
		if g.deferred(id) {
			held = append(held, id)
			inHeld[id] = true
		} else {
			heap.Push(q, id)
		}
	}
	for i := range g.nodes {
		if g.nodes[i].deps == 0 {
			ready(i)
		}
	}
	out := make([]int, 0, len(g.nodes))
	for {
		var id int
		switch {
		case q.Len() > 0:
			id = heap.Pop(q).(int)
		default:
			live := held[:0]
			for _, h := range held {
				if inHeld[h] {
					live = append(live, h)
				}
			}
			held = live
			if len(held) == 0 {
				if len(out) != len(g.nodes) {
					return nil, g.cycleError()
				}
				return out, nil
			}
			// Forced: only held-back nodes are left (a swap, a cycle of
			// moves, a policy that follows its number). Open no window if
			// possible: a user's or an unused account's number goes first.
			// Else the window opened first is the longest of the cycle:
			// give it to the account that serves fewest users.
			sort.Slice(held, func(i, j int) bool {
				a, b := held[i], held[j]
				wa, wb := g.opensWindow(a), g.opensWindow(b)
				if wa != wb {
					return !wa
				}
				if ua, ub := g.nodes[a].users, g.nodes[b].users; wa && ua != ub {
					return ua < ub
				}
				return g.less(a, b)
			})
			id, held = held[0], held[1:]
			inHeld[id] = false
		}
		out = append(out, id)
		g.placed[id] = len(out)
		for _, next := range g.nodes[id].out {
			n := &g.nodes[next]
			n.deps--
			switch {
			case n.deps == 0:
				ready(next)
			case n.deps == 1 && n.opener >= 0 && inHeld[n.opener] && !g.deferred(n.opener):
				// The held unassign is now the only thing its partner
				// waits for: it can go, and the partner right after it.
				inHeld[n.opener] = false
				heap.Push(q, n.opener)
			}
		}
		for _, next := range g.softOut[id] {
			g.nodes[next].softLeft--
			if inHeld[next] && !g.deferred(next) {
				inHeld[next] = false
				heap.Push(q, next)
			}
		}
	}
}

func (g *graph) cycleError() error {
	var names []string
	for i, n := range g.nodes {
		if g.placed[i] == 0 {
			names = append(names, fmt.Sprintf("%s %s", n.op.Action, n.key))
		}
	}
	sort.Strings(names)
	if len(names) > 6 {
		names = append(names[:6], "...")
	}
	return fmt.Errorf("ordering changes: dependency cycle among %s (this is a bug in callops)", strings.Join(names, ", "))
}
