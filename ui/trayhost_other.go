//go:build !linux && !freebsd && !openbsd && !netbsd

package ui

// trayPossible reports whether a tray icon can be set up: Windows and
// macOS always have a tray.
func trayPossible() bool { return true }

// trayHostPresent reports whether the desktop shows tray icons: Windows and
// macOS always do.
func trayHostPresent() bool { return true }
