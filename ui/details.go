package ui

import (
	"cmp"
	"fmt"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/layout"
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
// neighbour would type and the trust toggle; with several FlowMeters,
// under a heading each. The heading "Where it can be reached" shows only
// over something.
func (u *window) renderReach(v netcheck.Verdict) {
	u.reach.RemoveAll()
	u.trust = nil
	exposed := 0
	several := len(v.Listeners) > 1
	for _, l := range v.Listeners {
		if several {
			u.reach.Add(subheading(flowMeterName(l)))
		}
		for _, e := range l.ExposedOn {
			exposed++
			u.reach.Add(u.exposureRow(e))
		}
		if several && len(l.ExposedOn) == 0 {
			u.reach.Add(plain("From this computer only."))
		}
	}
	exposed += u.renderRelays(v)
	switch {
	case len(v.Listeners) == 0 && exposed == 0:
		u.reach.Add(plain("FlowMeter is not running now, so no one can reach it. What matters is where its settings put it at its next start (see Why)."))
	case exposed == 0 && !several:
		u.reach.Add(plain("From this computer only."))
	}
	if len(u.trust) > 0 {
		hint := plain("Trust only a network where you know everyone, such as your home or your lab. FlowMeter there counts as safe; untrust it in Settings.")
		hint.SizeName = theme.SizeNameCaptionText
		u.reach.Add(hint)
	}
}

// renderRelays lists the relays that pass FlowMeter on from their own
// addresses, or carry it to another host; it returns how many ways in
// they open.
func (u *window) renderRelays(v netcheck.Verdict) int {
	exposed := 0
	u.relayStop = map[int32]*widget.Button{}
	for _, r := range v.Relays {
		if r.Kind == netcheck.RelayTunnel {
			exposed++
			u.reach.Add(subheading("Through a tunnel"))
			u.reach.Add(plain(tunnelWords(r)))
			u.reach.Add(u.relayActions(r))
			continue
		}
		switch {
		case len(r.ExposedOn) > 0 && r.Kind == netcheck.RelayNAT:
			// The kernel's own forwarding: no process to name or stop.
			u.reach.Add(subheading("Through a NAT rule of this computer's kernel"))
			u.reach.Add(plain(fmt.Sprintf("The rule (%s) passes FlowMeter on from port %d, here:", r.Program, r.Port)))
			u.reach.Add(u.relayActions(r))
		case len(r.ExposedOn) > 0:
			u.reach.Add(subheading("Through " + relayName(r)))
			u.reach.Add(plain(fmt.Sprintf("It passes FlowMeter on from its own port %d, here:", r.Port)))
			u.reach.Add(u.relayActions(r))
		}
		for _, e := range r.ExposedOn {
			exposed++
			u.reach.Add(u.exposureRow(e))
		}
	}
	return exposed
}

// subheading is a bold line over a group of rows.
func subheading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.Wrapping = fyne.TextWrapWord
	return l
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
	u.relayAsk = u.ask("Stop this relay?", stopRelayWords(r), "Keep it running", "Stop it", true, func(yes bool) {
		u.relayAsk = nil
		if !yes {
			return
		}
		u.eng.stopRelay(r.PID, func(err error) {
			u.do(func() {
				if err != nil {
					u.say(sentence(err), true)
					return
				}
				u.say("Stopped "+relayName(r)+".", false)
			})
		})
	})
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
	label := networkLabel(e)
	if e.FirewallCategory != "" {
		label += ", a " + e.FirewallCategory + " network to Windows"
	}
	name := widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	kindName, who := e.Kind.Words()
	if who != "" {
		kindName += ": " + who
	}
	kindName += firewallNote(e)
	kind := widget.NewLabel(asSentence(kindName))
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
		// Not trusting is the safe choice, and the default.
		u.trustAsk = u.ask("Trust this network?", q, "Do not trust", "Trust it", false, func(yes bool) {
			u.trustAsk = nil
			if u.trustAnswer != nil {
				u.trustAnswer(yes)
			}
		})
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
// the cause and the formula sandbox (under a heading each when there are
// several); then the settings. The labels stand in one column, flush
// left, in every state.
func (u *window) renderWhy(v netcheck.Verdict) {
	u.why.RemoveAll()
	several := len(v.Listeners) > 1
	for _, l := range v.Listeners {
		if several {
			u.why.Add(subheading(flowMeterName(l)))
		}
		rows := whyRows(nil, "Running", processWords(l)+inFolder(l.Cwd))
		rows = whyRows(rows, "Listens on", fmt.Sprintf("%s, port %d", l.Address, l.Port))
		rows = whyRows(rows, "Put there by", causeWords(l))
		rows = whyRows(rows, "Formula sandbox", sandboxWords(l.FormulaSandbox))
		if l.FormulaSandbox == netcheck.SandboxOff {
			rows[len(rows)-1].(*widget.Label).Importance = widget.DangerImportance
		}
		if fw := firewallWhy(l.ExposedOn); fw != "" {
			rows = whyRows(rows, "Firewall", fw)
		}
		if l.PID != 0 && l.PID == u.restarted.pid {
			rows = whyRows(rows, "Its output", "Localguard started it again; what it prints goes to "+u.restarted.log+".")
		}
		u.why.Add(container.New(layout.NewFormLayout(), rows...))
	}
	rows := whyRows(nil, "Next start", settingsWords(v.Env))
	if v.Advice != "" {
		rows = whyRows(rows, "To change", asSentence(v.Advice))
	}
	u.why.Add(container.New(layout.NewFormLayout(), rows...))
}

// whyRows adds a label and its text to the rows of a Why table.
func whyRows(rows []fyne.CanvasObject, label, text string) []fyne.CanvasObject {
	l := widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return append(rows, whyLabel(l), wrapped(text))
}

// whyLabels are every label Why's table has in some state: its first
// column is as wide as the widest, whichever rows a state shows.
var whyLabels = []string{"Running", "Listens on", "Put there by", "Formula sandbox", "Firewall", "Its output", "Next start", "To change"}

// whyLabel gives a label of Why's table the column's one width.
func whyLabel(l *widget.Label) fyne.CanvasObject {
	var w float32
	for _, s := range whyLabels {
		w = max(w, widget.NewLabelWithStyle(s, fyne.TextAlignLeading, fyne.TextStyle{Bold: true}).MinSize().Width)
	}
	r := canvas.NewRectangle(color.Transparent)
	r.SetMinSize(fyne.NewSize(w, 0))
	return container.NewStack(r, l)
}

// inFolder is " in dir", or "" without one.
func inFolder(dir string) string {
	if dir == "" {
		return ""
	}
	return " in " + dir
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
