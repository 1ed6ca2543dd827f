package ui

import "fyne.io/systray"

// appName is how the desktop names Localguard in notifications.
const appName = "Localguard"

// trayTooltip shows the status over the tray icon. Fyne's tray has no
// tooltip of its own; it runs fyne.io/systray, whose tooltip this sets.
// (A variable: tests, whose tray is not systray's, replace it.)
var trayTooltip = func(s string) { systray.SetTooltip(appName + ": " + s) }

// trayTapped runs f when the tray icon is clicked (not its menu).
var trayTapped = func(f func()) { systray.SetOnTapped(f) }
