package ui

import (
	"context"
	"sync"
	"time"
)

// restSlice is how long the UI thread rests at a stretch while the window
// is hidden: the longest a tray menu click waits before it is carried out.
const restSlice = 250 * time.Millisecond

// rest lets Fyne's UI thread sleep while the window is hidden to the tray.
//
// Fyne's loop wakes 60 times a second, window shown or not, to poll for
// window events and to look for frames to draw: about 1.5 % of a core,
// ten times what watching FlowMeter costs. While Localguard sits in the
// tray there is nothing to draw, so rest keeps the UI thread in one of its
// own calls, restSlice at a time; Fyne's ticker is not even armed then, as
// no one waits on it. Between two slices the thread runs whatever queued
// up meanwhile (a tray menu click, a signal to quit), and anything
// Localguard itself brings to the UI thread through rest.do ends the slice
// at once, so a new verdict still reaches the tray without delay.
type rest struct {
	// doAndWait runs a function on the UI thread and waits for it:
	// fyne.DoAndWait, or a test's loop.
	doAndWait func(func())
	// queue queues a function on the UI thread: fyne.Do, or a test's loop.
	queue func(func())
	ctx   context.Context
	slice time.Duration // restSlice; tests lengthen it

	mu      sync.Mutex
	resting chan struct{} // closed when the rest ends; nil when awake
	nudge   chan struct{} // ends the current slice
}

func newRest(ctx context.Context, queue, doAndWait func(func())) *rest {
	return &rest{ctx: ctx, queue: queue, doAndWait: doAndWait, slice: restSlice, nudge: make(chan struct{}, 1)}
}

// do queues f on the UI thread and, if the thread is resting, wakes it so
// that f runs now rather than at the end of the slice.
func (r *rest) do(f func()) {
	r.queue(f)
	select {
	case r.nudge <- struct{}{}:
	default:
	}
}

// start lets the UI thread rest until stop; it does nothing if it already
// rests.
func (r *rest) start() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.resting != nil {
		return
	}
	done := make(chan struct{})
	r.resting = done
	go r.run(done)
}

// stop wakes the UI thread for good; called on it (from a tray click or
// Open) or from any other goroutine.
func (r *rest) stop() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.resting != nil {
		close(r.resting)
		r.resting = nil
	}
}

// run hands the UI thread one slice after another until done is closed or
// the app ends.
func (r *rest) run(done chan struct{}) {
	for {
		select {
		case <-done:
			return
		case <-r.ctx.Done():
			return
		default:
		}
		r.doAndWait(func() { r.hold(done) })
	}
}

// hold keeps the UI thread until a slice has passed, something is
// brought to it, the rest ends or the app ends.
func (r *rest) hold(done chan struct{}) {
	t := time.NewTimer(r.slice)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.nudge:
	case <-done:
	case <-r.ctx.Done():
	}
}
