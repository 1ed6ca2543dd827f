package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"localguard/assets"
	"localguard/netcheck"
)

// The words on the window's and the tray's buttons, in one place.
const (
	labelMakeLocal  = "Make FlowMeter local-only…"
	labelShowHow    = "Show how to fix…"
	labelOpen       = "Open Localguard"
	labelCheckNow   = "Check now"
	labelQuit       = "Quit"
	labelUndo       = "Undo the last fix"
	labelStop       = "Stop FlowMeter now…"
	labelSettings   = "Settings…"
	labelChange     = "Choose folder…"
	labelTrust      = "I trust this network"
	labelFindingFix = "Make safe…"
)

// windowTitle starts with "Localguard", as the desktop shows it.
const windowTitle = "Localguard — FlowMeter"

// statusTitle is the header's first line: the status as a person says it.
func statusTitle(v netcheck.Verdict) string {
	if _, ok := restartFor(v); ok {
		return "Fixed — restart FlowMeter to finish"
	}
	switch v.Status {
	case netcheck.StatusSafe:
		return "Safe — FlowMeter is local-only"
	case netcheck.StatusExposed:
		return "Exposed — others can reach FlowMeter"
	case netcheck.StatusAtRisk:
		return "At risk — FlowMeter would be exposed at its next start"
	}
	return "Localguard cannot tell"
}

// statusImportance colours the header's first line.
func statusImportance(s netcheck.Status) widget.Importance {
	switch s {
	case netcheck.StatusSafe:
		return widget.SuccessImportance
	case netcheck.StatusExposed:
		return widget.DangerImportance
	case netcheck.StatusAtRisk:
		return widget.WarningImportance
	}
	return widget.MediumImportance
}

// shield is a status's shield: vector for the window's header, bitmap for
// the tray and the taskbar, which take only bitmaps.
type shield struct{ vector, bitmap fyne.Resource }

// shieldFor is the shield of a status, the same in the window and the tray.
func shieldFor(s netcheck.Status) shield {
	switch s {
	case netcheck.StatusSafe:
		return shield{assets.ShieldSafe, assets.ShieldSafeBitmap}
	case netcheck.StatusExposed:
		return shield{assets.ShieldExposed, assets.ShieldExposedBitmap}
	case netcheck.StatusAtRisk:
		return shield{assets.ShieldAtRisk, assets.ShieldAtRiskBitmap}
	}
	return shield{assets.ShieldUnknown, assets.ShieldUnknownBitmap}
}

// actionLabel is the one button's label: the fix Localguard can apply,
// the advice when the .env is not the cause, or "" when there is nothing
// to do (the button is then hidden in the window, disabled in the tray).
func actionLabel(v netcheck.Verdict) string {
	switch {
	case v.Fix != "":
		return labelMakeLocal
	case v.Advice != "":
		return labelShowHow
	}
	return ""
}

// trayStatusLabel is the tray menu's first, disabled line.
func trayStatusLabel(v netcheck.Verdict, known bool) string {
	if !known {
		return "Localguard: checking…"
	}
	if _, ok := restartFor(v); ok {
		return "Fixed: restart FlowMeter to finish"
	}
	switch v.Status {
	case netcheck.StatusSafe:
		return "Safe: FlowMeter is local-only"
	case netcheck.StatusExposed:
		if names := untrustedInterfaces(v); names != "" {
			return "Exposed: FlowMeter can be reached on " + names
		}
		return "Exposed: others can reach FlowMeter"
	case netcheck.StatusAtRisk:
		return "At risk: exposed at FlowMeter's next start"
	}
	return "Localguard cannot tell: open it to see why"
}

// trayActionLabel is the tray's fix item: always there, so the menu keeps
// its shape; disabled (enabled false) when there is nothing to fix.
func trayActionLabel(v netcheck.Verdict, known bool) (label string, enabled bool) {
	if !known {
		return labelMakeLocal, false
	}
	if l := actionLabel(v); l != "" {
		return l, true
	}
	return labelMakeLocal, false
}

// untrustedInterfaces names the interfaces FlowMeter answers on that the
// user does not trust: "wlan0, eth0".
func untrustedInterfaces(v netcheck.Verdict) string {
	var names []string
	for _, l := range v.Listeners {
		for _, e := range l.ExposedOn {
			if !e.Trusted && !contains(names, e.Interface) {
				names = append(names, e.Interface)
			}
		}
	}
	return strings.Join(names, ", ")
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// causeWords says what put a listener on its address, as netcheck found
// it: the deciding .env line, the flag, the variable or the container.
func causeWords(l netcheck.Listener) string {
	if l.Why == "" {
		return "Localguard cannot tell: see the message above."
	}
	return strings.ToUpper(l.Why[:1]) + l.Why[1:] + "."
}

// settingsWords says where FlowMeter's settings put it at its next start.
func settingsWords(env netcheck.EnvSummary) string {
	host := env.Host
	if host == "" {
		host = `""`
	}
	switch env.HostSource {
	case "environment":
		return fmt.Sprintf("HOST=%s, from the environment variable %s.", host, env.HostVariable)
	case "file":
		return fmt.Sprintf("HOST=%s, from %s:%d.", host, env.Path, env.HostLine)
	}
	if !env.Exists {
		return fmt.Sprintf("HOST=%s, FlowMeter's default: %s does not exist.", host, env.Path)
	}
	return fmt.Sprintf("HOST=%s, FlowMeter's default: %s sets no HOST.", host, env.Path)
}

// sandboxWords says what the formula sandbox state means.
func sandboxWords(state string) string {
	switch state {
	case "on":
		return "On: formulas cannot run programs on this computer."
	case "off":
		return "OFF: anyone who reaches FlowMeter can run any program on this computer."
	}
	return "Unknown: FlowMeter did not say."
}

// processWords names the process a person would stop and start again.
func processWords(l netcheck.Listener) string {
	switch {
	case l.PID != 0 && l.Cmdline != "":
		return fmt.Sprintf("%s (pid %d)", l.Cmdline, l.PID)
	case l.PID != 0:
		return fmt.Sprintf("%s (pid %d)", l.Process, l.PID)
	}
	return "a process of another user"
}

// restartFor finds the FlowMeter process that must restart for a fix
// already written to take effect, as the verdict names it.
func restartFor(v netcheck.Verdict) (netcheck.Listener, bool) {
	for _, l := range v.Listeners {
		if v.RestartPID != 0 && l.PID == v.RestartPID {
			return l, true
		}
	}
	return netcheck.Listener{}, false
}

// intervals are the check intervals offered in the settings.
var intervals = []struct {
	label   string
	seconds int
}{
	{"every second", 1},
	{"every 2 seconds", 2},
	{"every 5 seconds", 5},
	{"every 10 seconds", 10},
	{"every 30 seconds", 30},
	{"every minute", 60},
}

// intervalLabel names an interval in seconds; an unknown one in seconds.
func intervalLabel(seconds int) string {
	for _, i := range intervals {
		if i.seconds == seconds {
			return i.label
		}
	}
	return fmt.Sprintf("every %d seconds", seconds)
}
