package netcheck

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"localguard/netcheck/system"
)

// RelayNAT is the kernel itself passing FlowMeter on: a DNAT rule sends
// packets from the network to FlowMeter on 127.0.0.1, which Linux routes
// there when route_localnet is on for the interface they arrive on.
const RelayNAT RelayKind = "nat"

// NATFacts are what decides whether the kernel passes the network to
// FlowMeter on loopback (Linux): the interfaces with route_localnet on,
// and the DNAT rules. Read only when a FlowMeter listens on IPv4
// loopback (or every IPv4 address), and the rules only when route_localnet
// is on somewhere.
type NATFacts struct {
	// RouteLocalnet are the route_localnet settings that are 1: "all"
	// first when net.ipv4.conf.all.route_localnet is, then interfaces'.
	RouteLocalnet []string
	// Rules are the DNAT rules read; RulesErr is why they could not all
	// be read (system.ErrNATUnreadable when Localguard is not root).
	Rules    []system.NATRule
	RulesErr error
	// PortProxies are the entries of Windows' port proxy (netsh interface
	// portproxy), whose listeners are relays of kind proxy.
	PortProxies []system.PortProxy
	// LoopbackRelays are the loopback sockets (not FlowMeter's own) that a
	// DNAT rule sends packets to, with what GET /api/info through them
	// answered: a program there may pass FlowMeter on (a proxy, Vite).
	LoopbackRelays []LoopbackTarget
}

// LoopbackTarget is a socket on loopback a DNAT rule sends packets to, and
// what it serves.
type LoopbackTarget struct {
	Socket system.Socket
	Answer Identity
}

// natFacts reads the NAT facts when a FlowMeter may be reached on
// 127.0.0.1: route_localnet for every interface that is up, then the
// rules where it is on.
func natFacts(socks []FlowMeterSocket, ifaces []Interface) NATFacts {
	if !slices.ContainsFunc(socks, func(s FlowMeterSocket) bool { return onLoopback4(s.Socket) && !s.Foreign }) {
		return NATFacts{}
	}
	var names []string
	for _, it := range ifaces {
		if !isLoopbackIface(it) {
			names = append(names, it.Name)
		}
	}
	var f NATFacts
	on, err := system.RouteLocalnet(names)
	f.RouteLocalnet = on
	if err != nil {
		f.RulesErr = err
		return f
	}
	if len(on) > 0 {
		f.Rules, f.RulesErr = system.NATRules()
	}
	return f
}

// onLoopback4 reports whether a socket accepts connections to 127.0.0.1
// or another 127.x.y.z address: a loopback IPv4 listener, or one on every
// IPv4 address.
func onLoopback4(s system.Socket) bool {
	a := s.Addr.Unmap()
	return a.Is4() && (a.IsLoopback() || a.IsUnspecified()) || a == netip.IPv6Unspecified() && s.DualStack
}

// isLoopbackIface reports whether an interface is the loopback one.
func isLoopbackIface(it Interface) bool {
	return slices.ContainsFunc(it.Addrs, func(a InterfaceAddr) bool { return a.Kind == KindLoopback }) && !slices.ContainsFunc(it.Addrs, func(a InterfaceAddr) bool { return a.Kind != KindLoopback })
}

// natPath is one way the kernel passes FlowMeter on: a rule (nil when the
// rules could not be read), the listener it reaches, and the interfaces
// packets may arrive on.
type natPath struct {
	rule   *system.NATRule
	target Listener
	ifaces []string
	// set are the route_localnet settings that open those interfaces.
	set []string
	// unsure is true for a rule whose destination Localguard cannot read
	// (a map's), or that sends to a program on loopback that did not
	// answer in time: it may or may not be FlowMeter.
	unsure bool
	// relay is the loopback socket of a program that passes FlowMeter on,
	// when the rule sends to it rather than to FlowMeter; nil otherwise.
	relay *system.Socket
}

// natJudgement adds the kernel's own relays: with route_localnet on, each
// DNAT rule that sends packets to a FlowMeter on loopback is a relay of
// kind nat, exposed on every network whose interface it takes packets
// from; when the rules cannot be read, the verdict is not safe. A pure
// function of the facts.
func (j *judgement) natJudgement() {
	nf := j.f.NAT
	if len(nf.RouteLocalnet) == 0 {
		return
	}
	paths := natPaths(nf, j.v.Listeners, j.f.Listeners, j.f.Interfaces)
	var exposing, unknown []Relay
	for _, p := range paths {
		r := natRelay(p, j.f.Interfaces, j.f.Trusted)
		j.v.Relays = append(j.v.Relays, r)
		if !slices.ContainsFunc(r.ExposedOn, func(e Exposure) bool { return !e.Trusted }) {
			continue
		}
		if r.Unchecked {
			unknown = append(unknown, r)
		} else {
			exposing = append(exposing, r)
		}
	}
	j.natVerdict(exposing, unknown)
}

// natPaths pairs the rules with the FlowMeters they reach; without the
// rules, every FlowMeter on loopback with every route_localnet interface.
func natPaths(nf NATFacts, ls []Listener, lfs []ListenerFacts, ifaces []Interface) []natPath {
	on := natIfaces(nf.RouteLocalnet, ifaces)
	var out []natPath
	for i, lf := range lfs {
		if !onLoopback4(lf.Socket) || lf.Foreign {
			continue
		}
		if nf.RulesErr != nil && len(nf.Rules) == 0 {
			out = append(out, natPath{target: ls[i], ifaces: on, set: settingsFor(nf.RouteLocalnet, on)})
			continue
		}
		for k := range nf.Rules {
			r := &nf.Rules[k]
			if !ruleReaches(*r, lf.Socket) {
				continue
			}
			if in := ruleIfaces(*r, on); len(in) > 0 {
				out = append(out, natPath{rule: r, target: ls[i], ifaces: in, set: settingsFor(nf.RouteLocalnet, in), unsure: !r.ToAddr.IsValid()})
			}
		}
	}
	return append(out, loopbackRelayPaths(nf, on)...)
}

// loopbackRelayPaths are the rules that send packets to a program on
// loopback that answered as FlowMeter (a proxy passing it on), or did not
// answer in time.
func loopbackRelayPaths(nf NATFacts, on []string) []natPath {
	var out []natPath
	for _, lt := range nf.LoopbackRelays {
		if lt.Answer == IdentityOther {
			continue
		}
		for k := range nf.Rules {
			r := &nf.Rules[k]
			if !r.ToAddr.IsValid() || !ruleReaches(*r, lt.Socket) {
				continue
			}
			if in := ruleIfaces(*r, on); len(in) > 0 {
				sock := lt.Socket
				out = append(out, natPath{rule: r, target: Listener{Address: sock.Addr.String(), Port: sock.Port}, ifaces: in,
					set: settingsFor(nf.RouteLocalnet, in), unsure: lt.Answer == IdentityUnknown, relay: &sock})
			}
		}
	}
	return out
}

// rawBytePorts are ports of services that act on the bytes they receive
// (raw printing, LPD): never asked anything.
var rawBytePorts = map[int]bool{9100: true, 9101: true, 9102: true, 9103: true, 515: true}

// natTargets asks, once per socket while a watch keeps it, what the
// loopback sockets that DNAT rules send packets to serve, when they are
// not FlowMeter's own: GET /api/info on this computer's loopback, as a
// neighbour's packets would arrive there.
func (c *Checker) natTargets(ctx context.Context, nf NATFacts, socks []FlowMeterSocket) []LoopbackTarget {
	if len(nf.RouteLocalnet) == 0 || len(nf.Rules) == 0 {
		return nil
	}
	var out []LoopbackTarget
	for _, s := range c.scanner.Sockets() {
		a := s.Addr.Unmap()
		if !a.Is4() || !a.IsLoopback() || rawBytePorts[s.Port] || slices.ContainsFunc(socks, func(f FlowMeterSocket) bool { return f.Port == s.Port }) {
			continue
		}
		if !slices.ContainsFunc(nf.Rules, func(r system.NATRule) bool { return r.ToAddr.IsValid() && ruleReaches(r, s) }) {
			continue
		}
		out = append(out, LoopbackTarget{Socket: s, Answer: c.identify(ctx, s)})
	}
	return out
}

// natIfaces are the interfaces route_localnet lets packets from the
// network reach loopback through.
func natIfaces(on []string, ifaces []Interface) []string {
	var out []string
	all := slices.Contains(on, "all")
	for _, it := range ifaces {
		if !isLoopbackIface(it) && (all || slices.Contains(on, it.Name)) {
			out = append(out, it.Name)
		}
	}
	return out
}

// ruleReaches reports whether a DNAT rule sends TCP packets to a
// listener: to its loopback address (any 127.x.y.z for one on every IPv4
// address; an address the rule does not show may be it) and to its port
// (a rule that keeps the port matches it when its ports do).
func ruleReaches(r system.NATRule, s system.Socket) bool {
	if r.Proto != "" && r.Proto != "tcp" {
		return false
	}
	if r.ToAddr.IsValid() {
		a := s.Addr.Unmap()
		if !r.ToAddr.IsLoopback() || a.IsLoopback() && r.ToAddr != a {
			return false
		}
	}
	p := uint16(s.Port)
	if r.ToPortMin != 0 {
		return r.ToPortMin <= p && p <= max(r.ToPortMax, r.ToPortMin)
	}
	return r.DPortMin == 0 && r.DPortMax == 0 || r.DPortMin <= p && p <= r.DPortMax
}

// ruleIfaces are the interfaces among on that a rule takes packets from.
func ruleIfaces(r system.NATRule, on []string) []string {
	if r.InIface == "" {
		return on
	}
	var out []string
	for _, name := range on {
		match := name == r.InIface || r.InPrefix && strings.HasPrefix(name, r.InIface)
		if match != r.InNot {
			out = append(out, name)
		}
	}
	return out
}

// natRelay is a path as the verdict's relay of kind nat.
func natRelay(p natPath, ifaces []Interface, trust *Store) Relay {
	r := Relay{Program: "the kernel (NAT)", Kind: RelayNAT, Address: netip.IPv4Unspecified().String(), TargetPort: targetPort(p),
		ExposedOn: []Exposure{}, Cause: CauseConfig, Unchecked: p.rule == nil || p.unsure}
	port := p.target.Port
	if p.rule != nil {
		r.Program = p.rule.Source
		if p.rule.DPortMin != 0 && p.rule.ToPortMin != 0 {
			port = int(p.rule.DPortMin)
		}
	}
	r.Port = port
	for _, it := range ifaces {
		if !slices.Contains(p.ifaces, it.Name) {
			continue
		}
		for _, a := range it.Addrs {
			if !a.Prefix.Addr().Is4() || a.Kind == KindLoopback {
				continue
			}
			reach := Reach{Interface: it.Name, Addr: a.Prefix.Addr(), Via: a.Prefix, Kind: a.Kind}
			url := URL(a.Prefix.Addr(), port)
			if p.rule == nil {
				url = "" // no rule read: no port to name
			}
			r.ExposedOn = append(r.ExposedOn, Exposure{Interface: it.Name, Address: a.Prefix.Addr().String(), Kind: a.Kind,
				Trusted: reachTrusted(trust, reach, gatewayOf(it)), URL: url, Via: a.Prefix.Addr().String()})
		}
	}
	r.Why, r.Fix, r.Advice = natWords(p)
	return r
}

// gatewayOf is the hardware address of an interface's gateway, "" when
// unknown.
func gatewayOf(it Interface) string {
	if it.Gateway != nil && it.Gateway.HardwareAddr != nil {
		return it.Gateway.HardwareAddr.String()
	}
	return ""
}

// settingsFor are the route_localnet settings among set that open
// ifaces: "all", and each interface's own.
func settingsFor(set, ifaces []string) []string {
	var out []string
	for _, s := range set {
		if s == "all" || slices.Contains(ifaces, s) {
			out = append(out, s)
		}
	}
	return out
}

// sysctlWords names route_localnet settings that are on, and the command
// that switches them off.
func sysctlWords(set []string) (names, off string) {
	var on, cmds []string
	for _, i := range set {
		on = append(on, "net.ipv4.conf."+i+".route_localnet=1")
		cmds = append(cmds, "net.ipv4.conf."+i+".route_localnet=0")
	}
	return joinWords(on), "sudo sysctl -w " + strings.Join(cmds, " ")
}

// natWords says why a path is there, the command that removes it, and
// what to do by hand.
func natWords(p natPath) (why, fix, advice string) {
	names, off := sysctlWords(p.set)
	advice = fmt.Sprintf("unless something on this computer needs it, switch route_localnet off: %s (and remove it from /etc/sysctl.conf or /etc/sysctl.d, where it is set at boot)", off)
	if p.rule == nil {
		return fmt.Sprintf("with %s, NAT rules can pass packets from the network to FlowMeter on %s port %d, and Localguard could not read the NAT rules to tell whether one does", names, p.target.Address, p.target.Port), "", advice
	}
	fix = RemoveRuleCommand(*p.rule)
	if p.relay != nil {
		return relayedWords(p, names), fix, "remove the rule: " + fix + "; and " + advice
	}
	if p.unsure {
		return fmt.Sprintf("with %s, %s takes TCP packets from the network to an address it looks up in a map, which Localguard cannot read: it may send them to FlowMeter on %s port %d", names, ruleWhere(*p.rule), p.target.Address, p.target.Port),
			fix, "if that rule is not meant to reach this computer's loopback, check its map; " + advice
	}
	why = fmt.Sprintf("%s %s, and with %s the kernel lets such packets reach this computer's loopback", ruleWhere(*p.rule), ruleSends(*p.rule, p.target), names)
	return why, fix, "remove the rule: " + fix + "; and " + advice
}

// ruleWhere names a rule for people: who keeps it and where it is.
func ruleWhere(r system.NATRule) string {
	switch r.Source {
	case "iptables-nft", "iptables-legacy":
		return fmt.Sprintf("rule %d of iptables' %s chain (table %s, %s)", r.Position, r.Chain, r.Table, r.Source)
	}
	return fmt.Sprintf("the nftables rule in table %s %s, chain %s (handle %d)", r.Family, r.Table, r.Chain, r.Handle)
}

// ruleSends says in plain words what a rule sends where.
func ruleSends(r system.NATRule, target Listener) string {
	what := "every TCP port"
	switch {
	case r.DPortMin != 0 && r.DPortMin == r.DPortMax:
		what = fmt.Sprintf("TCP port %d", r.DPortMin)
	case r.DPortMin != 0 || r.DPortMax != 0:
		what = fmt.Sprintf("TCP ports %d to %d", r.DPortMin, r.DPortMax)
	}
	from := "from any network"
	switch {
	case r.InIface == "":
	case r.InNot:
		from = "from any network but " + ifaceWords(r)
	default:
		from = "arriving on " + ifaceWords(r)
	}
	to := target.Address
	if r.ToAddr.IsValid() {
		to = r.ToAddr.String()
	}
	if r.ToPortMin != 0 {
		to += fmt.Sprintf(":%d", r.ToPortMin)
	} else {
		to += " (the same port)"
	}
	return fmt.Sprintf("sends %s %s to %s, where FlowMeter listens", what, from, to)
}

func ifaceWords(r system.NATRule) string {
	if r.InPrefix {
		return r.InIface + "*"
	}
	return r.InIface
}

// RemoveRuleCommand is the command that removes a NAT rule: iptables -D
// with its place in its chain for iptables' rules, nft delete rule with
// its handle for nftables' own.
func RemoveRuleCommand(r system.NATRule) string {
	switch r.Source {
	case "iptables-nft":
		return fmt.Sprintf("sudo iptables-nft -t %s -D %s %d", r.Table, r.Chain, r.Position)
	case "iptables-legacy":
		return fmt.Sprintf("sudo iptables-legacy -t %s -D %s %d", r.Table, r.Chain, r.Position)
	}
	return fmt.Sprintf("sudo nft delete rule %s %s %s handle %d", r.Family, shellQuote(r.Table), shellQuote(r.Chain), r.Handle)
}

// natVerdict makes the verdict exposed when a NAT path reaches an
// untrusted network, and not safe when the rules could not be read.
func (j *judgement) natVerdict(exposing, unknown []Relay) {
	v := j.v
	var lines []string
	for _, r := range exposing {
		lines = append(lines, natSentence(r, j.sandboxOff(r.TargetPort)))
	}
	if len(lines) > 0 {
		msg := strings.Join(lines, " ")
		switch v.Status {
		case StatusExposed:
			v.Message += " Also passed on: " + msg
		case StatusSafe:
			v.Status, v.Message = StatusExposed, msg
		default:
			v.Status, v.Message = StatusExposed, msg+" "+v.Message
		}
		if v.Advice == "" {
			v.Advice = exposing[0].Advice
		}
		return
	}
	if len(unknown) == 0 {
		return
	}
	r := unknown[0]
	msg := fmt.Sprintf("%s may be passed on by the kernel to anyone on %s: %s.", flowMeterPort(r.TargetPort), joinWords(untrustedNets(r)), r.Why)
	if r.Fix == "" { // the rules could not be read
		msg = fmt.Sprintf("FlowMeter (port %d) may be passed on by the kernel to anyone on %s: %s (%s). Run sudo localguard check to read them.", r.TargetPort, joinWords(untrustedNets(r)), r.Why, natUnreadWhy(j.f.NAT.RulesErr))
	}
	switch v.Status {
	case StatusSafe:
		v.Status, v.Message = StatusAtRisk, msg+" "+upperFirst(r.Advice)+"."
	case StatusAtRisk:
		v.Message += " " + msg
	}
	if v.Advice == "" {
		v.Advice = r.Advice
	}
}

// natUnreadWhy says why the NAT rules could not be read.
func natUnreadWhy(err error) string {
	if errors.Is(err, system.ErrNATUnreadable) {
		return "the kernel shows them to root only"
	}
	return fmt.Sprint(err)
}

// untrustedNets names a relay's untrusted networks for people.
func untrustedNets(r Relay) []string {
	var out []string
	for _, e := range r.ExposedOn {
		if !e.Trusted {
			kind, _ := e.Kind.Words()
			out = append(out, fmt.Sprintf("%s (%s, %s)", e.Interface, kind, e.Address))
		}
	}
	return out
}

// natSentence says what a NAT path does, why, and what removes it.
func natSentence(r Relay, sandboxOff bool) string {
	harm := "read every dataset loaded in it"
	if sandboxOff {
		harm = "run any program on this computer, as FlowMeter's formula sandbox is off"
	}
	return fmt.Sprintf("The kernel passes %s on to anyone on %s, who can %s: %s. To remove it, %s.",
		flowMeterPort(r.TargetPort), joinWords(untrustedNets(r)), harm, r.Why, r.Advice)
}

// targetPort is FlowMeter's port a path reaches, 0 when a program on
// loopback passes it on from a port of its own.
func targetPort(p natPath) int {
	if p.relay != nil {
		return 0
	}
	return p.target.Port
}

// relayedWords says why a rule to a program on loopback passes FlowMeter
// on (or may).
func relayedWords(p natPath, names string) string {
	where := "a program there passes FlowMeter on (GET /api/info through it answered as FlowMeter)"
	if p.unsure {
		where = "a program there did not answer in time, so Localguard cannot tell whether it passes FlowMeter on"
	}
	sends := strings.TrimSuffix(ruleSends(*p.rule, p.target), ", where FlowMeter listens")
	return fmt.Sprintf("%s %s: %s, and with %s the kernel lets such packets reach this computer's loopback", ruleWhere(*p.rule), sends, where, names)
}

// flowMeterPort names FlowMeter with its port, when known.
func flowMeterPort(port int) string {
	if port == 0 {
		return "FlowMeter"
	}
	return fmt.Sprintf("FlowMeter (port %d)", port)
}
