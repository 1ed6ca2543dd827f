//go:build !windows

package ui

import "fyne.io/fyne/v2"

// trayIconBytes is a shield as the tray takes it: the PNG itself (Linux's
// tray decodes it into the pixels it sends the panel; macOS reads PNG).
func trayIconBytes(r fyne.Resource) []byte { return r.Content() }
