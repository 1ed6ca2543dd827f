package ui

import (
	"fyne.io/fyne/v2"

	"localguard/netcheck"
)

// trayView is everything the tray shows for one verdict: its shield, the
// tooltip and the menu's status line and fix. trayFor computes it; a
// trayShower puts it on screen. The menu's other items (Open, Check now,
// Quit) never change.
type trayView struct {
	icon    fyne.Resource // a bitmap: trays read no SVG
	tooltip string
	status  string
	// action is the fix item's label; actionOn, whether it can be chosen.
	action   string
	actionOn bool
}

// trayFor is the tray for the verdict v; known is false until the first
// verdict arrives.
func trayFor(v netcheck.Verdict, known bool) trayView {
	status := trayStatusLabel(v, known)
	action, on := trayActionLabel(v, known)
	icon := shieldFor(v.Status).bitmap
	if !known {
		icon = shieldFor(netcheck.StatusError).bitmap
	}
	return trayView{icon: icon, tooltip: appName + ": " + status, status: status, action: action, actionOn: on}
}

// trayShower shows a trayView: the system tray (systrayShower), or a
// test's recorder.
type trayShower interface {
	show(trayView)
}

// trayMenu is what the tray's menu items do, each run on its own
// goroutine.
type trayMenu struct {
	open, fix, checkNow, quit func()
}

// appName is how the desktop names Localguard in notifications and in the
// tray's tooltip.
const appName = "Localguard"

// trayNoInstall is the tray while no FlowMeter install is known and none
// runs: the window asks for the folder.
func trayNoInstall() trayView {
	status := "No FlowMeter install chosen: open Localguard"
	return trayView{icon: shieldFor(netcheck.StatusError).bitmap, tooltip: appName + ": " + status, status: status, action: labelMakeLocal}
}
