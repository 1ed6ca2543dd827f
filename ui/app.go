// Package ui is Localguard's tray and window. The tray (resident.go) is
// the part that stays: netcheck's engine and fyne.io/systray, with no
// part of Fyne's renderer. The window is Fyne, in a process of its own
// that the tray starts and that ends when the window closes (RunWindow);
// where the desktop has no tray, the window is all there is, and closing
// it quits. Both render the verdict netcheck computes and call the fix
// netcheck plans; they decide nothing of their own.
//
// In the window, one engine goroutine owns netcheck's Checker and Store;
// its verdicts reach the widgets through fyne.Do (the window's do), and
// the tray through the peer.
package ui

import (
	"context"
	"os"
	"sync"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/theme"

	"localguard/assets"
	"localguard/netcheck"
)

// AppID is Localguard's reverse-DNS application ID; FyneApp.toml matches it.
const AppID = "io.github.localguard.localguard"

// Version is the line `localguard --version` prints, which the settings
// show; main sets it.
var Version = "localguard (version unknown)"

// ErrRunning is returned by Run when another Localguard of this user
// runs: it was asked to open its window instead.
var ErrRunning = errRunning

// Run is Localguard on the desktop, for the FlowMeter install whose
// settings file is envPath, or for the one Localguard remembers or finds
// when envPath is "", until Localguard quits. Where the desktop has a
// tray, Localguard stays there and opens its window (unless hidden: a
// start at login); without one, the window opens and closing it quits.
//
// One Localguard runs per user: when one runs already, it is asked to
// open its window and Run returns ErrRunning at once.
func Run(envPath string, hidden bool) error {
	var mu sync.Mutex
	var open func(env string)
	release, err := claimInstance(envPath, func(env string) {
		mu.Lock()
		f := open
		mu.Unlock()
		if f != nil {
			f(env)
		}
	})
	if err != nil {
		return err
	}
	defer release()
	setOpen := func(f func(env string)) {
		mu.Lock()
		open = f
		mu.Unlock()
	}
	if trayPossible() && trayHostPresent() {
		runResident(envPath, hidden, setOpen)
		return nil
	}
	runWindow(envPath, nil, setOpen)
	return nil
}

// RunWindow is the window process the tray starts (with WindowFlag): the
// window for envPath, talking with the tray over standard input and
// output, until the window is closed or the tray says Quit.
func RunWindow(envPath string) {
	out := os.Stdout
	os.Stdout = os.Stderr // nothing else may write into the tray's stream
	runWindow(envPath, &trayPeer{link: newLink(out)}, nil)
}

// runWindow opens the window and blocks until it is closed. With a tray
// peer it is the tray's window, and listens to the tray on standard
// input; without one (nil), it notifies by itself and setOpen is given
// what brings it to the front when Localguard is started again.
func runWindow(envPath string, tp *trayPeer, setOpen func(func(env string))) {
	defer spareMissingHome()()
	a := app.NewWithID(AppID)
	a.SetIcon(assets.ShieldSafeBitmap) // Localguard's icon, as in FyneApp.toml
	a.Settings().SetTheme(readableTheme{theme.DefaultTheme()})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// The first text measured in a style makes Fyne parse that style's
	// fonts, about 0.15 s for the two the window uses. That is done here
	// while the UI thread opens the window (GLFW, the GL context), which
	// measures no text, and the window's content is built once it is done,
	// so that no font is used by two goroutines at once.
	fonts := make(chan struct{})
	go func() { defer close(fonts); warmFonts() }()
	w := newMainWindow(a)
	// The settings (a small file) before the window shows: it opens at
	// its size, and then goes where it was.
	pr := loadPrefs(prefsFile())
	saveSize := keepWindowSize(w, pr)
	w.Show()
	savePos := keepWindowPosition(w, pr)
	// As it closes, while it is still there to be asked where it stands.
	w.SetOnClosed(func() { savePos(); saveSize() })
	<-fonts
	adopted := pr.adoptFynePrefs(a.Preferences())
	var p peer
	if tp != nil {
		tp.prefs = pr
		p = tp
	} else {
		p = &notesPeer{notes: notifier{send: desktopNotifier(a.SendNotification), enabled: pr.notifications}}
	}
	u := start(ctx, a, w, envPath, fyne.Do, p, pr)
	// A quit asked by the tray (or its end) saves where the window
	// stands first: after it, the native window is gone.
	u.quit = func() { savePos(); a.Quit() }
	go savePositionEvery(ctx, positionSaveEvery, fyne.Do, savePos)
	if adopted {
		p.changed()
	}
	if tp != nil {
		go func() {
			receive(os.Stdin, func(m message) { u.fromTray(m, tp) })
			// The tray is gone: so is its window (a window alone, with
			// no tray to go back to, would be a second Localguard at the
			// next start).
			fyne.Do(u.quit)
		}()
	} else if setOpen != nil {
		setOpen(func(env string) { fyne.Do(func() { u.openFor(env) }) })
	}
	a.Lifecycle().SetOnStopped(func() { saveSize(); cancel() })
	a.Run()
}

// newMainWindow is Localguard's window, empty, at its first size.
func newMainWindow(a fyne.App) fyne.Window {
	w := a.NewWindow(windowTitle)
	w.Resize(defaultWindowSize)
	return w
}

// keepWindowSize gives the window the size it had when last closed, and
// returns what keeps its size for the next opening, called as it closes
// (and as Localguard quits). Its position is kept by keepWindowPosition.
func keepWindowSize(w fyne.Window, pr *prefs) (save func()) {
	if s := pr.windowSize(); s != w.Canvas().Size() {
		w.Resize(s)
	}
	return func() { pr.setWindowSize(w.Canvas().Size()) }
}

// warmFonts measures a word in each text style the main window uses: the
// regular one, and bold (buttons, headings).
func warmFonts() {
	for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
		fyne.MeasureText("Localguard", theme.TextSize(), style)
	}
}

// start builds the window and its engine, and starts watching. do brings
// the engine's results onto the UI thread (fyne.Do; a test's queue);
// closing the window ends the app.
func start(ctx context.Context, a fyne.App, w fyne.Window, envPath string, do func(func()), p peer, pr *prefs) *window {
	var u *window
	eng := newEngine(ctx,
		func(v netcheck.Verdict) { do(func() { u.render(v) }) },
		func(err error) { do(func() { u.showNoInstall(err) }) },
	)
	eng.memoryOnly = func(why error) { do(func() { u.say(sentence(why), false) }) }
	eng.checked = func(at time.Time) { do(func() { u.showChecked(at) }) }
	eng.changed = p.changed
	u = newWindow(a, w, eng, do, p, pr)
	w.SetMaster()
	go eng.run(envPath, pr.interval())
	return u
}

// open shows the window and brings it to the front.
func (u *window) open() {
	u.win.Show()
	u.win.RequestFocus()
}

// openFor brings the window to the front, on the install env when a
// later start named one.
func (u *window) openFor(env string) {
	u.open()
	if env != "" && env != u.verdict.Env.Path {
		u.chooseInstall(env)
	}
}

// fromTray does what the tray asks, and answers tp; it runs on the
// goroutine reading the tray's messages.
func (u *window) fromTray(m message, tp *trayPeer) {
	switch m.Op {
	case opVerdict:
		// The tray's verdict, shown at once while the window's own first
		// check runs; never over a verdict of the window's own.
		if m.Verdict != nil {
			v := *m.Verdict
			u.do(func() {
				if !u.known && !u.noInstall {
					u.render(v)
				}
			})
		}
	case opRaise:
		u.do(func() { u.openFor(m.Env); tp.shown() })
	case opFix:
		u.do(func() { u.open(); u.tapAction(); tp.shown() })
	case opCheck:
		u.do(u.tapCheckNow)
	case opQuit:
		u.do(u.quit)
	}
}
