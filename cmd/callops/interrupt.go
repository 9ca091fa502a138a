package main

// Ctrl-C (SIGINT) and SIGTERM while apply holds the state lock. Before the
// first step (planning, the approval prompt) nothing has been applied: the
// lock is released and callops ends. While steps run, the step in progress
// finishes and the apply stops there, with every step before it saved and
// journaled, so 'callops apply --resume' finishes the plan; a second signal
// ends callops at once, which the journal makes safe too (the lock is then
// left behind, and its hint says how to release it).

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
)

// exitInterrupted ends callops after an interrupt before any step ran
// (a variable: tests record the call instead).
var exitInterrupted = func() { os.Exit(130) }

// interrupts is the handler catchInterrupts installs.
type interrupts struct {
	mu      sync.Mutex
	running bool   // steps are being carried out
	stopped bool   // stop was called: the command is returning
	nothing string // what is said when a signal comes before the steps
	release func() // gives the state lock back; nil until the state is open
	ctx     context.Context
	cancel  context.CancelCauseFunc
	sig     chan os.Signal
	done    chan struct{}
	once    sync.Once
}

// catchInterrupts handles SIGINT and SIGTERM until stop is called; nothing
// says what a signal before the steps means ("nothing was applied"). Call
// it before the state is opened, and holding once it is.
func catchInterrupts(stderr io.Writer, nothing string) *interrupts {
	in := &interrupts{sig: make(chan os.Signal, 1), done: make(chan struct{}), nothing: nothing}
	in.ctx, in.cancel = context.WithCancelCause(context.Background())
	signal.Notify(in.sig, os.Interrupt, syscall.SIGTERM)
	go in.wait(stderr)
	return in
}

// holding gives the handler the way to give the state lock back (the
// backend's Close) when a signal comes before the steps start.
func (in *interrupts) holding(release func()) {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.release = release
}

func (in *interrupts) wait(stderr io.Writer) {
	var s os.Signal
	select {
	case s = <-in.sig:
	case <-in.done:
		return
	}
	// From here a second signal has its default effect: it ends callops.
	signal.Stop(in.sig)
	in.mu.Lock()
	defer in.mu.Unlock()
	if in.stopped {
		return // the command is returning and closes the backend itself
	}
	if !in.running {
		if in.release != nil {
			in.release()
		}
		// A newline first: the signal may come at the approval prompt.
		fmt.Fprintf(stderr, "\ncallops: %s: %s\n", s, in.nothing)
		exitInterrupted()
		return
	}
	fmt.Fprintf(stderr, "callops: %s: stopping after the step in progress (again to stop at once; 'callops apply --resume' finishes the plan)\n", s)
	in.cancel(fmt.Errorf("interrupted (%s)", s))
}

// steps marks the start of the steps and returns the context that ends at a
// signal. A signal being handled as "before the steps" is finished first.
func (in *interrupts) steps() context.Context {
	in.mu.Lock()
	defer in.mu.Unlock()
	in.running = true
	return in.ctx
}

// stop uninstalls the handler. It waits for a signal being handled, so
// that the command's own Close of the backend never runs beside the
// handler's.
func (in *interrupts) stop() {
	in.once.Do(func() {
		in.mu.Lock()
		in.stopped = true
		in.mu.Unlock()
		signal.Stop(in.sig)
		close(in.done)
		in.cancel(nil)
	})
}
