//go:build linux || freebsd || openbsd || netbsd

package ui

import (
	"fyne.io/fyne/v2"
	"github.com/godbus/dbus/v5"
)

// desktopNotifier sends notifications through the desktop's notification
// service itself, named "Localguard": Fyne's own names them with the
// app's ID (io.github.localguard.localguard). Where the service does not
// answer, fallback (Fyne's) sends it.
func desktopNotifier(fallback func(*fyne.Notification)) func(*fyne.Notification) {
	return func(n *fyne.Notification) {
		conn, err := dbus.SessionBus() // shared: not closed
		if err == nil {
			obj := conn.Object("org.freedesktop.Notifications", "/org/freedesktop/Notifications")
			call := obj.Call("org.freedesktop.Notifications.Notify", 0, appName, uint32(0),
				"security-high", n.Title, n.Content, []string{}, map[string]dbus.Variant{}, int32(-1))
			if call.Err == nil {
				return
			}
		}
		fallback(n)
	}
}
