// Package ui is Localguard's window and tray, in Fyne. It renders the
// verdict netcheck computes and calls the fix netcheck plans; it decides
// nothing of its own. One engine goroutine owns netcheck's Checker and
// Store; its results reach the widgets through fyne.Do.
package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/theme"

	"localguard/assets"
	"localguard/netcheck"
)

// AppID is Localguard's reverse-DNS application ID; FyneApp.toml matches it.
const AppID = "io.github.localguard.localguard"

// Run opens the window (and the tray icon where the desktop has a tray)
// for the FlowMeter install whose settings file is envPath, or for the one
// Localguard remembers or finds when envPath is "", and blocks until
// Localguard quits. With hidden (a start at login), the window stays
// hidden in the tray, where there is one.
func Run(envPath string, hidden bool) {
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
	hidden = hidden && canTray() && trayHostPresent()
	if !hidden {
		w.Show()
	}
	<-fonts
	r := newRest(ctx, fyne.Do, fyne.DoAndWait)
	u := start(ctx, a, w, envPath, r)
	if hidden {
		u.shown.Store(false)
		r.start()
	}
	a.Lifecycle().SetOnStopped(cancel)
	settleMemory()
	a.Run()
}

// newMainWindow is Localguard's window, empty.
func newMainWindow(a fyne.App) fyne.Window {
	w := a.NewWindow(windowTitle)
	w.Resize(fyne.NewSize(780, 740))
	return w
}

// warmFonts measures a word in each text style the main window uses: the
// regular one, and bold (buttons, headings).
func warmFonts() {
	for _, style := range []fyne.TextStyle{{}, {Bold: true}} {
		fyne.MeasureText("Localguard", theme.TextSize(), style)
	}
}

// start builds the window, the tray and the engine, and starts watching.
// r brings the engine's results onto the UI thread, and lets that thread
// rest while the window is hidden to the tray.
func start(ctx context.Context, a fyne.App, w fyne.Window, envPath string, r *rest) *window {
	do := r.do
	var u *window
	eng := newEngine(ctx,
		func(v netcheck.Verdict) { do(func() { u.render(v) }) },
		func(err error) { do(func() { u.showNoInstall(err); u.tapChoose() }) },
	)
	eng.memoryOnly = func(why error) { do(func() { u.say(sentence(why), false) }) }
	u = newWindow(a, w, eng, do)
	u.rest = r
	u.shown.Store(true)
	// Every check says when it was made, while the window is there to show
	// it: hidden to the tray, the UI thread is left to rest.
	eng.checked = func(at time.Time) {
		if u.shown.Load() {
			do(func() { u.showChecked(at) })
		}
	}
	w.SetMaster()
	if desk, ok := a.(desktop.App); ok && canTray() {
		u.tray = &tray{
			desk:     desk,
			open:     u.open,
			fix:      func() { u.open(); u.tapAction() },
			checkNow: u.tapCheckNow,
			quit:     a.Quit,
			tooltip:  trayTooltip,
		}
		u.tray.render(netcheck.Verdict{}, false)
		trayTapped(func() { do(u.open) }) // a left click opens the window
		w.SetCloseIntercept(func() {
			if trayHostPresent() {
				w.Hide() // Localguard keeps watching from the tray
				u.shown.Store(false)
				u.toldTray()
				settleMemory()
				r.start()
				return
			}
			a.Quit()
		})
	}
	go eng.run(envPath, u.prefs.interval())
	return u
}

// canTray reports whether a tray icon can be set up (tests give their
// fake desktop a tray).
var canTray = trayPossible

// toldTray says, the first time the window closes to the tray, that
// Localguard keeps watching from there.
func (u *window) toldTray() {
	if u.prefs.p.BoolWithFallback(prefToldTray, false) {
		return
	}
	u.prefs.p.SetBool(prefToldTray, true)
	u.notes.send(fyne.NewNotification("Localguard keeps watching",
		"Localguard is still watching FlowMeter from the tray. Click its shield to open it again, or choose Quit there to stop it."))
}

// open shows the window and brings it to the front.
func (u *window) open() {
	u.shown.Store(true)
	u.rest.stop()
	u.win.Show()
	u.win.RequestFocus()
}
