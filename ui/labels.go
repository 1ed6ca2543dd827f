package ui

import (
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/widget"

	"localguard/assets"
	"localguard/envfix"
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
	labelStop       = "Restart FlowMeter now…"
	labelSettings   = "Settings…"
	labelChange     = "Choose folder…"
	labelTrust      = "I trust this network"
	labelFindingFix = "Make safe…"
	// labelChooseFolder opens the folder chooser when no FlowMeter is
	// known.
	labelChooseFolder = "Choose the FlowMeter folder…"
)

// windowTitle starts with "Localguard", as the desktop shows it.
const windowTitle = "Localguard — FlowMeter"

// lastAction is what the user did last in this run that the header must
// reflect until the machine moves on.
type lastAction int

const (
	actionNone lastAction = iota
	// actionStopped: the user stopped FlowMeter from the window to finish
	// a fix; it is not running until the user starts it again.
	actionStopped
	// actionRestarted: the window restarted FlowMeter; it is starting.
	actionRestarted
)

// header is the window's status header: one title, one sentence, one next
// step, and the shield that goes with them.
type header struct {
	title      string
	sentence   string
	importance widget.Importance
	// action is the one button's label, "" for none.
	action string
	shield shield
}

// headerFor is the header for a verdict and the last action: a pure
// function, so every state is a table row.
func headerFor(v netcheck.Verdict, known bool, last lastAction) header {
	if h, ok := passingHeader(v, known, last); ok {
		return h
	}
	switch v.Status {
	case netcheck.StatusExposed:
		return exposedHeader(v)
	case netcheck.StatusAtRisk:
		return atRiskHeader(v)
	}
	return safeHeader(v)
}

// passingHeader is the header of a state that passes: still checking, an
// error, a fix waiting for a restart, a restart or stop under way. ok is
// false when the verdict's status says it all.
func passingHeader(v netcheck.Verdict, known bool, last lastAction) (h header, ok bool) {
	switch {
	case !known:
		return header{title: "Checking FlowMeter…", sentence: "Localguard is looking at FlowMeter's settings and at this computer's networks.",
			importance: widget.MediumImportance, shield: shieldFor(netcheck.StatusError)}, true
	case v.Status == netcheck.StatusError:
		h := header{title: "Localguard cannot tell", sentence: windowWords(v.Message),
			importance: widget.MediumImportance, shield: shieldFor(netcheck.StatusError)}
		if h.sentence == noInstallWords {
			h.action = labelChooseFolder
		}
		return h, true
	}
	if _, ok := restartFor(v); ok {
		return header{title: "Fixed — restart FlowMeter to finish",
			sentence:   "The settings are fixed, but FlowMeter still runs with its old ones: others can reach it until it starts again.",
			importance: widget.WarningImportance, action: labelStop, shield: shieldFor(netcheck.StatusAtRisk)}, true
	}
	// Stopped and restarting hold only while the settings keep FlowMeter
	// local: an undo, an edit, ends them.
	if last == actionRestarted && v.Status == netcheck.StatusSafe {
		return header{title: "Restarting — FlowMeter will be local-only",
			sentence:   "FlowMeter is starting again with the fixed settings; Localguard turns green once it answers on this computer only.",
			importance: widget.MediumImportance, shield: shieldFor(netcheck.StatusSafe)}, true
	}
	if last == actionStopped && v.Status == netcheck.StatusSafe {
		return header{title: "Stopped — FlowMeter will start local-only",
			sentence:   "Start FlowMeter again the way you usually do: it will read the fixed settings and listen on this computer only.",
			importance: widget.MediumImportance, shield: shieldFor(netcheck.StatusSafe)}, true
	}
	return header{}, false
}

// exposedHeader is the header of an exposed FlowMeter.
func exposedHeader(v netcheck.Verdict) header {
	what := "read every dataset in it"
	if sandboxOff(v) {
		what = "run any program on this computer: its formula sandbox is off"
	}
	return header{title: "Exposed — others can reach FlowMeter", sentence: exposedSentence(v, what),
		importance: widget.DangerImportance, action: actionLabel(v), shield: shieldFor(netcheck.StatusExposed)}
}

// exposedSentence says who can open FlowMeter and do what: anyone on the
// networks named, this computer's containers, whoever is at a tunnel's
// far end.
func exposedSentence(v netcheck.Verdict, what string) string {
	var nets []string
	virtual, tunnel := false, false
	for _, e := range untrustedExposures(v) {
		switch {
		case e.Kind == netcheck.KindVirtual:
			virtual = true
		case !contains(nets, networkPhrase(e)):
			nets = append(nets, networkPhrase(e))
		}
	}
	for _, r := range v.Relays {
		tunnel = tunnel || r.Kind == netcheck.RelayTunnel
	}
	var s string
	switch {
	case len(nets) > 0:
		s = "Anyone on " + joinNames(nets) + " can open FlowMeter and " + what + "."
		if virtual {
			s += " So can the containers and virtual machines on this computer."
		}
	case virtual:
		s = "The containers and virtual machines on this computer can open FlowMeter and " + what + "."
	case tunnel:
		return "A tunnel carries FlowMeter beyond this computer: anyone who reaches its far end can open FlowMeter and " + what + "."
	default:
		return "Others can open FlowMeter and " + what + "."
	}
	if tunnel {
		s += " A tunnel also carries it beyond this computer."
	}
	return s
}

// untrustedExposures are the addresses of FlowMeter and of its relays on
// networks not trusted.
func untrustedExposures(v netcheck.Verdict) []netcheck.Exposure {
	var out []netcheck.Exposure
	add := func(es []netcheck.Exposure) {
		for _, e := range es {
			if !e.Trusted {
				out = append(out, e)
			}
		}
	}
	for _, l := range v.Listeners {
		add(l.ExposedOn)
	}
	for _, r := range v.Relays {
		add(r.ExposedOn)
	}
	return out
}

// atRiskHeader is the header of a FlowMeter local now (or on trusted
// networks only) whose settings would expose it.
func atRiskHeader(v netcheck.Verdict) header {
	trusted := trustedNetworks(v)
	s := "Only this computer can reach FlowMeter now, but its settings would open it to the network at its next start."
	switch {
	case trusted != "":
		s = "Only this computer and the networks you trust can reach FlowMeter now (" + trusted + "), but its settings open it to any network this computer joins."
	case len(v.Listeners) == 0:
		s = "FlowMeter is not running; its settings would open it to the network when it starts."
	}
	title := "At risk — FlowMeter would be exposed at its next start"
	switch {
	case keptOutByFirewall(v):
		// The engine's sentence names the firewall and what would open it.
		title, s = "At risk — only the firewall keeps others out", v.Message
	case trusted != "":
		title = "At risk — safe only on the networks you trust"
	}
	return header{title: title, sentence: s,
		importance: widget.WarningImportance, action: actionLabel(v), shield: shieldFor(netcheck.StatusAtRisk)}
}

// safeHeader is the header of a local-only FlowMeter.
func safeHeader(v netcheck.Verdict) header {
	trusted := trustedNetworks(v)
	s := "Only this computer can reach FlowMeter."
	switch {
	case trusted != "":
		s = "Only this computer and the networks you trust can reach FlowMeter: " + trusted + "."
	case len(v.Listeners) == 0:
		s = "FlowMeter is not running; when it starts, it will listen on this computer only."
	}
	return header{title: "Safe — FlowMeter is local-only", sentence: s,
		importance: widget.SuccessImportance, shield: shieldFor(netcheck.StatusSafe)}
}

// statusTitle is the header's first line: the status as a person says it.
func statusTitle(v netcheck.Verdict) string { return headerFor(v, true, actionNone).title }

// windowWords is an engine message in the window's words: the command
// line's advice to pass a flag becomes the window's folder button.
func windowWords(msg string) string {
	if strings.Contains(msg, "pass --env") {
		return noInstallWords
	}
	return msg
}

// untrustedNetworks and trustedNetworks name the networks FlowMeter
// answers on, as people know them, with their interfaces.
func untrustedNetworks(v netcheck.Verdict) []string { return networks(v, false) }

func trustedNetworks(v netcheck.Verdict) string { return joinNames(networks(v, true)) }

func networks(v netcheck.Verdict, trusted bool) []string {
	var names []string
	add := func(exposures []netcheck.Exposure) {
		for _, e := range exposures {
			if name := networkLabel(e); e.Trusted == trusted && !(e.Blocked() && !trusted) && !contains(names, name) {
				names = append(names, name)
			}
		}
	}
	for _, l := range v.Listeners {
		add(l.ExposedOn)
	}
	// A relay that passes FlowMeter on (a proxy, the kernel's NAT) opens
	// its networks too; one not checked is no exposure yet.
	for _, r := range v.Relays {
		if !r.Unchecked {
			add(r.ExposedOn)
		}
	}
	return names
}

// keptOutByFirewall reports whether the host firewall alone keeps
// neighbours from FlowMeter on some network.
func keptOutByFirewall(v netcheck.Verdict) bool {
	for _, l := range v.Listeners {
		for _, e := range l.ExposedOn {
			if !e.Trusted && e.Blocked() {
				return true
			}
		}
	}
	for _, r := range v.Relays {
		for _, e := range r.ExposedOn {
			if !e.Trusted && e.Blocked() {
				return true
			}
		}
	}
	return false
}

// networkLabel names an exposure's network as people know it, with its
// interface: wired network (eth0), Wi-Fi “Costa-Guest” (wlan0); by the
// interface alone where nothing names it.
func networkLabel(e netcheck.Exposure) string {
	if e.Network == "" {
		return e.Interface
	}
	return e.Network + " (" + e.Interface + ")"
}

// networkPhrase is a network in a sentence: "the wired network (eth0)",
// "the network “Home” (wlan0)", "the local network of eth0".
func networkPhrase(e netcheck.Exposure) string {
	switch {
	case e.Network == "":
		kind, _ := e.Kind.Words()
		return "the " + kind + " of " + e.Interface
	case strings.HasPrefix(e.Network, "\u201c"):
		return "the network " + networkLabel(e)
	}
	return "the " + networkLabel(e)
}

// flowMeterName tells one FlowMeter from another: its port, and the
// folder of its checkout when known.
func flowMeterName(l netcheck.Listener) string {
	name := fmt.Sprintf("FlowMeter on port %d", l.Port)
	if l.Cwd == "" {
		return name
	}
	dir := l.Cwd
	if filepath.Base(dir) == "backend" {
		dir = filepath.Dir(dir)
	}
	return name + ", from the folder \u201c" + filepath.Base(dir) + "\u201d"
}

// tunnelWords says where a tunnel carries FlowMeter.
func tunnelWords(r netcheck.Relay) string {
	to := "another computer"
	if r.Remote != "" {
		to = r.Remote
	}
	return "A tunnel (" + relayName(r) + ") carries FlowMeter to " + to + ", beyond this computer: anyone who reaches that end can open FlowMeter."
}

// stopRelayWords is the question stopping a relay asks.
func stopRelayWords(r netcheck.Relay) string {
	return "Localguard will stop " + relayName(r) + ". Anyone using FlowMeter through it is cut off; FlowMeter itself keeps running."
}

// asSentence is a clause as a sentence: a capital first, a full stop
// last.
func asSentence(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	s = string(unicode.ToUpper(r)) + s[n:]
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// joinNames joins "a", "b" and "c" as "a, b and c".
func joinNames(s []string) string {
	switch len(s) {
	case 0:
		return ""
	case 1:
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

func sandboxOff(v netcheck.Verdict) bool {
	for _, l := range v.Listeners {
		if l.FormulaSandbox == netcheck.SandboxOff && len(l.ExposedOn) > 0 {
			return true
		}
	}
	return false
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
		if names := joinNames(untrustedNetworks(v)); names != "" {
			return "Exposed: FlowMeter can be reached on " + names
		}
		return "Exposed: others can reach FlowMeter"
	case netcheck.StatusAtRisk:
		if keptOutByFirewall(v) {
			return "At risk: only the firewall keeps others out"
		}
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
	case envfix.SourceEnvironment:
		return fmt.Sprintf("HOST=%s, from the environment variable %s.", host, env.HostVariable)
	case envfix.SourceFile:
		return fmt.Sprintf("HOST=%s, from %s:%d.", host, env.Path, env.HostLine)
	}
	if !env.Exists {
		return fmt.Sprintf("HOST=%s, FlowMeter's default: %s does not exist.", host, env.Path)
	}
	return fmt.Sprintf("HOST=%s, FlowMeter's default: %s sets no HOST.", host, env.Path)
}

// sandboxWords says what the formula sandbox state means.
func sandboxWords(state netcheck.Sandbox) string {
	switch state {
	case netcheck.SandboxOn:
		return "On: formulas cannot run programs on this computer."
	case netcheck.SandboxOff:
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

// trustQuestion is the question trusting a network asks first, "" when it
// asks none: a public address or a VPN is shared with people the user
// does not know.
func trustQuestion(e netcheck.Exposure, on bool) string {
	if !on {
		return ""
	}
	switch e.Kind {
	case netcheck.KindPublic:
		return "This is a public address: possibly anyone on the internet can reach it. Trusted, FlowMeter there counts as safe, and anyone who reaches it can read your data and run programs on this computer. Trust it anyway?"
	case netcheck.KindVPN:
		return "This is a VPN: everyone on it can reach FlowMeter. Trusted, FlowMeter there counts as safe, and every one of them can read your data. Trust it anyway?"
	}
	return ""
}

// lostAccess says who loses FlowMeter when it becomes local-only: the
// colleagues who open it from their own computers now. The containers and
// virtual machines of this computer are no colleagues.
func lostAccess(v netcheck.Verdict) string {
	var urls, guests []string
	for _, l := range v.Listeners {
		for _, e := range l.ExposedOn {
			switch {
			case e.Kind == netcheck.KindVirtual:
				// Only this computer's own containers and virtual
				// machines are there: no colleague.
				if !contains(guests, e.URL) {
					guests = append(guests, e.URL)
				}
			case !contains(urls, e.URL):
				urls = append(urls, e.URL)
			}
		}
	}
	var out []string
	if len(urls) > 0 {
		out = append(out, "Colleagues who open FlowMeter from their own computers (at "+joinNames(urls)+") will no longer reach it: only this computer will.")
	}
	if len(guests) > 0 {
		out = append(out, "Containers and virtual machines on this computer (at "+joinNames(guests)+") will no longer reach it either.")
	}
	return strings.Join(out, " ")
}

// runsHere reports whether a FlowMeter of the install runs now.
func runsHere(v netcheck.Verdict) bool {
	for _, l := range v.Listeners {
		if l.EnvPath == "" || l.EnvPath == v.Env.Path {
			return true
		}
	}
	return false
}

// undoWords is Undo's question: the line it puts back, when the window
// applied the fix (last), and what that does at FlowMeter's next start.
func undoWords(last *preview) string {
	if last != nil && last.key == "HOST" {
		if !last.exists {
			return "Undo removes the settings file, which Localguard created. FlowMeter then listens on every network again at its next start (its default, HOST=0.0.0.0): others can reach it there."
		}
		for _, d := range last.diff {
			if d.op == '-' {
				return fmt.Sprintf("Undo puts line %d of the settings file back to %s. FlowMeter reads it at its next start, and others on the network can then reach it again.", d.line, d.text)
			}
		}
	}
	return "Undo puts the settings file back exactly as it was before Localguard's last fix. If that file put FlowMeter on the network, others can reach it again at its next start."
}

// undoneWords says what Undo did, and how many fixes are left to undo.
func undoneWords(left int) string {
	text := "Localguard put the settings file back exactly as it was before the last fix."
	switch {
	case left == 1:
		text += " One earlier fix can be undone too: press Undo again."
	case left > 1:
		text += fmt.Sprintf(" %d earlier fixes can be undone too: press Undo again for each.", left)
	}
	return text
}

// restartWords is the restart's question: what Localguard will do, and
// that FlowMeter's output goes to a log file from now on.
func restartWords(l netcheck.Listener, logDir string) string {
	how := "the same way"
	if l.Cmdline != "" {
		how = "the same way (" + l.Cmdline + ")"
	}
	if l.Cwd != "" {
		how += ", in the same folder"
	}
	return "Localguard will stop FlowMeter and start it again " + how + ": it then reads the fixed settings and listens on this computer only. From now on, what FlowMeter prints goes to a log file in " + logDir + ", not to a terminal."
}
