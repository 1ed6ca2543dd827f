package ui

import (
	"cmp"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"localguard/netcheck"
)

// renderFindings lists the other risky settings, each with its own fix.
func (u *window) renderFindings(v netcheck.Verdict) {
	u.findings.RemoveAll()
	u.findingFix = map[string]*widget.Button{}
	if len(v.Findings) == 0 {
		return
	}
	u.findings.Add(section("Other settings to fix"))
	for _, f := range v.Findings {
		icon := widget.NewIcon(theme.WarningIcon())
		if f.Severity == netcheck.SeverityCritical {
			icon = widget.NewIcon(theme.ErrorIcon())
		}
		text := widget.NewLabel(f.Key + ": " + f.Message)
		text.Wrapping = fyne.TextWrapWord
		var fix fyne.CanvasObject
		if f.Fix != "" {
			b := widget.NewButton(labelFindingFix, func() { u.tapFindingFix(f.Key) })
			u.findingFix[f.Key] = b
			fix = container.NewVBox(b)
		}
		u.findings.Add(container.NewBorder(nil, nil, container.NewVBox(icon), fix, text))
	}
}

// renderReach lists every address FlowMeter answers on, with the URL a
// neighbour would type and the trust toggle.
func (u *window) renderReach(v netcheck.Verdict) {
	u.reach.RemoveAll()
	u.trust = nil
	exposed := 0
	for _, l := range v.Listeners {
		for _, e := range l.ExposedOn {
			exposed++
			u.reach.Add(u.exposureRow(e))
		}
	}
	// Relays pass FlowMeter on from their own addresses, or carry it to
	// another host.
	u.relayStop = map[int32]*widget.Button{}
	for _, r := range v.Relays {
		if r.Kind == netcheck.RelayTunnel {
			exposed++
			u.reach.Add(plain(fmt.Sprintf("Through a tunnel: %s (pid %d) carries FlowMeter to %s, beyond this computer.", r.Program, r.PID, r.Remote)))
			u.reach.Add(u.relayActions(r))
			continue
		}
		switch {
		case len(r.ExposedOn) > 0 && r.Kind == netcheck.RelayNAT:
			// The kernel's own forwarding: no process to name or stop.
			u.reach.Add(plain(fmt.Sprintf("Through a NAT rule of this computer's kernel (%s), which passes FlowMeter on from port %d:", r.Program, r.Port)))
			u.reach.Add(u.relayActions(r))
		case len(r.ExposedOn) > 0:
			u.reach.Add(plain(fmt.Sprintf("Through %s (pid %d), which passes FlowMeter on from port %d:", relayName(r), r.PID, r.Port)))
			u.reach.Add(u.relayActions(r))
		}
		for _, e := range r.ExposedOn {
			exposed++
			u.reach.Add(u.exposureRow(e))
		}
	}
	switch {
	case len(v.Listeners) == 0:
		u.reach.Add(plain("FlowMeter is not running now, so no one can reach it. What matters is where its settings put it at its next start (see Why)."))
	case exposed == 0:
		u.reach.Add(plain(fmt.Sprintf("From this computer only (FlowMeter listens on %s, port %d).", v.Listeners[0].Address, v.Listeners[0].Port)))
	default:
		hint := plain("Trust only a network where you know everyone, such as your home or your lab. FlowMeter there counts as safe; untrust it in Settings.")
		hint.SizeName = theme.SizeNameCaptionText
		u.reach.Add(hint)
	}
}

// relayActions are a relay's buttons: how to fix it at its source, and
// stopping it (after a warning; FlowMeter itself keeps running).
func (u *window) relayActions(r netcheck.Relay) fyne.CanvasObject {
	row := container.NewHBox()
	if how := cmp.Or(r.Fix, r.Advice); how != "" {
		row.Add(widget.NewButton("How to fix it…", func() { u.showHowTo(netcheck.Verdict{Advice: how}) }))
	}
	if r.PID != 0 {
		stop := widget.NewButtonWithIcon("Stop this relay…", theme.MediaStopIcon(), func() { u.askStopRelay(r) })
		u.relayStop[r.PID] = stop
		row.Add(stop)
	}
	return row
}

// askStopRelay asks, then stops the relay: anyone using FlowMeter through
// it is cut off.
func (u *window) askStopRelay(r netcheck.Relay) {
	d := dialog.NewConfirm("Stop this relay?",
		fmt.Sprintf("Localguard will stop %s (pid %d), as Ctrl-C would. Anyone using FlowMeter through it is cut off; FlowMeter itself keeps running.", relayName(r), r.PID),
		func(yes bool) {
			if !yes {
				return
			}
			u.eng.stopRelay(r.PID, func(err error) {
				u.do(func() {
					if err != nil {
						u.say(sentence(err), true)
						return
					}
					u.say(fmt.Sprintf("Stopped %s (pid %d).", relayName(r), r.PID), false)
				})
			})
		}, u.win)
	d.SetConfirmText("Stop it")
	d.SetDismissText("Keep it running")
	u.relayAsk = d
	d.Show()
}

// relayName names a relay for people.
func relayName(r netcheck.Relay) string {
	if r.Program == "vite" {
		return "FlowMeter's web page server (Vite)"
	}
	return r.Program
}

// exposureRow is one interface address: its name and kind, the URL, and
// the trust toggle.
func (u *window) exposureRow(e netcheck.Exposure) fyne.CanvasObject {
	label := e.Interface
	if e.Network != "" {
		label = e.Network + " (" + e.Interface + ")"
	}
	if e.FirewallCategory != "" {
		label += ", a " + e.FirewallCategory + " network to Windows"
	}
	name := widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	kindName, who := e.Kind.Words()
	if who != "" {
		kindName += ": " + who
	}
	kindName += firewallNote(e)
	kind := widget.NewLabel(kindName)
	kind.Wrapping = fyne.TextWrapWord
	// The URL is in the window's regular face: a monospace one would cost
	// Fyne another 5 MB of fonts (its emoji and fallback faces are loaded
	// anew for each text style) for the whole time Localguard runs.
	url := widget.NewLabel(e.URL)
	url.Selectable = true
	if !e.Trusted && !e.Blocked() {
		url.Importance = widget.DangerImportance
	}
	t := &trustToggle{exposure: e}
	t.check = widget.NewCheck(labelTrust, func(on bool) { u.setTrust(t, on) })
	t.check.Checked = e.Trusted
	u.trust = append(u.trust, t)
	icon := widget.NewIcon(theme.ErrorIcon())
	switch {
	case e.Trusted:
		icon = widget.NewIcon(theme.ConfirmIcon())
	case e.Blocked():
		icon = widget.NewIcon(theme.WarningIcon())
	}
	// The trust box stands right after its address, however wide the
	// window.
	return container.NewBorder(nil, nil, container.NewVBox(icon), nil,
		container.NewVBox(container.NewBorder(nil, nil, name, nil, kind), container.NewHBox(url, t.check)))
}

// firewallNote says what the host firewall does on that network, when
// Localguard asked it: kept out for now, or not readable (counted open).
func firewallNote(e netcheck.Exposure) string {
	switch {
	case e.Trusted || e.Firewall == nil:
		return ""
	case e.Blocked():
		return ". Kept out by " + e.Firewall.By + " for now (" + e.Firewall.Rule + "): one changed rule opens it"
	case e.Firewall.Decision == "unknown":
		return ". The firewall could not be read, so it counts as open"
	}
	return ""
}

// firewallWhy says what the host firewall does where the listener can be
// reached: what keeps others out for now, or that it could not be read
// (and why), so the networks count as open; "" when it was not asked.
func firewallWhy(es []netcheck.Exposure) string {
	for _, e := range es {
		if !e.Trusted && e.Firewall != nil && e.Firewall.Decision == "unknown" {
			return "Localguard could not read the firewall (" + e.Firewall.Rule + "), so it counts every network it could not read as open."
		}
	}
	for _, e := range es {
		if e.Blocked() {
			return e.Firewall.By + " keeps others out on some networks for now (" + e.Firewall.Rule + "); that is no protection FlowMeter keeps: make it local-only."
		}
	}
	return ""
}

// setTrust remembers the network of an exposure as trusted or not; the
// verdict that follows shows the result.
func (u *window) setTrust(t *trustToggle, on bool) {
	if on == t.exposure.Trusted {
		return
	}
	if q := trustQuestion(t.exposure, on); q != "" && !t.asked {
		// A public address or a VPN is rarely a network where one knows
		// everyone: ask once, with the consequence.
		t.check.SetChecked(false)
		u.trustAnswer = func(yes bool) {
			u.trustAnswer = nil
			if yes {
				t.asked = true
				t.check.SetChecked(true)
			}
		}
		d := dialog.NewConfirm("Trust this network?", q, func(yes bool) {
			if u.trustAnswer != nil {
				u.trustAnswer(yes)
			}
		}, u.win)
		d.SetConfirmText("Trust it")
		d.SetDismissText("Do not trust")
		d.Show()
		return
	}
	t.check.Disable()
	// Via is this computer's address on that network (Address may be
	// another interface's, reached through it).
	u.eng.trust(t.exposure.Interface, cmp.Or(t.exposure.Via, t.exposure.Address), on, func(err error) {
		u.do(func() {
			t.check.Enable()
			if err != nil {
				t.check.SetChecked(t.exposure.Trusted)
				u.say("Could not change the trust of "+t.exposure.Interface+": "+err.Error(), true)
			}
		})
	})
}

// renderWhy says what put FlowMeter where it is: per listener the process,
// the cause and the formula sandbox; without one, the settings.
func (u *window) renderWhy(v netcheck.Verdict) {
	u.why.RemoveAll()
	form := widget.NewForm()
	for _, l := range v.Listeners {
		running := processWords(l)
		if l.Cwd != "" {
			running += " in " + l.Cwd
		}
		form.Append("Running", wrapped(running))
		form.Append("Listens on", wrapped(fmt.Sprintf("%s, port %d", l.Address, l.Port)))
		form.Append("Put there by", wrapped(causeWords(l)))
		sandbox := wrapped(sandboxWords(l.FormulaSandbox))
		if l.FormulaSandbox == netcheck.SandboxOff {
			sandbox.Importance = widget.DangerImportance
		}
		form.Append("Formula sandbox", sandbox)
		if fw := firewallWhy(l.ExposedOn); fw != "" {
			form.Append("Firewall", wrapped(fw))
		}
		if l.PID != 0 && l.PID == u.restarted.pid {
			form.Append("Its output", wrapped("Localguard started it again; what it prints goes to "+u.restarted.log+"."))
		}
	}
	form.Append("Next start", wrapped(settingsWords(v.Env)))
	if v.Advice != "" {
		form.Append("To change", wrapped(v.Advice))
	}
	u.why.Add(form)
}

// plain is a wrapping label.
func plain(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// wrapped is a wrapping label whose text can be selected and copied.
func wrapped(text string) *widget.Label {
	l := plain(text)
	l.Selectable = true
	return l
}
