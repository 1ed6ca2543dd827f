package netcheck

import (
	"cmp"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"

	"localguard/envfix"
)

// Facts is everything a verdict is judged from. A Checker gathers them
// from the live machine; Judge turns them into the verdict without reading
// a file or touching the network, so every case can be table-tested.
type Facts struct {
	// Install is the install whose settings are read and fixed (chosen
	// with --env, remembered or found); nil when no install is known.
	Install *InstallFacts
	// Installs are every install found, the chosen one included.
	Installs []InstallState
	// Listeners are every FlowMeter listening on this computer, and the
	// sockets that may be FlowMeter's but could not be checked.
	Listeners []ListenerFacts
	// Interfaces are the network interfaces that are up.
	Interfaces []Interface
	// Trusted holds the networks the user trusts, and the networks of this
	// computer's guests the user untrusted; nil trusts none but those of
	// the guests (KindVirtual), which are trusted by default.
	Trusted *Store
	// Relays are the local processes that pass FlowMeter on beyond this
	// computer (proxies, tunnels), or may.
	Relays []RelayFacts
	// ScanErr is set when the sockets or the interfaces could not be read
	// whole: the verdict is then never safe nor at-risk on a partial view.
	ScanErr error
	// UndoAvailable is true when Localguard fixed the install's .env and
	// can put the original bytes back.
	UndoAvailable bool
	// NAT is what decides whether the kernel itself passes the network
	// to a FlowMeter on loopback (Linux).
	NAT NATFacts
}

// InstallFacts is the chosen install's .env as FlowMeter reads it.
type InstallFacts struct {
	EnvPath string
	// Backend is its backend folder, absolute and resolved, to tell its
	// listeners (FlowMeterSocket.Backend) from other installs'.
	Backend string
	// File is the reading; nil when Err is set.
	File *envfix.File
	// Compose are the compose files Compose merges for the checkout, each
	// with the ports it publishes beyond loopback.
	Compose []ComposePorts
	// Err is why the file could not be read.
	Err error
	// Exists is true when a file is there, whether or not it could be read.
	Exists bool
}

// InstallState is an install found, for the verdict's "installs".
type InstallState struct {
	EnvPath string `json:"env_path"`
	Running bool   `json:"running"`
}

// ListenerFacts is a socket that is (or may be) FlowMeter's, with what the
// checks found about it.
type ListenerFacts struct {
	FlowMeterSocket
	// Settings is the .env the owner reads (in its working folder) as it
	// reads it now; nil when it cannot be read (SettingsErr says why) or
	// the folder is unknown.
	Settings    *envfix.File
	SettingsErr error
	// Answered holds the addresses a connect succeeded on, among those
	// ReachableAddrs lists; only this computer's addresses are tried.
	Answered map[netip.Addr]bool
	// Sandbox is FlowMeter's formula sandbox as it reports it.
	Sandbox Sandbox
	// ComposeFile is the compose file of the install a container
	// publisher belongs to, "" when none is known.
	ComposeFile string
	// Firewall is the host firewall's decision for each network and
	// address it answered on.
	Firewall FirewallAnswers
}

// Judge builds the verdict from the facts: a pure function.
func Judge(f Facts) Verdict {
	v := Verdict{Listeners: []Listener{}, Findings: []Finding{}, Installs: f.Installs, UndoAvailable: f.UndoAvailable}
	if v.Installs == nil {
		v.Installs = []InstallState{}
	}
	var file *envfix.File
	if in := f.Install; in != nil {
		v.Env = EnvSummary{Path: in.EnvPath, Port: envfix.DefaultPort, Exists: in.Exists}
		if in.File != nil {
			file = in.File
			v.Env = summarize(file)
			v.Findings = findings(file.Reading, in.EnvPath)
		}
		if f := composeFinding(in); f != nil {
			v.Findings = append(v.Findings, *f)
		}
		for _, s := range f.Installs {
			if s.EnvPath != in.EnvPath {
				v.OtherInstalls = append(v.OtherInstalls, s.EnvPath)
			}
		}
	} else {
		v.Env = EnvSummary{Port: envfix.DefaultPort}
	}
	causes := make([]Cause, len(f.Listeners))
	for i, lf := range f.Listeners {
		causes[i] = causeOf(lf)
		v.Listeners = append(v.Listeners, listenerOf(lf, causes[i], f.Interfaces, f.Trusted))
	}
	v.Relays = []Relay{}
	for _, rf := range f.Relays {
		v.Relays = append(v.Relays, relayOf(rf, f.Interfaces, f.Trusted))
	}
	describePortProxies(v.Relays, f.NAT.PortProxies)
	j := judgement{f: f, v: &v, file: file, causes: causes}
	j.decide()
	j.relayJudgement()
	j.natJudgement()
	return v
}

// listenerOf is the verdict's view of one listener: where it answers, and
// whether each of those networks is trusted.
func listenerOf(lf ListenerFacts, cause Cause, ifaces []Interface, trust *Store) Listener {
	l := Listener{
		Address: lf.Addr.String(), Port: lf.Port, Cause: cause.Kind, Why: cause.Why,
		FormulaSandbox: cmp.Or(lf.Sandbox, SandboxUnknown), ExposedOn: []Exposure{},
		Confirmed: lf.Confirmed, Unchecked: lf.Unchecked, NotThisComputer: lf.Foreign,
		SeenBy: append([]SeenBy{}, lf.SeenBy...),
	}
	if lf.Backend != "" {
		l.EnvPath = filepath.Join(lf.Backend, ".env")
	}
	if o := lf.Owner; o != nil {
		l.PID, l.Process, l.Cmdline, l.Cwd = o.PID, o.Name, o.Cmdline, o.Cwd
	}
	gateways := map[string]string{}
	names := networkNames(ifaces)
	categories := map[string]string{}
	for _, it := range ifaces {
		categories[it.Name] = it.Profile.Category
		if it.Gateway != nil && it.Gateway.HardwareAddr != nil {
			gateways[it.Name] = it.Gateway.HardwareAddr.String()
		}
	}
	for _, r := range ReachableAddrs(lf.Socket, ifaces) {
		if r.Kind == KindLoopback || !lf.Firewall.shown(r, lf.Answered) {
			continue
		}
		l.ExposedOn = append(l.ExposedOn, Exposure{
			Interface: r.Interface, Address: r.Addr.String(), Kind: r.Kind,
			Trusted:          reachTrusted(trust, r, gateways[r.Interface]),
			URL:              URL(r.Addr, lf.Port),
			Via:              r.Via.Addr().String(),
			Network:          networkName(names, r.Interface, r.Kind),
			FirewallCategory: categories[r.Interface],
			Firewall:         lf.Firewall.of(r),
		})
	}
	return l
}

// judgement is one Judge call's working state.
type judgement struct {
	f      Facts
	v      *Verdict
	file   *envfix.File // the chosen install's reading, nil when none
	causes []Cause
}

// untrusted lists the networks a listener answers on that are not trusted,
// for people.
func untrusted(l Listener) []string {
	var out []string
	for _, e := range l.ExposedOn {
		kind, _ := e.Kind.Words()
		switch {
		case e.Trusted, e.Blocked():
		case e.Network != "":
			out = append(out, fmt.Sprintf("%s (%s, %s, %s)", e.Network, e.Interface, kind, e.Address))
		default:
			out = append(out, fmt.Sprintf("%s (%s, %s)", e.Interface, kind, e.Address))
		}
	}
	return out
}

// decide sets the status, the message and the fix. The order is the
// promise: anything a neighbour can reach is exposed; a view Localguard
// could not complete, or a listener it could not check, is an error, never
// safe; then what the settings would do at the next start.
func (j *judgement) decide() {
	v := j.v
	exposing, unchecked := reachable(v.Listeners)
	switch {
	case len(exposing) > 0:
		v.Status = StatusExposed
		j.exposedMessage(exposing)
	case j.f.ScanErr != nil:
		v.Status = StatusError
		v.Message = fmt.Sprintf("Localguard could not see all of this computer's network sockets, so it cannot tell whether FlowMeter is reachable: %v.", j.f.ScanErr)
	case len(unchecked) > 0:
		v.Status = StatusError
		l := v.Listeners[unchecked[0]]
		v.Message = fmt.Sprintf("Localguard could not check the server on port %d (%s): it did not answer in time. It may be FlowMeter, and anyone on %s can reach it.",
			l.Port, processWords(l), joinWords(untrusted(l)))
	case j.f.Install == nil && len(v.Listeners) == 0:
		v.Status = StatusError
		v.Message = ErrNoInstall.Error()
	case j.f.Install != nil && j.f.Install.Err != nil:
		v.Status = StatusError
		v.Message = j.f.Install.Err.Error()
	default:
		j.settingsJudgement()
	}
	j.wontStart()
	if v.Status != StatusExposed && j.hostUnread() {
		v.Findings = append(v.Findings, j.hostFinding())
	}
}

// reachable are the indexes of the listeners an untrusted network can
// reach: those checked (exposing), and those that could not be.
func reachable(ls []Listener) (exposing, unchecked []int) {
	for i, l := range ls {
		if len(untrusted(l)) == 0 {
			continue
		}
		if l.Unchecked {
			unchecked = append(unchecked, i)
		} else {
			exposing = append(exposing, i)
		}
	}
	return exposing, unchecked
}

// hostUnread reports whether the chosen install's .env sets a HOST beyond
// this computer that FlowMeter, as it runs now, does not read: a finding
// for its next start the python -m app.main way.
func (j *judgement) hostUnread() bool {
	v := j.v
	return j.file != nil && !j.hostMatters() && !envfix.ClassifyHost(v.Env.Host).Local() && v.Env.HostSource != envfix.SourceEnvironment
}

// wontStart leads the message with a setting that stops FlowMeter at its
// next start: whatever the status, that is what the user must hear first.
func (j *judgement) wontStart() {
	v := j.v
	for _, f := range v.Findings {
		if f.Severity != SeverityError {
			continue
		}
		if v.Status == StatusExposed {
			v.Message += " " + f.Message
		} else {
			v.Message = f.Message + " " + v.Message
		}
		return
	}
}

// installListeners are the indexes of the chosen install's listeners.
func (j *judgement) installListeners() []int {
	var out []int
	if j.f.Install == nil {
		return nil
	}
	for i, lf := range j.f.Listeners {
		if lf.Backend != "" && lf.Backend == j.f.Install.Backend {
			out = append(out, i)
		}
	}
	return out
}

// hostMatters reports whether the chosen install's HOST setting decides
// where FlowMeter listens next: when it does not run, or runs as
// `python -m app.main` (the only start that reads HOST).
func (j *judgement) hostMatters() bool {
	mine := j.installListeners()
	if len(mine) == 0 {
		return true
	}
	for _, i := range mine {
		if o := j.f.Listeners[i].Owner; o == nil || o.Start == StartPythonModule {
			return true
		}
	}
	return false
}

// settingsJudgement decides between at-risk and safe when nothing is
// exposed now.
func (j *judgement) settingsJudgement() {
	v := j.v
	kept := j.firewallRisks()
	risks := append(kept, j.installRisks()...)
	if j.f.Install != nil {
		if r := composeRisk(j.f.Install); r != "" {
			risks = append(risks, r)
		}
	}
	for i := range j.f.Listeners {
		if r := j.listenerRisk(i); r != "" {
			risks = append(risks, r)
		}
	}
	if len(risks) == 0 {
		v.Status = StatusSafe
		v.Message = j.safeMessage()
		return
	}
	v.Status = StatusAtRisk
	v.Message = strings.Join(risks, " ")
	switch trusted := trustedOnly(v.Listeners); {
	case len(kept) > 0:
	case trusted != "":
		v.Message = "FlowMeter can be reached only from this computer and networks you trust (" + trusted + ") for now. " + v.Message
	case len(v.Listeners) > 0:
		v.Message = "FlowMeter is on this computer only for now. " + v.Message
	}
}

// installRisks is what the chosen install's HOST would do at FlowMeter's
// next start, when it is beyond this computer and FlowMeter reads it, and
// the fix or the advice; none otherwise.
func (j *judgement) installRisks() []string {
	v := j.v
	if j.file == nil || !j.hostMatters() || envfix.ClassifyHost(v.Env.Host).Local() {
		return nil
	}
	h := envfix.ClassifyHost(v.Env.Host)
	var risks []string
	if len(j.installListeners()) > 0 {
		risks = append(risks, fmt.Sprintf("At its next start FlowMeter would %s (HOST=%s, %s).", bindPhrase(h), quoteHost(v.Env.Host), whereHost(v.Env)))
	} else {
		risks = append(risks, fmt.Sprintf("If FlowMeter is started with python -m app.main, it would %s (HOST=%s, %s); started with uvicorn or as the released FlowMeter it would not.", bindPhrase(h), quoteHost(v.Env.Host), whereHost(v.Env)))
	}
	if advice := j.fileFixOrAdvice(); advice != "" {
		risks = append(risks, advice)
	}
	return risks
}

// listenerRisk is the risk of the listener i at its next start, when its
// settings are not the chosen install's (judged by installRisks), and sets
// the fix to its .env when none is set yet; "" when none.
func (j *judgement) listenerRisk(i int) string {
	v, lf := j.v, j.f.Listeners[i]
	l := v.Listeners[i]
	python := lf.Owner != nil && lf.Owner.Start == StartPythonModule
	switch {
	case lf.Unchecked:
	case lf.Foreign:
		return fmt.Sprintf("%s listens on %s, an address this computer does not have now: it becomes reachable when this computer gets that address.", ownerWords(l, lf), l.Address)
	case j.f.Install != nil && lf.Backend != "" && lf.Backend == j.f.Install.Backend && lf.SettingsDir == lf.Backend:
		// Its settings are the chosen install's, judged by installRisks.
	case python && lf.Settings != nil:
		h := lf.Settings.Reading.Host()
		if envfix.ClassifyHost(h.Value).Local() {
			return ""
		}
		if v.Fix == "" && h.Source != envfix.SourceEnvironment {
			v.Fix = fixCommand(lf.Settings.Path)
		}
		return fmt.Sprintf("At its next start %s would %s (HOST=%s in %s).", ownerWords(l, lf), bindPhrase(envfix.ClassifyHost(h.Value)), quoteHost(h.Value), lf.Settings.Path)
	case python:
		return fmt.Sprintf("Localguard cannot read the settings %s will start with next time (%s), so it cannot tell where it would listen then.", ownerWords(l, lf), settingsUnknownWhy(lf))
	}
	return ""
}

// safeMessage says why FlowMeter is safe: not running with safe settings,
// or reachable from this computer (and trusted networks) only, and what
// keeps it so.
func (j *judgement) safeMessage() string {
	v := j.v
	if len(v.Listeners) == 0 {
		return fmt.Sprintf("FlowMeter is not running, and its settings keep it on this computer only (HOST=%s, %s).", v.Env.Host, whereHost(v.Env))
	}
	msg := "FlowMeter can be reached from this computer only"
	if trusted := trustedOnly(v.Listeners); trusted != "" {
		msg += " and networks you trust (" + trusted + ")"
	}
	switch {
	case j.file == nil:
		return msg + "."
	case j.hostMatters():
		return msg + fmt.Sprintf(", and its settings keep it so (HOST=%s).", v.Env.Host)
	}
	return msg + fmt.Sprintf(": %s.", j.causes[j.installListeners()[0]].Why)
}

// settingsUnknownWhy says why a listener's settings cannot be read.
func settingsUnknownWhy(lf ListenerFacts) string {
	switch {
	case lf.CwdGone:
		return "its working folder was deleted or replaced after it started"
	case lf.SettingsErr != nil:
		return lf.SettingsErr.Error()
	case lf.SettingsDir == "":
		return "it runs in a container or another mount namespace, whose folders Localguard cannot map to this computer's"
	}
	return "its working folder cannot be read"
}

// hostFinding is the HOST line that only `python -m app.main` reads, when
// FlowMeter runs another way now.
func (j *judgement) hostFinding() Finding {
	v := j.v
	h := envfix.ClassifyHost(v.Env.Host)
	return Finding{
		Key: "HOST", Severity: SeverityWarning,
		Message: fmt.Sprintf("If FlowMeter is started with python -m app.main, it would %s (HOST=%s, %s). It runs another way now, which does not read HOST.",
			bindPhrase(h), quoteHost(v.Env.Host), whereHost(v.Env)),
		Fix: fixCommand(v.Env.Path),
	}
}

// exposedMessage says who can reach FlowMeter, why, and what to do.
func (j *judgement) exposedMessage(exposing []int) {
	v := j.v
	// The chosen install's own FlowMeter leads, when it is exposed.
	mine := j.installListeners()
	for k, i := range exposing {
		if slices.Contains(mine, i) {
			exposing[0], exposing[k] = exposing[k], exposing[0]
			break
		}
	}
	first := exposing[0]
	l, lf, cause := v.Listeners[first], j.f.Listeners[first], j.causes[first]
	var b strings.Builder
	if lf.Owner != nil && lf.Owner.Start == StartVite {
		fmt.Fprintf(&b, "FlowMeter's web page server (Vite) on port %d passes FlowMeter's data to anyone on %s", l.Port, joinWords(untrusted(l)))
	} else {
		fmt.Fprintf(&b, "FlowMeter on port %d can be reached by anyone on %s", l.Port, joinWords(untrusted(l)))
	}
	if slices.ContainsFunc(exposing, func(i int) bool { return v.Listeners[i].FormulaSandbox == SandboxOff }) {
		b.WriteString(", and its formula sandbox is off, so they can run any program on this computer")
	} else {
		b.WriteString(" and read every dataset loaded in it")
	}
	b.WriteString(". ")
	owner := ownerWords(l, lf)
	switch {
	case cause.FileFixes() && fixedNow(lf):
		fmt.Fprintf(&b, "%s is already fixed; restart %s to apply it.", cause.EnvFile, owner)
		v.RestartPID = l.PID
	case cause.FileFixes():
		fmt.Fprintf(&b, "%s is there because of %s.", upperFirst(owner), cause.Why)
		v.Fix = fixCommand(cause.EnvFile)
	case cause.Advice != "":
		fmt.Fprintf(&b, "%s is there because %s; changing the .env would not help: %s.", upperFirst(owner), cause.Why, cause.Advice)
		v.Advice = cause.Advice
	default:
		fmt.Fprintf(&b, "Localguard cannot tell why %s is there: %s.", owner, cause.Why)
		if j.file != nil && !envfix.ClassifyHost(v.Env.Host).Local() && v.Env.HostSource != envfix.SourceEnvironment {
			v.Fix = fixCommand(v.Env.Path)
		}
	}
	if n := len(exposing) - 1; n > 0 {
		var others []string
		for _, i := range exposing[1:] {
			others = append(others, fmt.Sprintf("%s on port %d", ownerWords(v.Listeners[i], j.f.Listeners[i]), v.Listeners[i].Port))
		}
		fmt.Fprintf(&b, " Also reachable: %s.", joinWords(others))
	}
	b.WriteString(firewallNotes(v.Listeners, v.Relays))
	v.Message = b.String()
}

// fixedNow reports whether the .env a running FlowMeter read at its start
// now keeps it local: the fix is written, the restart is not done.
func fixedNow(lf ListenerFacts) bool {
	if lf.Settings == nil {
		return false
	}
	h := lf.Settings.Reading.Host()
	return h.Source != envfix.SourceEnvironment && envfix.ClassifyHost(h.Value).Local()
}

// ownerWords names a listener's process for people: what it is, where it
// comes from and how it was started.
func ownerWords(l Listener, lf ListenerFacts) string {
	what := "FlowMeter"
	if o := lf.Owner; o != nil && o.Start == StartUnknown && l.PID != 0 && slices.Contains(lf.SeenBy, SeenAnswer) && !lf.Evidence {
		if lf.Backend != "" {
			what += " from " + lf.Backend
		}
		return what + " run by " + unrecognisedWords(o, "")
	}
	if lf.Owner != nil && lf.Owner.Start == StartVite {
		what = "FlowMeter's web page server (Vite)"
	}
	where := " from an unknown folder"
	if lf.Backend != "" {
		where = " from " + lf.Backend
	}
	if l.PID != 0 {
		return fmt.Sprintf("%s%s (%s, pid %d)", what, where, l.Cmdline, l.PID)
	}
	return what + where
}

// processWords names a listener's process, or says it cannot be seen.
func processWords(l Listener) string {
	if l.PID != 0 {
		return fmt.Sprintf("%s, pid %d", l.Cmdline, l.PID)
	}
	return "a process of another user"
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// fixCommand is the command that fixes the .env at path.
func fixCommand(path string) string { return "localguard fix --env " + shellQuote(path) }

// fileFixOrAdvice offers `localguard fix` when the file decides the host;
// when the environment does, it sets the advice and returns the sentence
// that says so.
func (j *judgement) fileFixOrAdvice() string {
	v := j.v
	if v.Env.HostSource == envfix.SourceEnvironment {
		v.Advice = fmt.Sprintf("unset %s, or set it to %s, where FlowMeter is started", v.Env.HostVariable, envfix.LocalHost)
		return fmt.Sprintf("The environment variable %s beats the file: %s.", v.Env.HostVariable, v.Advice)
	}
	v.Fix = fixCommand(v.Env.Path)
	return ""
}
