package ui

import (
	"context"
	"errors"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"localguard/netcheck"
)

// trayRecorder is the tests' tray: it keeps what it was asked to show.
type trayRecorder struct {
	mu    sync.Mutex
	views []trayView
}

func (t *trayRecorder) show(v trayView) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.views = append(t.views, v)
}

func (t *trayRecorder) last() trayView {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.views) == 0 {
		return trayView{}
	}
	return t.views[len(t.views)-1]
}

// fakeWindow is a window process in the tests: it hears what the tray
// sends and speaks as the window does, in JSON over pipes, as the real
// one does over its standard input and output.
type fakeWindow struct {
	env   string
	got   chan message
	speak *link
	close func() // the user closes the window
	// closing: the window is closing, and no longer does what it is
	// asked.
	closing atomic.Bool
}

// residentRun is a resident under test, with its tray, its windows and
// what it notified.
type residentRun struct {
	t       *testing.T
	r       *resident
	tray    *trayRecorder
	windows chan *fakeWindow
	mu      sync.Mutex
	notes   []string
	exited  chan struct{}
}

func newResidentRun(t *testing.T, envPath string, hidden bool) *residentRun {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	rr := &residentRun{t: t, tray: &trayRecorder{}, windows: make(chan *fakeWindow, 4), exited: make(chan struct{})}
	rr.r = newResident(ctx, envPath, hidden)
	// The engines end before the test's folders go (Windows keeps a
	// folder whose file is open).
	t.Cleanup(func() { cancel(); rr.r.engines.Wait() })
	rr.r.notes.send = func(n *fyne.Notification) {
		rr.mu.Lock()
		defer rr.mu.Unlock()
		rr.notes = append(rr.notes, n.Title)
	}
	rr.r.exit = func() { close(rr.exited) }
	rr.r.startWindow = func(env string, handle func(message)) (*windowProc, error) {
		toWinR, toWinW := io.Pipe()
		fromWinR, fromWinW := io.Pipe()
		fw := &fakeWindow{env: env, got: make(chan message, 16), speak: newLink(fromWinW)}
		var once sync.Once
		fw.close = func() { once.Do(func() { fromWinW.Close() }) }
		go receive(toWinR, func(m message) {
			fw.got <- m
			switch {
			case m.Op == opQuit:
				fw.close()
			case (m.Op == opRaise || m.Op == opFix) && !fw.closing.Load():
				fw.speak.send(message{Op: opShown})
			}
		})
		w := &windowProc{link: newLink(toWinW), done: make(chan struct{}), kill: fw.close}
		go func() {
			receive(fromWinR, handle)
			toWinW.Close()
			close(w.done)
		}()
		rr.windows <- fw
		return w, nil
	}
	return rr
}

// until waits for cond, or fails the test saying what it waited for.
func (rr *residentRun) until(what string, cond func() bool) {
	rr.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			rr.t.Fatalf("waited 20 s for %s; the tray shows %+v", what, rr.tray.last())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func (rr *residentRun) notified() []string {
	rr.mu.Lock()
	defer rr.mu.Unlock()
	return slices.Clone(rr.notes)
}

// window waits for the window the resident starts.
func (rr *residentRun) window() *fakeWindow {
	rr.t.Helper()
	select {
	case fw := <-rr.windows:
		return fw
	case <-time.After(10 * time.Second):
		rr.t.Fatal("no window was started")
		return nil
	}
}

// next waits for what the tray says to the window.
func (fw *fakeWindow) next(t *testing.T) message {
	t.Helper()
	select {
	case m := <-fw.got:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("the tray said nothing to its window")
		return message{}
	}
}

// verdictFor is the fixture name's verdict about the install env.
func verdictFor(name, env string) *netcheck.Verdict {
	v := verdicts[name]
	v.Env.Path = env
	return &v
}

// TestResidentAndItsWindow follows Localguard in the tray through a day:
// it watches by itself while the window is closed; the window, when
// opened, checks instead and the tray follows its verdicts; what the user
// changes in the window (notifications, interval, install) reaches the
// tray at once; closing the window leaves the tray watching the install
// chosen; Quit ends both.
func TestResidentAndItsWindow(t *testing.T) {
	isolate(t)
	safe := install(t, "HOST=127.0.0.1\n")
	rr := newResidentRun(t, safe, true)
	rr.r.ready(rr.tray)
	rr.until("the tray's first verdict", func() bool { return rr.tray.last().status == trayStatusLabel(verdicts["safe"], true) })
	if got := rr.tray.last(); got.icon != shieldFor(netcheck.StatusSafe).bitmap || got.actionOn {
		t.Errorf("safe in the tray: %+v", got)
	}
	fw := rr.openFromTray(safe)
	rr.windowLeads(fw, safe)
	rr.settingsReachTray(fw, safe)
	atRisk := install(t, "HOST=0.0.0.0\n")
	rr.installReachesTray(fw, atRisk)
	rr.toldOnce(atRisk)
	rr.quitEndsAll()
}

// openFromTray opens the window from the tray menu: it gets the tray's
// verdict at once, and the tray's own engine rests.
func (rr *residentRun) openFromTray(env string) *fakeWindow {
	t, r := rr.t, rr.r
	t.Helper()
	r.menu().open()
	fw := rr.window()
	if fw.env != env {
		t.Errorf("the window was started on %q, want %q", fw.env, env)
	}
	if m := fw.next(t); m.Op != opVerdict || m.Verdict == nil || m.Verdict.Env.Path != env {
		t.Errorf("the window's first message: %+v", m)
	}
	return fw
}

// windowLeads: the window's verdicts are the tray's, with their
// notifications; the tray's menu asks the window to check and to fix.
func (rr *residentRun) windowLeads(fw *fakeWindow, env string) {
	t, r := rr.t, rr.r
	t.Helper()
	r.mu.Lock()
	watching := r.eng != nil
	r.mu.Unlock()
	if !watching {
		t.Error("the tray's engine rests before the window has checked")
	}
	fw.speak.send(message{Op: opVerdict, Verdict: verdictFor("exposed", env)})
	rr.until("the exposed shield", func() bool { return rr.tray.last().icon == shieldFor(netcheck.StatusExposed).bitmap })
	r.mu.Lock()
	resting := r.eng == nil
	r.mu.Unlock()
	if !resting {
		t.Error("the tray's engine still checks while the window does")
	}
	rr.until("the notification", func() bool { return slices.Contains(rr.notified(), "FlowMeter can be reached from the network") })
	r.menu().checkNow()
	if m := fw.next(t); m.Op != opCheck {
		t.Errorf("Check now with the window open: %+v", m)
	}
	r.menu().fix()
	if m := fw.next(t); m.Op != opFix {
		t.Errorf("the tray's fix with the window open: %+v", m)
	}
}

// settingsReachTray: settings changed in the window reach the tray at
// once.
func (rr *residentRun) settingsReachTray(fw *fakeWindow, env string) {
	t, r := rr.t, rr.r
	t.Helper()
	inWindow := loadPrefs(prefsFile())
	if err := inWindow.setNotifications(false); err != nil {
		t.Fatal(err)
	}
	if err := inWindow.setInterval(30 * time.Second); err != nil {
		t.Fatal(err)
	}
	v := inWindow.values()
	fw.speak.send(message{Op: opChanged, Prefs: &v})
	rr.until("the settings read again", func() bool { return !r.prefs.notifications() && r.prefs.interval() == 30*time.Second })
	before := len(rr.notified())
	fw.speak.send(message{Op: opVerdict, Verdict: verdictFor("safe", env)})
	rr.until("the safe shield", func() bool { return rr.tray.last().icon == shieldFor(netcheck.StatusSafe).bitmap })
	if got := rr.notified(); len(got) != before {
		t.Errorf("notified %q with notifications turned off in the window", got[before:])
	}
}

// installReachesTray: another install chosen in the window; once the
// window closes, the tray watches that one.
func (rr *residentRun) installReachesTray(fw *fakeWindow, other string) {
	r := rr.r
	rr.t.Helper()
	fw.speak.send(message{Op: opVerdict, Verdict: verdictFor("at-risk", other)})
	rr.until("the at-risk shield", func() bool { return rr.tray.last().icon == shieldFor(netcheck.StatusAtRisk).bitmap })
	fw.close()
	rr.until("the tray watching again", rr.watchingAlone)
	rr.until("the tray's verdict on the install chosen", func() bool {
		r.mu.Lock()
		defer r.mu.Unlock()
		return r.verdict.Env.Path == other && r.verdict.Status == netcheck.StatusAtRisk
	})
}

// watchingAlone reports whether the tray watches with no window open.
func (rr *residentRun) watchingAlone() bool {
	rr.r.mu.Lock()
	defer rr.r.mu.Unlock()
	return rr.r.eng != nil && rr.r.win == nil
}

// toldOnce: the first close to the tray was explained by one
// notification; a second close says nothing more.
func (rr *residentRun) toldOnce(env string) {
	t := rr.t
	t.Helper()
	if n := countOf(rr.notified(), "Localguard keeps watching"); n != 1 {
		t.Errorf("%d notifications that Localguard keeps watching, want 1", n)
	}
	rr.r.menu().open()
	fw := rr.window()
	if fw.env != env {
		t.Errorf("the window opened again on %q, want %q", fw.env, env)
	}
	fw.close()
	rr.until("the tray watching again", rr.watchingAlone)
	if n := countOf(rr.notified(), "Localguard keeps watching"); n != 1 {
		t.Errorf("%d notifications that Localguard keeps watching, want 1", n)
	}
}

// quitEndsAll: Quit in the tray menu closes the window and ends the
// tray; nothing opens after.
func (rr *residentRun) quitEndsAll() {
	t, r := rr.t, rr.r
	t.Helper()
	r.menu().open()
	fw := rr.window()
	r.menu().quit()
	for m := fw.next(t); m.Op != opQuit; m = fw.next(t) {
	}
	select {
	case <-rr.exited:
	case <-time.After(5 * time.Second):
		t.Fatal("Quit did not end the tray")
	}
	r.openWindow("", opRaise)
	select {
	case <-rr.windows:
		t.Error("a window opened after Quit")
	default:
	}
}

// TestOpenWhileClosing: Localguard asked to open its window (a second
// start, the tray menu) just as the window closes opens a new one: the
// closing window never did it.
func TestOpenWhileClosing(t *testing.T) {
	isolate(t)
	env := install(t, "HOST=127.0.0.1\n")
	rr := newResidentRun(t, env, false)
	rr.r.ready(rr.tray)
	fw := rr.window()
	fw.closing.Store(true)
	rr.r.openWindow("", opRaise)
	for m := fw.next(t); m.Op != opRaise; m = fw.next(t) {
	}
	fw.close()
	again := rr.window()
	if again.env != env {
		t.Errorf("the new window is on %q, want %q", again.env, env)
	}
	// One that answered is not opened again.
	rr.r.openWindow("", opRaise)
	for m := again.next(t); m.Op != opRaise; m = again.next(t) {
	}
	rr.until("the answer", func() bool {
		rr.r.mu.Lock()
		defer rr.r.mu.Unlock()
		return rr.r.asked == ""
	})
	again.close()
	rr.until("the tray watching again", rr.watchingAlone)
	select {
	case <-rr.windows:
		t.Error("a window opened though none was asked for")
	default:
	}
}

// TestResidentOpensWindowUnlessHidden: started by the user, the window
// opens at once; started at login (hidden), only the tray shows.
func TestResidentOpensWindowUnlessHidden(t *testing.T) {
	isolate(t)
	env := install(t, "HOST=127.0.0.1\n")
	rr := newResidentRun(t, env, false)
	rr.r.ready(rr.tray)
	rr.window()

	hidden := newResidentRun(t, env, true)
	hidden.r.ready(hidden.tray)
	hidden.until("the tray's first verdict", func() bool { return hidden.tray.last().status == trayStatusLabel(verdicts["safe"], true) })
	select {
	case <-hidden.windows:
		t.Error("a window opened for a start at login")
	default:
	}
}

// TestWindowTellsTheTray: what the user changes in the window (the
// interval, notifications, a trusted network) is saved and told to the
// tray at once.
func TestWindowTellsTheTray(t *testing.T) {
	isolate(t)
	h := newHarness(t, install(t, "HOST=127.0.0.1\n"))
	h.status(netcheck.StatusSafe)
	test.Tap(h.u.settingsBtn)
	h.u.settings.interval.SetSelected("every 30 seconds")
	h.until("the interval told", func() bool { return h.changes.Load() >= 1 })
	test.Tap(h.u.settings.notifications)
	if n := h.changes.Load(); n < 2 {
		t.Errorf("turning notifications off was not told (%d changes)", n)
	}
	saved := loadPrefs(prefsFile())
	if saved.interval() != 30*time.Second || saved.notifications() {
		t.Errorf("saved settings: interval %v, notifications %v", saved.interval(), saved.notifications())
	}
}

func countOf(list []string, s string) (n int) {
	for _, x := range list {
		if x == s {
			n++
		}
	}
	return n
}

// TestWindowThatCannotStart: when the window process cannot be started,
// the tray watches by itself all the same.
func TestWindowThatCannotStart(t *testing.T) {
	isolate(t)
	rr := newResidentRun(t, install(t, "HOST=127.0.0.1\n"), false)
	rr.r.startWindow = func(string, func(message)) (*windowProc, error) { return nil, errors.New("no such program") }
	rr.r.ready(rr.tray)
	rr.until("the tray watching by itself", rr.watchingAlone)
	rr.until("the tray's first verdict", func() bool { return rr.tray.last().status == trayStatusLabel(verdicts["safe"], true) })
}

// TestAdoptFynePrefs: the settings an earlier version kept in Fyne's
// preferences are taken into the settings file, once, when the window
// first runs without one; a file already there is left as it is.
func TestAdoptFynePrefs(t *testing.T) {
	isolate(t)
	a := test.NewTempApp(t)
	a.Preferences().SetInt(fynePrefInterval, 5)
	a.Preferences().SetBool(fynePrefNotifications, false)
	a.Preferences().SetBool(fynePrefToldTray, true)
	p := loadPrefs(prefsFile())
	if !p.adoptFynePrefs(a.Preferences()) {
		t.Fatal("the earlier settings were not taken")
	}
	saved := loadPrefs(prefsFile())
	if saved.interval() != 5*time.Second || saved.notifications() || !saved.toldTray() {
		t.Errorf("saved: interval %v, notifications %v, told %v", saved.interval(), saved.notifications(), saved.toldTray())
	}
	a.Preferences().SetInt(fynePrefInterval, 30)
	if saved.adoptFynePrefs(a.Preferences()) || loadPrefs(prefsFile()).interval() != 5*time.Second {
		t.Error("the earlier settings were taken again over the settings file")
	}
	if fresh := loadPrefs(""); fresh.adoptFynePrefs(a.Preferences()) {
		t.Error("taken with no file to keep them")
	}
}
