//go:build !linux && !freebsd && !openbsd && !netbsd

package ui

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"localguard/assets"
)

// desktopNotifier is Fyne's: on Windows and macOS it names notifications
// with the app's name.
func desktopNotifier(fallback func(*fyne.Notification)) func(*fyne.Notification) { return fallback }

// residentNotifier is the tray's notifier: Fyne's (a toast on Windows),
// through a Fyne app that is made for it on the first notification and
// never run, so that it opens no window and no render loop.
func residentNotifier() func(*fyne.Notification) {
	var once sync.Once
	var a fyne.App
	return func(n *fyne.Notification) {
		once.Do(func() {
			a = app.NewWithID(AppID)
			a.SetIcon(assets.ShieldSafeBitmap) // the toast's picture
		})
		a.SendNotification(n)
	}
}
