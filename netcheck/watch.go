package netcheck

import (
	"context"
	"path/filepath"
	"reflect"
	"time"

	"github.com/fsnotify/fsnotify"

	"localguard/netcheck/system"
)

// DefaultInterval is how often the window, the tray and `localguard
// watch` check in full when they see no change. What they see changing
// (the .env written, an interface or address, and where the system gives
// it cheaply, a socket listening or closing: see lookEvery) is checked at
// once; the full check catches the rest (a connection through a tunnel,
// the formula sandbox switched off, whose answers are trusted for
// sandboxTTL anyway), and costs the most while the machine is idle. Where
// the listening sockets are not looked at between checks (elsewhere than
// Linux), it is 2 s, so that FlowMeter starting shows as soon as before.
const DefaultInterval = defaultInterval

// settle is how long a burst of file events (a save writes, renames and
// changes modes) is let finish before the .env is read again.
const settle = 50 * time.Millisecond

// Watch checks at once, then every interval, and at once when the .env is
// written or the machine's network interfaces change. It calls emit with
// each verdict that differs from the last one emitted, and returns when ctx
// ends. While watching, the .env is read again only when it changes. Where
// the system cannot watch files or interfaces, the checks every interval
// still see every change.
func (c *Checker) Watch(ctx context.Context, interval time.Duration, emit func(Verdict)) {
	c.WatchWith(ctx, interval, emit, nil)
}

// WatchWith is Watch that also carries out requests, in the order they
// arrive on requests: each runs on the watch's goroutine between two checks
// (so it may use the Checker), and a check follows at once. What the watch
// knows (interfaces, probe and sandbox answers) is kept across requests;
// only the .env files are read afresh, since requests change them. A
// request returns the interval to check at from then on (0 keeps it), or a
// negative one to end the watch. The verdict after a request is emitted
// even when it did not change, as the answer to it.
func (c *Checker) WatchWith(ctx context.Context, interval time.Duration, emit func(Verdict), requests <-chan func() time.Duration) {
	c.cache.enabled = true
	defer func() { c.cache = checkCache{} }()
	files, stop := c.fileWatcher()
	defer stop()
	links := system.WatchLinks(ctx)
	c.cache.linkEvents = links != nil
	w := &watchLoop{c: c, ctx: ctx, emit: emit, files: files, interval: interval, tick: time.NewTicker(interval)}
	defer w.tick.Stop()
	looks := w.lookTicks()
	defer looks.Stop()
	settled := time.NewTimer(time.Hour)
	settled.Stop()

	w.check()
	for {
		select {
		case <-ctx.Done():
			return
		case <-w.tick.C:
			w.check()
		case <-looks.C:
			w.checkIfChanged()
		case ev, ok := <-files.Events:
			if ok && c.watches(ev.Name) {
				settled.Reset(settle)
			}
		case <-files.Errors:
			c.cache.forget() // events may be lost: read the files afresh
		case <-settled.C:
			c.cache.forget()
			w.check()
		case <-links:
			c.cache.forgetInterfaces()
			w.check()
		case req := <-requests:
			if !w.answer(req) {
				return
			}
		}
	}
}

// fileWatcher watches the folders of the .env files the verdict depends
// on, until stop; where the system cannot watch files, it is a watcher
// that never reports (nil channels), and the files are read on every
// check.
func (c *Checker) fileWatcher() (w *fsnotify.Watcher, stop func()) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return &fsnotify.Watcher{}, func() {}
	}
	c.watchFiles(w)
	return w, func() { w.Close() }
}

// watchLoop is one Watch's state: how often it checks, and the last
// verdict it emitted.
type watchLoop struct {
	c        *Checker
	ctx      context.Context
	emit     func(Verdict)
	files    *fsnotify.Watcher
	interval time.Duration
	tick     *time.Ticker
	last     *Verdict // the last emitted, nil before the first
	// sockets is the listening sockets' fingerprint as the last check
	// began.
	sockets uint64
}

// lookEvery is how often the watch looks, between two full checks,
// whether a socket started or stopped listening (FlowMeter started,
// stopped or restarted elsewhere, a relay appeared), and checks at once
// when one did: such a change shows within about a second at any
// interval, for one sock_diag dump of the listening sockets each time.
// (Connections are left to the full checks: dumping them walks the
// kernel's whole table of connections, empty or not, ten times the cost.)
const lookEvery = time.Second

// lookTicks ticks every lookEvery where the system gives the sockets'
// fingerprint cheaply and the interval is longer; never otherwise.
func (w *watchLoop) lookTicks() *time.Ticker {
	t := time.NewTicker(lookEvery)
	if _, ok := system.ListenFingerprint(); !ok || w.interval <= lookEvery {
		t.Stop()
	}
	return t
}

// checkIfChanged checks when the listening sockets changed since the
// last check.
func (w *watchLoop) checkIfChanged() {
	if fp, ok := system.ListenFingerprint(); ok && fp != w.sockets {
		w.check()
	}
}

// check checks, and emits the verdict when it changed.
func (w *watchLoop) check() {
	w.sockets, _ = system.ListenFingerprint()
	v := w.c.Check(w.ctx)
	if w.ctx.Err() != nil {
		return
	}
	if w.c.Checked != nil {
		w.c.Checked(time.Now())
	}
	if w.last == nil || !sameVerdict(*w.last, v) {
		w.last = &v
		w.emit(v)
	}
	if w.files.Events != nil {
		w.c.watchFiles(w.files) // a cause may name another .env
	}
}

// answer carries out a request and answers it with a verdict, changed or
// not; it reports false when the request ends the watch.
func (w *watchLoop) answer(req func() time.Duration) bool {
	next := req()
	if next < 0 {
		return false
	}
	if next > 0 && next != w.interval {
		w.interval = next
		w.tick.Reset(w.interval)
	}
	w.c.cache.forget()
	w.last = nil
	w.check()
	return true
}

// watchFiles watches the folders of the .env files the verdict depends on;
// until a folder is watched, its files are read on every check.
func (c *Checker) watchFiles(w *fsnotify.Watcher) {
	for _, p := range c.cache.files() {
		dir := filepath.Dir(p)
		if c.cache.watched[dir] {
			continue
		}
		if err := w.Add(dir); err == nil {
			c.cache.watch(dir)
		}
	}
}

// watches reports whether an event on name may change the verdict.
func (c *Checker) watches(name string) bool {
	for _, p := range c.cache.files() {
		if name == p || filepath.Base(name) == filepath.Base(p) {
			return true
		}
	}
	return false
}

// sameVerdict reports whether two verdicts say the same to a person:
// every field equal, those of the JSON contract among them. (Compared
// field by field, not by their JSON: encoding the verdict on every check
// cost a sixth of a steady check.)
func sameVerdict(a, b Verdict) bool { return reflect.DeepEqual(a, b) }
