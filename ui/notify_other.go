//go:build !linux && !freebsd && !openbsd && !netbsd

package ui

import "fyne.io/fyne/v2"

// desktopNotifier is Fyne's: on Windows and macOS it names notifications
// with the app's name.
func desktopNotifier(fallback func(*fyne.Notification)) func(*fyne.Notification) { return fallback }
