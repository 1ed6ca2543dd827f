package ui

import (
	"net/netip"

	"fyne.io/fyne/v2"

	"localguard/netcheck"
)

// notifier sends one notification per change of status, never per poll,
// and only while the user wants them.
type notifier struct {
	send    func(*fyne.Notification)
	enabled func() bool
	// last is the last status that counts (exposed, at-risk, safe); ""
	// until the first verdict, which the open window already shows.
	last netcheck.Status
	// fixed is true from a fix applied in this run to the green that
	// follows it.
	fixed bool
}

// statusStopped is the notifier's own state for FlowMeter stopped after a
// fix, between the fix and FlowMeter's return.
const statusStopped netcheck.Status = "stopped"

// fixApplied marks that the next turn to safe is the fix taking effect.
func (n *notifier) fixApplied() { n.fixed = true }

// verdict notifies when v changes the status that counts.
func (n *notifier) verdict(v netcheck.Verdict) {
	if v.Status == netcheck.StatusError {
		return // a failed check is no news: the next one decides
	}
	prev := n.last
	n.last = v.Status
	if v.Status == netcheck.StatusSafe && n.fixed && !installRunsLocal(v) {
		// Stopped to finish a fix: nothing is in effect until FlowMeter
		// runs again; its return on this computer only is the news.
		n.last = statusStopped
		return
	}
	note := statusNotification(prev, v, n.fixed)
	if v.Status == netcheck.StatusSafe {
		n.fixed = false
	}
	if note != nil && n.enabled() {
		n.send(note)
	}
}

// statusNotification is the notification for a change from the status
// prev to the verdict v, nil when there is none: no news on the first
// verdict, none while the status stays.
func statusNotification(prev netcheck.Status, v netcheck.Verdict, fixed bool) *fyne.Notification {
	if prev == "" || prev == v.Status {
		return nil
	}
	switch v.Status {
	case netcheck.StatusExposed:
		return fyne.NewNotification("FlowMeter can be reached from the network", v.Message)
	case netcheck.StatusAtRisk:
		return fyne.NewNotification("FlowMeter would be exposed at its next start", v.Message)
	case netcheck.StatusSafe:
		if fixed {
			return fyne.NewNotification("FlowMeter is local-only now", "The fix is in effect: "+v.Message)
		}
		return fyne.NewNotification("FlowMeter is safe again", v.Message)
	}
	return nil
}

// installRunsLocal reports whether the chosen install's FlowMeter runs
// (the verdict lists every FlowMeter on the machine), and on loopback only:
// the fix in effect. One still on every address is stopping, not fixed.
func installRunsLocal(v netcheck.Verdict) bool {
	runs := false
	for _, l := range v.Listeners {
		if l.EnvPath != "" && l.EnvPath != v.Env.Path {
			continue
		}
		if a, err := netip.ParseAddr(l.Address); err != nil || !a.IsLoopback() {
			return false
		}
		runs = true
	}
	return runs
}
