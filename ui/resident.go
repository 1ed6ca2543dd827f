package ui

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"localguard/netcheck"
)

// WindowFlag is the hidden flag with which the tray starts its window
// process (see RunWindow).
const WindowFlag = "--tray-window"

// resident is the Localguard that stays while the window is closed: the
// engine and the tray icon, and nothing of Fyne's renderer (no OpenGL
// context, no fonts, no event loop). The window is a process of its own,
// started from the tray and gone when it is closed; while it is open its
// engine checks and the resident's rests, so that only one decides the
// verdict both show.
type resident struct {
	ctx   context.Context
	prefs *prefs
	// notes is used under notesMu: verdicts come from the engine's
	// goroutine and from the window's.
	notesMu sync.Mutex
	notes   notifier
	// startWindow starts the window process (tests give a pipe).
	startWindow func(env string, handle func(message)) (*windowProc, error)
	// hidden: started at login; the window opens only when asked.
	hidden bool

	mu      sync.Mutex
	tray    trayShower // nil until the tray is there
	view    trayView
	env     string // the install watched; "" until one is known
	verdict netcheck.Verdict
	known   bool
	eng     *engine // the engine watching, nil while the window checks
	stopEng context.CancelFunc
	win     *windowProc // the window process, nil while it is closed
	// asked is what the open window was asked (opRaise, opFix) and has
	// not yet answered it did; "" when nothing is waiting.
	asked string
	quit  bool // Quit was chosen
	// exit ends the tray (systray.Quit; a test's).
	exit func()
	// engines counts the engines' goroutines still running, to wait for
	// them at the end (a stopped engine may still be finishing a check).
	engines sync.WaitGroup
}

// newResident makes the resident for the install envPath ("" for the one
// remembered or found).
func newResident(ctx context.Context, envPath string, hidden bool) *resident {
	r := &resident{ctx: ctx, env: envPath, hidden: hidden, prefs: loadPrefs(prefsFile()), view: trayFor(netcheck.Verdict{}, false)}
	r.notes = notifier{send: residentNotifier(), enabled: r.prefs.notifications}
	r.startWindow = startWindowProcess
	return r
}

// menu is what the tray's menu does.
func (r *resident) menu() trayMenu {
	return trayMenu{
		open:     func() { r.openWindow("", opRaise) },
		fix:      func() { r.openWindow("", opFix) },
		checkNow: r.checkNow,
		quit:     r.quitAll,
	}
}

// ready is called once the tray shows: it watches, and opens the window
// unless Localguard started hidden.
func (r *resident) ready(t trayShower) {
	r.mu.Lock()
	r.tray = t
	t.show(r.view)
	r.mu.Unlock()
	r.watch()
	if !r.hidden {
		r.openWindow("", opRaise)
	}
}

// show puts a verdict in the tray and notifies of a change of status.
func (r *resident) show(v netcheck.Verdict) {
	r.showIf(v, func() bool { return true })
}

// showIf shows v when still holds, tested under the same lock as the
// tray is changed: a verdict that lost its turn meanwhile is dropped.
func (r *resident) showIf(v netcheck.Verdict, still func() bool) {
	r.mu.Lock()
	if !still() {
		r.mu.Unlock()
		return
	}
	r.verdict, r.known = v, true
	if v.Env.Path != "" {
		r.env = v.Env.Path
	}
	r.setView(trayFor(v, true))
	r.mu.Unlock()
	r.notify(func(n *notifier) { n.verdict(v) })
}

// notify runs f with the notifier, one at a time.
func (r *resident) notify(f func(*notifier)) {
	r.notesMu.Lock()
	defer r.notesMu.Unlock()
	f(&r.notes)
}

// fromEngine shows a verdict of the engine eng, unless eng was stopped
// meanwhile: a check that ends after the window opened is older than
// what the window shows.
func (r *resident) fromEngine(eng **engine) func(netcheck.Verdict) {
	return func(v netcheck.Verdict) {
		r.showIf(v, func() bool { return r.eng == *eng })
	}
}

// setView shows v in the tray once it is there. r.mu is held.
func (r *resident) setView(v trayView) {
	r.view = v
	if r.tray != nil {
		r.tray.show(v)
	}
}

// watch starts the resident's engine (the window is closed).
func (r *resident) watch() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.watchLocked()
}

// watchLocked is watch with r.mu held.
func (r *resident) watchLocked() {
	if r.eng != nil || r.win != nil || r.quit {
		return
	}
	ctx, cancel := context.WithCancel(r.ctx)
	var eng *engine
	eng = newEngine(ctx, r.fromEngine(&eng), r.noInstall)
	r.eng, r.stopEng = eng, cancel
	env, interval := r.env, r.prefs.interval()
	r.engines.Go(func() { eng.run(env, interval) })
}

// rest stops the resident's engine while the window's checks. r.mu is
// held.
func (r *resident) rest() {
	if r.eng != nil {
		r.stopEng()
		r.eng, r.stopEng = nil, nil
	}
}

// noInstall: no FlowMeter install is known and none runs. The tray says
// so; its window asks for the folder when opened (the engine goes on
// looking meanwhile, and a FlowMeter that starts is found).
func (r *resident) noInstall(error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.setView(trayNoInstall())
}

// checkNow checks at once: the window's engine while it is open, else the
// resident's.
func (r *resident) checkNow() {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case r.win != nil:
		r.win.link.send(message{Op: opCheck})
	case r.eng != nil:
		r.eng.checkNow()
	}
}

// openWindow starts the window process, or, when it is open, brings it
// to the front; op is opRaise or opFix (start the fix). A later start of
// Localguard asks for it with the install env it was given, if any.
func (r *resident) openWindow(env, op string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.quit {
		return
	}
	if r.win != nil {
		r.asked = op
		r.win.link.send(message{Op: op, Env: env})
		return
	}
	if env == "" {
		env = r.env
	}
	w, err := r.startWindow(env, r.fromWindow)
	if err != nil {
		// The tray watches by itself; what failed is said where it can be.
		fmt.Fprintf(os.Stderr, "localguard: could not open the window: %v\n", err)
		r.watchLocked()
		return
	}
	// The tray's engine goes on until the window's first verdict of its
	// own: a window slow to start never leaves the tray unwatched.
	r.win = w
	if r.known && r.verdict.Env.Path == env {
		v := r.verdict
		w.link.send(message{Op: opVerdict, Verdict: &v})
	}
	if op != opRaise {
		w.link.send(message{Op: op})
	}
	go r.waitWindow(w)
}

// fromWindow handles what the window process says.
func (r *resident) fromWindow(m message) {
	switch m.Op {
	case opVerdict:
		if m.Verdict != nil {
			// From now on the window's checks are the tray's.
			r.mu.Lock()
			r.rest()
			r.mu.Unlock()
			r.show(*m.Verdict)
		}
	case opChanged:
		if m.Prefs != nil {
			r.prefs.set(*m.Prefs)
		}
	case opFixed:
		r.notify((*notifier).fixApplied)
	case opShown:
		r.mu.Lock()
		r.asked = ""
		r.mu.Unlock()
	}
}

// waitWindow waits for the window process to end (its window closed),
// then watches again, from the tray.
func (r *resident) waitWindow(w *windowProc) {
	<-w.done
	r.mu.Lock()
	r.win = nil
	quit, asked := r.quit, r.asked
	r.asked = ""
	r.mu.Unlock()
	if quit {
		return
	}
	if asked != "" {
		// Asked to open as it was closing: open a new one.
		r.openWindow("", asked)
		return
	}
	if !r.prefs.toldTray() {
		r.prefs.setToldTray()
		r.notify(func(n *notifier) {
			n.send(fyne.NewNotification("Localguard keeps watching",
				"Localguard is still watching FlowMeter from the tray. Click its shield to open it again, or choose Quit there to stop it."))
		})
	}
	r.watch()
}

// quitAll closes the window, if open, and ends Localguard.
func (r *resident) quitAll() {
	r.mu.Lock()
	r.quit = true
	r.rest()
	w := r.win
	exit := r.exit
	r.mu.Unlock()
	if w != nil {
		w.link.send(message{Op: opQuit})
		select {
		case <-w.done:
		case <-time.After(3 * time.Second):
			w.kill()
		}
	}
	if exit != nil {
		exit()
	}
}

// windowProc is the window process, as the resident sees it.
type windowProc struct {
	link *link
	// done is closed when the process has ended and all it said was
	// handled.
	done chan struct{}
	kill func()
}

// startWindowProcess starts this program again as the window for the
// install env, talking over its standard input and output; handle gets
// each message it sends.
func startWindowProcess(env string, handle func(message)) (*windowProc, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	args := []string{WindowFlag}
	if env != "" {
		args = append(args, "--env", env)
	}
	cmd := exec.Command(exe, args...)
	if _, err := os.Stderr.Stat(); err == nil {
		cmd.Stderr = os.Stderr // what the window says goes where the tray's does (none on Windows' GUI build)
	}
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	w := &windowProc{link: newLink(in), done: make(chan struct{})}
	w.kill = func() { cmd.Process.Kill() } // our own child, by its handle
	go func() {
		// All it said is read before Wait, which closes the pipe.
		receive(out, handle)
		cmd.Wait()
		in.Close()
		close(w.done)
	}()
	return w, nil
}

// runResident runs Localguard in the tray until Quit; claimed is given
// what a later start of Localguard calls to have the window opened.
func runResident(envPath string, hidden bool, claimed func(open func(env string))) {
	oneThread()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	r := newResident(ctx, envPath, hidden)
	r.exit = quitSystray
	claimed(func(env string) { r.openWindow(env, opRaise) })
	runSystray(r.menu(), r.view, func(t *systrayShower) { r.ready(t) }, func() {
		r.mu.Lock()
		r.quit = true
		r.rest()
		w := r.win
		r.mu.Unlock()
		if w != nil {
			w.link.send(message{Op: opQuit})
		}
	})
	cancel()
	r.engines.Wait()
}

// oneThread runs the resident's Go code on one thread at a time
// (GOMAXPROCS 1), unless GOMAXPROCS is set in the environment. The
// resident waits nearly all day and wakes every second for the watch's
// look at the listening sockets; with a processor for Go code per core,
// each such wake-up also woke idle threads to look for more work, which
// was half its threads' wake-ups and a fifth to a quarter of its CPU (measured
// in the tray, window closed: 820-1058 wake-ups a minute, 429 with one).
// What it waits on (sockets, files, D-Bus, the probes' connects) does not
// hold that thread; the window, a process of its own, keeps one per core.
func oneThread() {
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
}
