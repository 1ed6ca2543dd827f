// Package ui is Localguard's window and tray, in Fyne. It renders the
// verdict netcheck computes and calls the fix netcheck plans; it decides
// nothing of its own. One engine goroutine owns netcheck's Checker and
// Store; its results reach the widgets through fyne.Do.
package ui

import (
	"context"

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
// Localguard quits.
func Run(envPath string) {
	defer spareMissingHome()()
	a := app.NewWithID(AppID)
	a.SetIcon(assets.ShieldSafeBitmap) // Localguard's icon, as in FyneApp.toml
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
	w.Show()
	<-fonts
	start(ctx, a, w, envPath, newRest(ctx, fyne.Do, fyne.DoAndWait))
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
	w.SetMaster()
	if desk, ok := a.(desktop.App); ok && canTray() {
		u.tray = &tray{
			desk:     desk,
			open:     u.open,
			fix:      func() { u.open(); u.tapAction() },
			checkNow: u.tapCheckNow,
			quit:     a.Quit,
		}
		u.tray.render(netcheck.Verdict{}, false)
		w.SetCloseIntercept(func() {
			if trayHostPresent() {
				w.Hide() // Localguard keeps watching from the tray
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

// open shows the window and brings it to the front.
func (u *window) open() {
	u.rest.stop()
	u.win.Show()
	u.win.RequestFocus()
}
