package ui

import (
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/systray"
)

// systrayShower is the system tray, driven with fyne.io/systray directly
// (the library Fyne's own tray runs on), so that the process that stays
// in the tray loads no part of Fyne's renderer. Its menu is built once;
// a verdict changes the status line, the fix item, the icon and the
// tooltip.
type systrayShower struct {
	mu     sync.Mutex
	status *systray.MenuItem
	action *systray.MenuItem
	// icons are the shields as the tray takes them, converted once.
	icons map[fyne.Resource][]byte
	last  trayView
}

// runSystray shows the tray icon with its menu and blocks until
// systray.Quit; ready runs once the tray is there. It must run on the
// main goroutine (Windows' and macOS' trays need the main thread).
func runSystray(menu trayMenu, first trayView, ready func(*systrayShower), exit func()) {
	systray.Run(func() {
		s := &systrayShower{icons: map[fyne.Resource][]byte{}}
		systray.SetTitle(appName)
		s.status = systray.AddMenuItem(first.status, "")
		s.status.Disable()
		systray.AddSeparator()
		s.action = systray.AddMenuItem(first.action, "")
		open := systray.AddMenuItem(labelOpen, "")
		check := systray.AddMenuItem(labelCheckNow, "")
		systray.AddSeparator()
		quit := systray.AddMenuItem(labelQuit, "")
		s.show(first)
		systray.SetOnTapped(menu.open) // a left click opens the window
		go clicks(s.action.ClickedCh, menu.fix)
		go clicks(open.ClickedCh, menu.open)
		go clicks(check.ClickedCh, menu.checkNow)
		go clicks(quit.ClickedCh, menu.quit)
		ready(s)
	}, exit)
}

// clicks runs f for each click of a menu item.
func clicks(ch <-chan struct{}, f func()) {
	for range ch {
		f()
	}
}

// show puts v in the tray, changing only what changed.
func (s *systrayShower) show(v trayView) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if v.icon != s.last.icon {
		icon, ok := s.icons[v.icon]
		if !ok {
			icon = trayIconBytes(v.icon)
			s.icons[v.icon] = icon
		}
		systray.SetIcon(icon)
	}
	if v.tooltip != s.last.tooltip {
		systray.SetTooltip(v.tooltip)
	}
	if v.status != s.last.status {
		s.status.SetTitle(v.status)
	}
	if v.action != s.last.action {
		s.action.SetTitle(v.action)
	}
	if v.actionOn != s.last.actionOn || s.last.icon == nil {
		if v.actionOn {
			s.action.Enable()
		} else {
			s.action.Disable()
		}
	}
	s.last = v
}

// quitSystray ends runSystray.
func quitSystray() { systray.Quit() }
