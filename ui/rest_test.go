package ui

import (
	"context"
	"sync"
	"testing"
	"time"
)

// fakeLoop is Fyne's UI loop in small (internal/driver/glfw/loop.go): one
// goroutine runs queued functions one by one and, between them, a 60 Hz
// tick that polls events and draws.
type fakeLoop struct {
	funcs chan func()
	mu    sync.Mutex
	ticks int
	held  int // functions rest handed the loop to hold it
}

func newFakeLoop(t *testing.T) *fakeLoop {
	l := &fakeLoop{funcs: make(chan func(), 64)}
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(time.Second / 60)
		defer tick.Stop()
		for {
			select {
			case <-stop:
				return
			case f := <-l.funcs:
				f()
			case <-tick.C:
				l.mu.Lock()
				l.ticks++
				l.mu.Unlock()
			}
		}
	}()
	t.Cleanup(func() { close(stop); <-done })
	return l
}

func (l *fakeLoop) queue(f func()) { l.funcs <- f }

func (l *fakeLoop) doAndWait(f func()) {
	l.mu.Lock()
	l.held++
	l.mu.Unlock()
	done := make(chan struct{})
	l.funcs <- func() { f(); close(done) }
	<-done
}

func (l *fakeLoop) counts() (ticks, held int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ticks, l.held
}

// waitFor waits until cond holds, failing the test after a long while.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("still waiting for %s", what)
		}
	}
}

// restingLoop starts a loop and a rest whose slices last an hour, and
// waits until the loop is held.
func restingLoop(t *testing.T, ctx context.Context) (*fakeLoop, *rest) {
	l := newFakeLoop(t)
	r := newRest(ctx, l.queue, l.doAndWait)
	r.slice = time.Hour
	r.start()
	waitFor(t, "the loop to be held", func() bool { _, held := l.counts(); return held > 0 })
	return l, r
}

// TestRestHoldsTheLoop: while resting, the loop ticks no more; stop gives
// it back, and it ticks again.
func TestRestHoldsTheLoop(t *testing.T) {
	l, r := restingLoop(t, t.Context())
	r.start() // a second start changes nothing
	ran := make(chan struct{})
	// Queued behind the held slice, this runs only once the rest ends.
	go l.queue(func() { close(ran) })
	ticks, held := l.counts()
	time.Sleep(100 * time.Millisecond) // six ticks' worth, were the loop free
	if t2, h2 := l.counts(); t2 != ticks || h2 != held {
		t.Fatalf("resting loop: ticks %d→%d, holds %d→%d; want no change", ticks, t2, held, h2)
	}
	select {
	case <-ran:
		t.Fatal("a queued function ran while the loop was held")
	default:
	}
	r.stop()
	<-ran
	waitFor(t, "ticks after the rest", func() bool { t2, _ := l.counts(); return t2 > ticks+2 })
	_, held = l.counts()
	time.Sleep(50 * time.Millisecond)
	if _, h2 := l.counts(); h2 != held {
		t.Errorf("the loop was held again (%d→%d) after stop", held, h2)
	}
	r.stop() // a second stop changes nothing
}

// TestRestDoWakes: what Localguard brings to the UI thread through do runs
// at once, though the slice would last an hour, and the rest goes on.
func TestRestDoWakes(t *testing.T) {
	l, r := restingLoop(t, t.Context())
	defer r.stop()
	for i := range 3 {
		ran := make(chan struct{})
		r.do(func() { close(ran) })
		<-ran // would wait an hour without the nudge
		waitFor(t, "the loop to be held again", func() bool { _, held := l.counts(); return held > i+1 })
	}
}

// TestRestLetsQueuedWorkThrough: work queued by others (Fyne's tray
// clicks) waits no longer than a slice.
func TestRestLetsQueuedWorkThrough(t *testing.T) {
	l := newFakeLoop(t)
	r := newRest(t.Context(), l.queue, l.doAndWait)
	r.slice = 20 * time.Millisecond
	r.start()
	defer r.stop()
	for range 3 {
		ran := make(chan struct{})
		l.queue(func() { close(ran) })
		<-ran
	}
}

// TestRestEndsWithTheApp: the rest ends when the app's context does.
func TestRestEndsWithTheApp(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	l, _ := restingLoop(t, ctx)
	ticks, _ := l.counts()
	cancel()
	waitFor(t, "ticks after the app ended", func() bool { t2, _ := l.counts(); return t2 > ticks+2 })
}
