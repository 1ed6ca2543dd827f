package ui

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"time"

	"localguard/netcheck"
)

// engine is the one bridge between the window and netcheck. One goroutine
// owns the Checker and the Store, which are not safe for concurrent use: it
// watches, and every other use of them (check now, plan, apply, undo,
// trust) is a request run on that goroutine between two watches. A request
// stops the watch; the watch that follows checks at once, so every request
// is followed by a fresh verdict.
type engine struct {
	ctx      context.Context
	requests chan func(*engineState)
	// emit receives each verdict Watch reports, on the engine's goroutine.
	emit func(netcheck.Verdict)
	// noInstall is called when no FlowMeter install is known yet.
	noInstall func(error)
	// checked, when set, is told the time of every check.
	checked func(at time.Time)
}

// engineState is what only the engine's goroutine touches.
type engineState struct {
	checker *netcheck.Checker
	store   *netcheck.Store
	// stored is false when the store could not be opened: it then lives
	// in memory only.
	stored   bool
	interval time.Duration
	environ  []string
}

// retryPause is how long a failed watch waits before it is tried again.
const retryPause = 5 * time.Second

// newEngine makes an engine that stops when ctx ends.
func newEngine(ctx context.Context, emit func(netcheck.Verdict), noInstall func(error)) *engine {
	return &engine{ctx: ctx, requests: make(chan func(*engineState)), emit: emit, noInstall: noInstall}
}

// run resolves the install and watches it until the engine's context ends.
func (e *engine) run(envPath string, interval time.Duration) {
	ctx := e.ctx
	s := &engineState{interval: interval, environ: os.Environ()}
	if path, err := netcheck.DefaultStorePath(); err == nil {
		s.store, _ = netcheck.OpenStore(path) // a damaged store trusts nothing
	}
	s.stored = s.store != nil
	if !s.stored {
		s.store = &netcheck.Store{}
	}
	if err := s.open(ctx, envPath); err != nil {
		e.noInstall(err)
	}
	for {
		if s.checker == nil {
			select {
			case <-ctx.Done():
				return
			case req := <-e.requests:
				req(s)
			}
			continue
		}
		watch, stop := context.WithCancel(ctx)
		done := make(chan error, 1)
		s.checker.Checked = e.checked
		go func(c *netcheck.Checker, every time.Duration) {
			done <- c.Watch(watch, every, func(v netcheck.Verdict) {
				// With no install known and no FlowMeter running, the
				// window keeps asking for the folder; a FlowMeter that
				// starts later is found and shown.
				if v.Env.Path == "" && len(v.Listeners) == 0 {
					return
				}
				e.emit(v)
			})
		}(s.checker, s.interval)
		select {
		case <-ctx.Done():
			stop()
			<-done
			return
		case req := <-e.requests:
			stop()
			<-done
			req(s)
		case <-done:
			// Watch ended by itself: pause, never a hot loop.
			stop()
			select {
			case <-ctx.Done():
				return
			case req := <-e.requests:
				req(s)
			case <-time.After(retryPause):
			}
		}
	}
}

// open makes the Checker for envPath, or for the install netcheck finds
// when envPath is "", and remembers it, as the command line does.
func (s *engineState) open(ctx context.Context, envPath string) error {
	home, _ := os.UserHomeDir()
	c := netcheck.Open(ctx, envPath, s.store, home, s.environ)
	if c.EnvPath == "" {
		// Watch all the same: a FlowMeter from an unknown folder is still
		// judged, and one that starts later is found.
		s.checker = c
		return netcheck.ErrNoInstall
	}
	if abs, err := filepath.Abs(c.EnvPath); err == nil && s.store.Install != abs {
		s.store.Install = abs
		s.save() // remembering is a convenience: a failure changes no verdict
	}
	s.checker = c
	return nil
}

// save writes the store when it has a file.
func (s *engineState) save() error {
	if !s.stored {
		return errors.New("the settings folder cannot be used, so Localguard cannot remember this")
	}
	return s.store.Save()
}

// do runs req on the engine's goroutine; it returns at once.
func (e *engine) do(req func(*engineState)) {
	go func() {
		select {
		case e.requests <- req:
		case <-e.ctx.Done():
		}
	}()
}

// checkNow checks at once (the watch that follows a request does).
func (e *engine) checkNow() { e.do(func(*engineState) {}) }

// setInterval changes how often the watch checks.
func (e *engine) setInterval(d time.Duration) {
	e.do(func(s *engineState) { s.interval = d })
}

// choose watches the install whose settings file is envPath.
func (e *engine) choose(envPath string, done func(error)) {
	e.do(func(s *engineState) { done(s.open(context.Background(), envPath)) })
}

// trust trusts or distrusts the network of an exposure and saves it.
func (e *engine) trust(iface, address string, on bool, done func(error)) {
	e.do(func(s *engineState) {
		addr, err := netip.ParseAddr(address)
		switch {
		case err != nil:
			err = fmt.Errorf("%q is not an address: %w", address, err)
		case !s.stored:
			err = s.save()
		default:
			err = s.store.SetTrusted(iface, addr, on)
		}
		done(err)
	})
}

// trusted lists the trusted networks.
func (e *engine) trusted(done func([]netcheck.Network)) {
	e.do(func(s *engineState) { done(append([]netcheck.Network(nil), s.store.Trusted...)) })
}

// distrust removes a trusted network and saves the store.
func (e *engine) distrust(n netcheck.Network, done func(error)) {
	e.do(func(s *engineState) {
		if !s.store.Distrust(n) {
			done(nil)
			return
		}
		done(s.save())
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
		plan, err := s.checker.PlanFix(context.Background())
		if key != "" {
			plan, err = s.checker.PlanFinding(key)
		}
		if err != nil {
			done(nil, err)
			return
		}
		p := &preview{
			key: plan.Key, value: plan.Value, line: plan.Line,
			path: s.checker.EnvPath, exists: plan.File.Exists, empty: plan.Empty(),
			backup: netcheck.BackupPath(plan),
		}
		for _, d := range plan.DiffLines() {
			p.diff = append(p.diff, diffLine{op: d.Op, line: d.Line, text: d.Text})
		}
		p.apply = func(done func(string, error)) {
			e.do(func(*engineState) {
				b, err := netcheck.ApplyFix(plan)
				done(b.Path, err)
			})
		}
		done(p, nil)
	})
}

// undo puts back the .env as it was before the last fix.
func (e *engine) undo(done func(error)) {
	e.do(func(s *engineState) {
		if s.checker == nil {
			done(netcheck.ErrNoInstall)
			return
		}
		done(netcheck.Undo(s.checker.EnvPath))
	})
}
