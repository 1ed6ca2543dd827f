package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/desktop"

	"localguard/netcheck"
)

// tray is the system tray icon and its menu, rebuilt from the state on
// every change rather than patched (the tailscale habit).
type tray struct {
	desk desktop.App
	// The menu's actions.
	open, fix, checkNow, quit func()
	// tooltip shows the status sentence over the icon
	// (systray.SetTooltip; a test's recorder).
	tooltip func(string)
}

// trayMenu is the tray's menu for a verdict: the status line (disabled),
// the fix, Open, Check now and Quit.
func trayMenu(v netcheck.Verdict, known bool, open, fix, checkNow, quit func()) *fyne.Menu {
	status := fyne.NewMenuItem(trayStatusLabel(v, known), nil)
	status.Disabled = true
	label, enabled := trayActionLabel(v, known)
	fixItem := fyne.NewMenuItem(label, fix)
	fixItem.Disabled = !enabled
	quitItem := fyne.NewMenuItem(labelQuit, quit)
	quitItem.IsQuit = true
	return fyne.NewMenu("Localguard",
		status,
		fyne.NewMenuItemSeparator(),
		fixItem,
		fyne.NewMenuItem(labelOpen, open),
		fyne.NewMenuItem(labelCheckNow, checkNow),
		fyne.NewMenuItemSeparator(),
		quitItem,
	)
}

// render shows a verdict in the tray: its shield and its menu.
func (t *tray) render(v netcheck.Verdict, known bool) {
	t.desk.SetSystemTrayMenu(trayMenu(v, known, t.open, t.fix, t.checkNow, t.quit))
	if t.tooltip != nil {
		t.tooltip(trayStatusLabel(v, known))
	}
	icon := shieldFor(v.Status).bitmap
	if !known {
		icon = shieldFor(netcheck.StatusError).bitmap
	}
	t.desk.SetSystemTrayIcon(icon)
}
