//go:build linux || freebsd || openbsd || netbsd

package ui

import "github.com/godbus/dbus/v5"

// trayPossible reports whether a tray icon can be set up at all: the
// desktop's tray speaks D-Bus, and without a session bus Fyne's tray
// crashes on Quit.
func trayPossible() bool {
	_, err := dbus.SessionBus() // shared with the tray and notifications: not closed here
	return err == nil
}

// trayHostPresent reports whether the desktop shows tray icons now: on
// Linux, whether a StatusNotifierWatcher is on the session bus (KDE, and
// GNOME with the AppIndicator extension, have one; bare GNOME has none).
// Without one, closing the window must quit, or Localguard would run on
// with no way back to it.
func trayHostPresent() bool {
	conn, err := dbus.SessionBus()
	if err != nil {
		return false
	}
	var has bool
	err = conn.BusObject().Call("org.freedesktop.DBus.NameHasOwner", 0, "org.kde.StatusNotifierWatcher").Store(&has)
	return err == nil && has
}
