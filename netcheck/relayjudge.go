package netcheck

import (
	"cmp"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	fmrelay "localguard/netcheck/relay"
	"localguard/netcheck/system"
)

// Relay is a local process that passes FlowMeter on, as the verdict shows
// it (the "relays" array of the JSON contract).
type Relay struct {
	PID     int32  `json:"pid"`
	Process string `json:"process"`
	Cmdline string `json:"cmdline"`
	// Program is what the relay is: socat, ssh, vite, nginx, kubectl,
	// cloudflared, ngrok, or the process's name.
	Program string `json:"program"`
	// Kind is proxy, tunnel or container.
	Kind RelayKind `json:"kind"`
	// Address and Port are a proxy's listening socket; for a tunnel, the
	// port it opens on the far end (0 when unknown).
	Address    string     `json:"address"`
	Port       int        `json:"port"`
	TargetPort int        `json:"target_port"`
	ExposedOn  []Exposure `json:"exposed_on"`
	// Remote is a tunnel's far end (host:port), "" for a proxy.
	Remote string `json:"remote"`
	// Cause says what puts the relay where it is: command-line, config,
	// container or unknown.
	Cause CauseKind `json:"cause"`
	Why   string    `json:"why,omitempty"`
	// Fix is the command that fixes the relay at its source, "" when
	// Localguard cannot; Advice is the change to make by hand.
	Fix    string `json:"fix"`
	Advice string `json:"advice"`
	// Confirmed is true when FlowMeter's answer came back through the
	// relay's own address (a tunnel: its connection to the far end).
	Confirmed bool `json:"confirmed"`
	// Unchecked is true when it is tied to FlowMeter's port but did not
	// answer in time.
	Unchecked bool `json:"unchecked,omitempty"`
	// NotAsked says why an unchecked relay was not asked: its port is one
	// Localguard never connects to (raw printing, industrial control),
	// and its command line or configuration names FlowMeter's port.
	NotAsked string `json:"not_asked,omitempty"`
	// SeenBy says how it was found: "answer" when FlowMeter's answer came
	// back through its own address, and the hints ("connection",
	// "command-line", "config", "container").
	SeenBy []SeenBy `json:"seen_by"`
	// StartedBy names the program that started it (its parent), "" when
	// unknown.
	StartedBy string `json:"started_by,omitempty"`
	// HostName is the name (HTTP Host header) it passes FlowMeter on for,
	// when it does not for its address (a virtual host).
	HostName string `json:"host_name,omitempty"`
	// Late is true when its answer did not come within Localguard's
	// longer wait, and the connection it opened to FlowMeter's port while
	// it was asked is what proves it.
	Late bool `json:"late,omitempty"`
	// UncheckedWhy says why an unchecked relay cannot be told apart from
	// one that passes FlowMeter on.
	UncheckedWhy string `json:"unchecked_why,omitempty"`
}

// exposuresOf lists the non-loopback addresses a socket answered on, each
// with whether its network is trusted and what the firewall decides there.
func exposuresOf(s system.Socket, port int, answered map[netip.Addr]bool, fw FirewallAnswers, ifaces []Interface, trust *Store) []Exposure {
	out := []Exposure{}
	gateways := map[string]string{}
	for _, it := range ifaces {
		if it.Gateway != nil && it.Gateway.HardwareAddr != nil {
			gateways[it.Name] = it.Gateway.HardwareAddr.String()
		}
	}
	names := networkNames(ifaces)
	for _, r := range ReachableAddrs(s, ifaces) {
		if r.Kind == KindLoopback || !fw.shown(r, answered) {
			continue
		}
		out = append(out, Exposure{
			Interface: r.Interface, Address: r.Addr.String(), Kind: r.Kind,
			Trusted:  reachTrusted(trust, r, gateways[r.Interface]),
			URL:      URL(r.Addr, port),
			Via:      r.Via.Addr().String(),
			Firewall: fw.of(r),
			Network:  networkName(names, r.Interface, r.Kind),
		})
	}
	return out
}

// relayOf is the verdict's view of one relay.
func relayOf(rf RelayFacts, ifaces []Interface, trust *Store) Relay {
	r := Relay{
		Program: rf.Program, Kind: rf.Kind, TargetPort: rf.TargetPort, ExposedOn: []Exposure{},
		Remote: rf.Remote, Confirmed: rf.Confirmed, Unchecked: rf.Unchecked, NotAsked: rf.NotAsked,
		SeenBy: relaySeenBy(rf), StartedBy: rf.StartedBy,
		HostName: rf.HostName, Late: rf.Late, UncheckedWhy: rf.UncheckedWhy,
	}
	if o := rf.Owner; o != nil {
		r.PID, r.Process, r.Cmdline = o.PID, o.Name, o.Cmdline
	}
	switch rf.Kind {
	case RelayTunnel:
		r.Port = rf.ForwardedPort
	default:
		r.Address, r.Port = rf.Socket.Addr.String(), rf.Socket.Port
		r.ExposedOn = exposuresOf(rf.Socket, rf.Socket.Port, rf.Answered, rf.Firewall, ifaces, trust)
	}
	r.Cause, r.Why, r.Advice = relayCause(rf)
	if rf.Source != "" {
		r.Fix = sourceFixCommand(rf.Source)
		then := "restart the web page server"
		if rf.Kind == RelayContainer {
			then = "run docker compose up -d"
		}
		r.Advice = "run " + r.Fix + " (it shows the change, keeps a backup and can be undone), then " + then
	}
	return r
}

// relayProof says what proved a relay found by what it serves.
func relayProof(rf RelayFacts) string {
	if rf.Late {
		return "it connected to FlowMeter's port while Localguard asked it"
	}
	return "FlowMeter's own answer came back through it"
}

// relayCause says what puts a relay where it is, and the change that stops
// it passing FlowMeter on: a pure function of the facts.
func relayCause(rf RelayFacts) (cause CauseKind, why, advice string) {
	var args []string
	if rf.Owner != nil {
		args = rf.Owner.Args
	}
	port := rf.Socket.Port
	if rf.Kind == RelayContainer {
		return CauseContainer, fmt.Sprintf("a container publishes port %d on every address (%s), and what runs in it passes FlowMeter on (FlowMeter's web page server proxies /api)", port, rf.Program),
			fmt.Sprintf(`in docker-compose.yaml, publish it on this computer only: "127.0.0.1:%d:%d" instead of "%d:%d", then run docker compose up -d`, port, rf.TargetPort, port, rf.TargetPort)
	}
	switch rf.Program {
	case "vite":
		if rf.Owner != nil && rf.Owner.HostFlagSet {
			return CauseCommandLine, "FlowMeter's web page server (Vite) was started with --host, and it passes /api on to FlowMeter",
				"stop the web page server and start it again without --host: npm run dev (or " + shellJoin(withoutViteHost(args)) + ")"
		}
		return CauseConfig, "FlowMeter's web page server (Vite) listens beyond this computer without --host: server.host in its config (frontend/vite.config.ts) says so",
			"remove server.host from frontend/vite.config.ts (or set it to \"localhost\"), then restart npm run dev"
	case "socat":
		return CauseCommandLine, fmt.Sprintf("socat listens on port %d of every address and passes connections to FlowMeter's port %d", port, rf.TargetPort),
			"start socat so that it listens on this computer only: " + shellJoin(socatLoopback(args))
	case "ssh":
		if rf.Kind == RelayTunnel {
			return CauseCommandLine, fmt.Sprintf("ssh -R carries FlowMeter's port %d to %s", rf.TargetPort, rf.Remote),
				fmt.Sprintf("stop this tunnel (pid %d) unless everyone who reaches %s may use FlowMeter", pidOf(rf), rf.Remote)
		}
		return CauseCommandLine, fmt.Sprintf("ssh -L forwards port %d to FlowMeter's port %d, and -g (or a bind address) opens it to other computers", port, rf.TargetPort),
			"start ssh without -g and with the forward bound to this computer: " + shellJoin(sshLoopback(args))
	case "nginx":
		return CauseConfig, fmt.Sprintf("an nginx server block listens on port %d and passes requests to FlowMeter's port %d (proxy_pass)", port, rf.TargetPort),
			fmt.Sprintf("in that server block write listen 127.0.0.1:%d; instead, then run nginx -s reload", port)
	case "kubectl":
		return CauseCommandLine, "kubectl port-forward was started with --address, which opens the forwarded port to other computers",
			"start kubectl port-forward without --address (it listens on 127.0.0.1 by default)"
	case "cloudflared", "ngrok":
		return CauseCommandLine, fmt.Sprintf("%s carries FlowMeter's port %d to %s, where it can be reached from the internet", rf.Program, rf.TargetPort, rf.Remote),
			fmt.Sprintf("stop this tunnel (pid %d) unless FlowMeter is meant to be public", pidOf(rf))
	}
	if rf.Kind == RelayTunnel {
		return CauseUnknown, fmt.Sprintf("%s carries FlowMeter's port %d to %s", rf.Program, rf.TargetPort, rf.Remote),
			fmt.Sprintf("stop this tunnel (pid %d) unless everyone who reaches %s may use FlowMeter", pidOf(rf), rf.Remote)
	}
	if rf.Unrecognised || rf.Owner == nil {
		return CauseUnknown, fmt.Sprintf("%s listens on port %d beyond this computer and passes what it receives to FlowMeter's port %d: %s", unrecognisedWords(rf.Owner, rf.StartedBy), port, rf.TargetPort, relayProof(rf)),
			stopAdvice(rf)
	}
	return CauseUnknown, fmt.Sprintf("%s listens on port %d beyond this computer and passes connections to FlowMeter's port %d", rf.Program, port, rf.TargetPort),
		fmt.Sprintf("make %s listen on 127.0.0.1 only, or stop it (pid %d)", rf.Program, pidOf(rf))
}

// relaySeenBy is every way a relay was found: its answer first.
func relaySeenBy(rf RelayFacts) []SeenBy {
	var out []SeenBy
	if rf.Confirmed && rf.Kind != RelayTunnel {
		out = append(out, SeenAnswer)
	}
	out = addSeen(out, rf.SeenBy...)
	out = addSeen(out, rf.Seen)
	if rf.Kind == RelayContainer {
		out = addSeen(out, SeenContainer)
	}
	return out
}

func pidOf(rf RelayFacts) int32 {
	if rf.Owner == nil {
		return 0
	}
	return rf.Owner.PID
}

// socatLoopback is socat's command line with its listening address bound
// to 127.0.0.1.
func socatLoopback(args []string) []string {
	out := make([]string, len(args))
	copy(out, args)
	for i, a := range out {
		kind, rest, ok := strings.Cut(a, ":")
		if !ok || !strings.Contains(strings.ToUpper(kind), "-L") {
			continue
		}
		var opts []string
		for _, o := range strings.Split(rest, ",")[1:] {
			if !strings.HasPrefix(strings.ToLower(o), "bind=") {
				opts = append(opts, o)
			}
		}
		p, _, _ := strings.Cut(rest, ",")
		out[i] = kind + ":" + strings.Join(append([]string{p, "bind=127.0.0.1"}, opts...), ",")
		if strings.HasPrefix(strings.ToUpper(kind), "TCP6") {
			out[i] = kind + ":" + strings.Join(append([]string{p, "bind=[::1]"}, opts...), ",")
		}
	}
	return out
}

// sshLoopback is ssh's command line without -g and with every -L bound to
// 127.0.0.1; bundled options (-NgL9000:...) are read letter by letter.
func sshLoopback(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || strings.HasPrefix(a, "--") || len(a) < 2 {
			out = append(out, a)
			continue
		}
		words, tookNext := sshOptionLoopback(a, args[i+1:])
		if tookNext {
			i++
		}
		out = append(out, words...)
	}
	return out
}

// sshOptionLoopback is one bundle of ssh options (a, "-NgL9000:...")
// without g and with its -L bound to 127.0.0.1. An option whose value is
// the next argument takes it from rest; tookNext says so.
func sshOptionLoopback(a string, rest []string) (words []string, tookNext bool) {
	opt := "-"
	for j := 1; j < len(a); j++ {
		ch := a[j]
		if ch == 'g' {
			continue
		}
		opt += string(ch)
		if strings.IndexByte(fmrelay.SSHFlagsWithValue, ch) < 0 {
			continue
		}
		value := a[j+1:]
		if value == "" && len(rest) > 0 {
			value, tookNext = rest[0], true
		}
		if ch == 'L' {
			value = loopbackForward(value)
		}
		if tookNext {
			return []string{opt, value}, true
		}
		return []string{opt + value}, false
	}
	if opt == "-" {
		return nil, false
	}
	return []string{opt}, false
}

// loopbackForward binds an ssh forward spec to 127.0.0.1.
func loopbackForward(spec string) string {
	port, host, hostport, ok := fmrelay.ForwardSpec(spec)
	if !ok {
		return spec
	}
	if strings.Contains(host, ":") {
		host = "[" + host + "]"
	}
	return fmt.Sprintf("127.0.0.1:%d:%s:%d", port, host, hostport)
}

// shellJoin quotes a command line for a shell.
func shellJoin(args []string) string {
	q := make([]string, len(args))
	for i, a := range args {
		q[i] = shellQuote(a)
	}
	return strings.Join(q, " ")
}

// withoutViteHost is Vite's command line without --host and its value.
func withoutViteHost(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--host":
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				i++
			}
			continue
		case strings.HasPrefix(a, "--host="):
			continue
		}
		out = append(out, a)
	}
	return out
}

// relayWords names a relay for people.
func relayWords(r Relay) string {
	if r.Program == "vite" {
		return fmt.Sprintf("FlowMeter's web page server (Vite, pid %d)", r.PID)
	}
	if r.PID == 0 { // a service's (Windows' port proxy), or another user's
		return r.Program
	}
	return fmt.Sprintf("%s (pid %d)", r.Program, r.PID)
}

// relayExposes reports whether a relay makes FlowMeter reachable from an
// untrusted network or through a tunnel, and the networks, for people.
func relayExposes(r Relay) (bool, []string) {
	if r.Unchecked {
		return false, nil
	}
	if r.Kind == RelayTunnel {
		return r.Confirmed, []string{"the other end of the tunnel (" + r.Remote + ")"}
	}
	var nets []string
	for _, e := range r.ExposedOn {
		if !e.Trusted && !e.Blocked() {
			kind, _ := e.Kind.Words()
			nets = append(nets, fmt.Sprintf("%s (%s, %s)", e.Interface, kind, e.Address))
		}
	}
	return r.Confirmed && len(nets) > 0, nets
}

// relaySentence says what a relay does, why, and what to change.
func relaySentence(r Relay, sandboxOff bool) string {
	_, nets := relayExposes(r)
	var b strings.Builder
	harm := "read every dataset loaded in it"
	if sandboxOff {
		harm = "run any program on this computer, as FlowMeter's formula sandbox is off"
	}
	switch {
	case r.Kind == RelayTunnel:
		fmt.Fprintf(&b, "%s carries FlowMeter (port %d) to %s, beyond this computer", relayWords(r), r.TargetPort, r.Remote)
		if r.Port != 0 {
			fmt.Fprintf(&b, ", where it listens on port %d", r.Port)
		}
		fmt.Fprintf(&b, ": whoever reaches it there can %s.", harm)
	case r.Kind == RelayContainer:
		fmt.Fprintf(&b, "A container's published port %d (%s, pid %d) passes FlowMeter's data to anyone on %s: they can %s.", r.Port, r.Program, r.PID, joinWords(nets), harm)
	case r.Program == "vite":
		fmt.Fprintf(&b, "FlowMeter's web page server (Vite) on port %d passes FlowMeter's data to anyone on %s: they can %s.", r.Port, joinWords(nets), harm)
	case r.HostName != "":
		fmt.Fprintf(&b, "%s on port %d passes FlowMeter (port %d) to anyone on %s who asks for it by the name %s (its address answers something else): they can %s.", relayWords(r), r.Port, r.TargetPort, joinWords(nets), r.HostName, harm)
	default:
		fmt.Fprintf(&b, "%s on port %d passes FlowMeter (port %d) to anyone on %s: they can %s.", relayWords(r), r.Port, r.TargetPort, joinWords(nets), harm)
	}
	if r.Late {
		fmt.Fprintf(&b, " Its answer was slower than Localguard waits (%s); the connection it opened to FlowMeter's port when asked shows it passes FlowMeter on.", slowRelayWait)
	}
	if r.Why != "" {
		fmt.Fprintf(&b, " It is there because %s", r.Why)
		if r.Advice != "" {
			fmt.Fprintf(&b, "; %s", r.Advice)
		}
		b.WriteString(".")
	}
	return b.String()
}

// relayJudgement adds the relays to the verdict: the exposing ones decide
// the status when no listener does, and are named when one does.
func (j *judgement) relayJudgement() {
	v := j.v
	var lines []string
	for _, r := range v.Relays {
		if ok, _ := relayExposes(r); ok {
			lines = append(lines, relaySentence(r, j.sandboxOff(r.TargetPort)))
		}
	}
	if len(lines) == 0 {
		j.uncheckedRelays()
		j.blockedRelays()
		return
	}
	if v.Status == StatusExposed {
		v.Message += " Also passed on: " + strings.Join(lines, " ")
		return
	}
	msg := strings.Join(lines, " ")
	if v.Status == StatusAtRisk || v.Status == StatusError {
		msg += " " + v.Message
	}
	v.Status, v.Message = StatusExposed, msg+firewallNotes(nil, v.Relays)
	if v.Advice == "" {
		for _, r := range v.Relays {
			if ok, _ := relayExposes(r); ok {
				v.Advice = r.Advice
				break
			}
		}
	}
}

// uncheckedRelays keeps the verdict from safe while a relay tied to
// FlowMeter's port answers on an untrusted network but did not answer in
// time.
func (j *judgement) uncheckedRelays() {
	v := j.v
	if v.Status != StatusSafe && v.Status != StatusAtRisk {
		return
	}
	for _, r := range v.Relays {
		if !r.Unchecked {
			continue
		}
		for _, e := range r.ExposedOn {
			if !e.Trusted && !e.Blocked() {
				v.Status, v.Message = StatusError, uncheckedSentence(r, e)
				if r.NotAsked != "" {
					v.Advice = fmt.Sprintf("if %s passes FlowMeter on, make it listen on 127.0.0.1 only, or stop it", relayWords(r))
				}
				return
			}
		}
	}
}

// uncheckedSentence says why a relay tied to FlowMeter's port reachable
// on e could not be checked: it did not answer in time, or its port is one
// Localguard never connects to.
func uncheckedSentence(r Relay, e Exposure) string {
	if r.UncheckedWhy != "" {
		return fmt.Sprintf("Localguard cannot tell whether %s on port %d passes FlowMeter on to anyone on %s (%s): %s.",
			relayWords(r), r.Port, e.Interface, e.Address, r.UncheckedWhy)
	}
	if r.NotAsked == "" {
		return fmt.Sprintf("Localguard could not check %s on port %d, which passes connections to FlowMeter's port %d: it did not answer in time, and anyone on %s (%s) can reach it.",
			relayWords(r), r.Port, r.TargetPort, e.Interface, e.Address)
	}
	return fmt.Sprintf("Localguard could not check %s on port %d: %s FlowMeter's port %d, so it may pass FlowMeter on to anyone on %s (%s), but Localguard never connects to port %d (%s), so it did not ask what it serves.",
		relayWords(r), r.Port, tiedWords(r.SeenBy), r.TargetPort, e.Interface, e.Address, r.Port, r.NotAsked)
}

// tiedWords says what ties an unchecked relay to FlowMeter's port.
func tiedWords(seen []SeenBy) string {
	switch {
	case slices.Contains(seen, SeenConnection):
		return "it was seen connected to"
	case slices.Contains(seen, SeenConfig):
		return "its configuration names"
	}
	return "its command line names"
}

// sandboxOff reports whether the FlowMeter on port reports its formula
// sandbox off.
func (j *judgement) sandboxOff(port int) bool {
	for _, l := range j.v.Listeners {
		if l.Port == port && l.FormulaSandbox == SandboxOff {
			return true
		}
	}
	return false
}

// stopAdvice is what to do about a relay found only by what it serves.
func stopAdvice(rf RelayFacts) string {
	if pidOf(rf) == 0 {
		return fmt.Sprintf("find the program listening on port %d (as root: ss -tlnp 'sport = :%d') and make it listen on 127.0.0.1 only, or stop it", rf.Socket.Port, rf.Socket.Port)
	}
	return fmt.Sprintf("make it listen on 127.0.0.1 only, or stop it (pid %d)", pidOf(rf))
}

// unrecognisedWords names, for people, a process Localguard found only by
// what it serves: "a program Localguard does not recognise (python3, pid
// 4242, started by bash in /home/ana/tools)", or "a process of another
// user" when it cannot be seen.
func unrecognisedWords(o *Owner, startedBy string) string {
	if o == nil || o.PID == 0 {
		return "a process of another user, which Localguard may not look into,"
	}
	var parts []string
	if o.Name != "" {
		parts = append(parts, o.Name)
	}
	parts = append(parts, fmt.Sprintf("pid %d", o.PID))
	started := ""
	if startedBy != "" {
		started = "started by " + startedBy
	}
	switch {
	case o.Container != "":
		started = strings.TrimSpace(cmp.Or(started, "started") + " in a " + o.Container + " that shares this computer's network")
	case o.Cwd != "":
		started = strings.TrimSpace(cmp.Or(started, "started") + " in " + o.Cwd)
	}
	if started != "" {
		parts = append(parts, started)
	}
	return "a program Localguard does not recognise (" + strings.Join(parts, ", ") + ")"
}
