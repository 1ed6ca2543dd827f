//go:build linux || freebsd || openbsd || netbsd

package ui

import (
	"context"

	"fyne.io/fyne/v2"
	"github.com/godbus/dbus/v5"
)

// notifyDesktop sends n through the desktop's notification service
// itself, named "Localguard" (Fyne's own names them with the app's ID,
// io.github.localguard.localguard); false when the service does not
// answer.
func notifyDesktop(n *fyne.Notification) bool {
	conn, err := dbus.SessionBus() // shared with the tray and Fyne's: not closed here
	if err != nil {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), askTimeout)
	defer cancel()
	obj := conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
	call := obj.CallWithContext(ctx, "org.freedesktop.Notifications.Notify", 0, appName, uint32(0),
		"security-high", n.Title, n.Content, []string{}, map[string]dbus.Variant{}, int32(-1))
	return call.Err == nil
}

// desktopNotifier is the window's notifier: the desktop's service, else
// fallback (Fyne's).
func desktopNotifier(fallback func(*fyne.Notification)) func(*fyne.Notification) {
	return func(n *fyne.Notification) {
		if !notifyDesktop(n) {
			fallback(n)
		}
	}
}

// residentNotifier is the tray's notifier: the desktop's service (Fyne's
// would say the same on the same bus, and needs a Fyne app the tray does
// not run).
func residentNotifier() func(*fyne.Notification) {
	return func(n *fyne.Notification) { notifyDesktop(n) }
}
