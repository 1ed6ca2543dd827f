package ui

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"sync"
	"time"

	"localguard/envfix"
	"localguard/netcheck"
)

// engine is the one bridge between the window and netcheck. One goroutine
// owns the Checker and the Store, which are not safe for concurrent use: it
// watches, and every other use of them (check now, plan, apply, undo,
// trust) is a request. Requests are carried out one at a time in the order
// they were made (one queue), on the watch's own goroutine between two
// checks, so the watch keeps what it knows (interfaces, probe answers)
// across them; each is followed by a fresh verdict.
type engine struct {
	ctx context.Context
	// queue holds the requests not yet handed to the engine's goroutine,
	// oldest first; wake tells the feeder there are some.
	mu    sync.Mutex
	queue []func(*engineState)
	wake  chan struct{}
	// emit receives each verdict Watch reports, on the engine's goroutine.
	emit func(netcheck.Verdict)
	// noInstall is called when no FlowMeter install is known yet.
	noInstall func(error)
	// checked, when set, is told the time of every check.
	checked func(at time.Time)
	// memoryOnly is called, when set, with the reason when what the user
	// asked to remember is kept for this run only.
	memoryOnly func(error)
	// changed, when set, is called after a request changed what the
	// tray must know too: the interval, a trusted network, the install.
	changed func()
}

// engineState is what only the engine's goroutine touches.
type engineState struct {
	checker  *netcheck.Checker
	store    *netcheck.Store
	interval time.Duration
	environ  []string
}

// retryPause is how long a failed watch waits before it is tried again.
const retryPause = 5 * time.Second

// newEngine makes an engine that stops when ctx ends.
func newEngine(ctx context.Context, emit func(netcheck.Verdict), noInstall func(error)) *engine {
	return &engine{ctx: ctx, wake: make(chan struct{}, 1), emit: emit, noInstall: noInstall}
}

// run resolves the install and watches it until the engine's context ends.
func (e *engine) run(envPath string, interval time.Duration) {
	s := &engineState{interval: interval, environ: os.Environ(), store: e.openStore()}
	if err := s.open(e.ctx, envPath); err != nil {
		e.noInstall(err)
	}
	requests := make(chan func() time.Duration)
	go e.feed(s, requests)
	for e.ctx.Err() == nil {
		if s.checker == nil {
			e.serve(s, requests, nil)
			continue
		}
		watching := s.checker
		e.watch(s, requests)
		if e.ctx.Err() == nil && s.checker == watching {
			// Watch ended by itself: pause, never a hot loop, while still
			// carrying out requests.
			e.serve(s, requests, time.After(retryPause))
		}
	}
}

// openStore opens what Localguard remembers, or a store in memory that
// says why it cannot remember (told to the window through memoryOnly).
func (e *engine) openStore() *netcheck.Store {
	var store *netcheck.Store
	if homeMissing != nil {
		// The configuration folder was moved to a temporary one for
		// Fyne's sake (see spareMissingHome): nothing kept there lasts.
		store = netcheck.MemoryStore(homeMissing)
	} else {
		store = netcheck.DefaultStore()
	}
	if why := store.Remembers(); why != nil && e.memoryOnly != nil {
		e.memoryOnly(why)
	}
	return store
}

// watch watches s.checker until the watch ends: the context ends, a
// request chose another install, or the watch failed.
func (e *engine) watch(s *engineState, requests <-chan func() time.Duration) {
	watching := s.checker
	watching.Checked = e.checked
	// The watch carries out the requests itself; one that chooses another
	// install ends it.
	watching.WatchWith(e.ctx, s.interval, func(v netcheck.Verdict) {
		// With no install known and no FlowMeter running, the window keeps
		// asking for the folder; a FlowMeter that starts later is found
		// and shown.
		if v.Env.Path == "" && len(v.Listeners) == 0 {
			return
		}
		e.emit(v)
	}, requests)
}

// serve carries out requests while nothing is watched, until the context
// ends, a request chooses an install, or until (when not nil) fires.
func (e *engine) serve(s *engineState, requests <-chan func() time.Duration, until <-chan time.Time) {
	before := s.checker
	for {
		select {
		case <-e.ctx.Done():
			return
		case req := <-requests:
			req()
			if s.checker != before {
				return
			}
		case <-until:
			return
		}
	}
}

// feed hands the queued requests to the engine's goroutine, in order, as
// functions that return the watch's next interval. The engine's goroutine
// is the only one that takes them, inside a watch or between watches, so
// none is lost or run out of turn.
func (e *engine) feed(s *engineState, out chan<- func() time.Duration) {
	for {
		select {
		case <-e.ctx.Done():
			return
		case <-e.wake:
		}
		for {
			req, ok := e.pop()
			if !ok {
				break
			}
			wrapped := func() time.Duration {
				checker, interval := s.checker, s.interval
				req(s)
				switch {
				case s.checker != checker:
					return -1 // another install: the watch of this one ends
				case s.interval != interval:
					return s.interval
				}
				return 0
			}
			select {
			case out <- wrapped:
			case <-e.ctx.Done():
				return
			}
		}
	}
}

// pop takes the oldest queued request.
func (e *engine) pop() (func(*engineState), bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.queue) == 0 {
		return nil, false
	}
	req := e.queue[0]
	e.queue[0] = nil
	e.queue = e.queue[1:]
	return req, true
}

// open makes the Checker for envPath, or for the install netcheck finds
// when envPath is "", and remembers it, as the command line does.
func (s *engineState) open(ctx context.Context, envPath string) error {
	c, err := netcheck.OpenInstall(ctx, envPath, s.store, s.environ)
	// With no install known, watch all the same: a FlowMeter from an
	// unknown folder is still judged, and one that starts later is found.
	s.checker = c
	return err
}

// save writes the store. An error wrapping netcheck.ErrNotRemembered
// means the change holds for this run only.
func (s *engineState) save() error { return s.store.Save() }

// kept reports a change that holds for this run only as done, and tells
// the window Localguard cannot remember it.
func (e *engine) kept(err error) error {
	if errors.Is(err, netcheck.ErrNotRemembered) {
		if e.memoryOnly != nil {
			e.memoryOnly(err)
		}
		return nil
	}
	return err
}

// do queues req to run on the engine's goroutine after every request made
// before it; it returns at once.
func (e *engine) do(req func(*engineState)) {
	e.mu.Lock()
	e.queue = append(e.queue, req)
	e.mu.Unlock()
	select {
	case e.wake <- struct{}{}:
	default: // the feeder is already awake
	}
}

// stopRelay stops the relay process pid the verdict names, after the
// engine looked again that it is still that relay.
func (e *engine) stopRelay(pid int32, done func(error)) {
	e.do(func(s *engineState) {
		if s.checker == nil {
			done(netcheck.ErrNoInstall)
			return
		}
		done(s.checker.StopRelay(context.Background(), pid))
	})
}

// checkNow checks at once (the watch that follows a request does).
func (e *engine) checkNow() { e.do(func(*engineState) {}) }

// setInterval changes how often the watch checks.
func (e *engine) setInterval(d time.Duration) {
	e.do(func(s *engineState) { s.interval = d; e.tell(nil) })
}

// choose watches the install whose settings file is envPath.
func (e *engine) choose(envPath string, done func(error)) {
	e.do(func(s *engineState) { done(e.tell(s.open(context.Background(), envPath))) })
}

// tell calls changed when a change succeeded, and returns err.
func (e *engine) tell(err error) error {
	if err == nil && e.changed != nil {
		e.changed()
	}
	return err
}

// trust trusts or distrusts the network of an exposure and saves it.
func (e *engine) trust(iface, address string, on bool, done func(error)) {
	e.do(func(s *engineState) {
		addr, err := netip.ParseAddr(address)
		if err != nil {
			done(fmt.Errorf("%q is not an address: %w", address, err))
			return
		}
		done(e.tell(e.kept(s.store.SetTrusted(iface, addr, on))))
	})
}

// trusted lists the trusted networks, the networks of this computer's
// own guests (trusted by default) among them.
func (e *engine) trusted(done func([]netcheck.Network)) {
	e.do(func(s *engineState) {
		// The watch's interfaces: listing them anew costs a WMI query on
		// Windows.
		var ifaces []netcheck.Interface
		if s.checker != nil {
			ifaces = s.checker.Interfaces()
		} else {
			ifaces, _ = netcheck.Interfaces()
		}
		done(s.store.TrustedNetworks(ifaces))
	})
}

// distrust removes a trusted network and saves the store.
func (e *engine) distrust(n netcheck.Network, done func(error)) {
	e.do(func(s *engineState) {
		if !s.store.Distrust(n) {
			done(nil)
			return
		}
		done(e.tell(e.kept(s.save())))
	})
}

// plan works out a change (the HOST fix, or a finding's when key is not
// "") and hands it to done as a preview whose Apply runs on the engine.
func (e *engine) plan(key string, done func(*preview, error)) {
	e.do(func(s *engineState) {
		if s.checker == nil {
			done(nil, netcheck.ErrNoInstall)
			return
		}
		plan, err := s.checker.Plan(context.Background(), key)
		if err != nil {
			done(nil, err)
			return
		}
		p := &preview{
			key: plan.Key, value: plan.Value, line: plan.Line,
			path: s.checker.EnvPath, exists: plan.File.Exists, empty: plan.Empty(),
			backup: envfix.BackupFor(plan.File).Path,
		}
		for _, d := range plan.DiffLines() {
			p.diff = append(p.diff, diffLine{op: d.Op, line: d.Line, text: d.Text})
		}
		p.apply = func(done func(string, error)) {
			e.do(func(*engineState) {
				b, err := envfix.Apply(plan)
				done(b.Path, err)
			})
		}
		done(p, nil)
	})
}

// undo puts back the .env as it was before the last fix, and reports how
// many earlier fixes can still be undone.
func (e *engine) undo(done func(left int, err error)) {
	e.do(func(s *engineState) {
		if s.checker == nil {
			done(0, netcheck.ErrNoInstall)
			return
		}
		err := envfix.Undo(s.checker.EnvPath)
		done(envfix.UndoSteps(s.checker.EnvPath), err)
	})
}
