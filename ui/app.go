// Package ui is Localguard's window and tray, in Fyne. It renders the
// verdict netcheck computes and calls the fix netcheck plans; it decides
// nothing of its own.
package ui

import (
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"

	"localguard/assets"
	"localguard/netcheck"
)

// AppID is Localguard's reverse-DNS application ID; FyneApp.toml matches it.
const AppID = "io.github.localguard.localguard"

// Run opens the window for the FlowMeter install whose settings file is
// envPath and blocks until it is closed.
func Run(envPath string) {
	a := app.NewWithID(AppID)
	w := a.NewWindow("Localguard")
	w.SetContent(newStatusView(envPath).content)
	w.Resize(fyne.NewSize(560, 240))
	w.ShowAndRun()
}

// statusView shows the verdict's headline and message.
type statusView struct {
	content *fyne.Container
	shield  *widget.Icon
	message *widget.Label
}

func newStatusView(envPath string) *statusView {
	v := &statusView{shield: widget.NewIcon(assets.ShieldUnknown), message: widget.NewLabel("")}
	v.message.Wrapping = fyne.TextWrapWord
	v.content = container.NewBorder(nil, nil, v.shield, nil, v.message)
	if envPath == "" {
		v.message.SetText("Start Localguard with --env /path/to/FlowMeter/backend/.env to check a FlowMeter install.")
		return v
	}
	v.show(netcheck.Check(envPath, os.Environ()))
	return v
}

func (v *statusView) show(verdict netcheck.Verdict) {
	shields := map[netcheck.Status]fyne.Resource{
		netcheck.StatusSafe:    assets.ShieldSafe,
		netcheck.StatusAtRisk:  assets.ShieldAtRisk,
		netcheck.StatusExposed: assets.ShieldExposed,
	}
	icon, ok := shields[verdict.Status]
	if !ok {
		icon = assets.ShieldUnknown
	}
	v.shield.SetResource(icon)
	v.message.SetText(verdict.Message)
}
