package firewall

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// The values of Windows Defender Firewall's COM API (icftypes.h) that the
// evaluation needs.
const (
	// NET_FW_PROFILE2_DOMAIN, _PRIVATE, _PUBLIC; _ALL is 0x7FFFFFFF.
	ProfileDomain  int32 = 1
	ProfilePrivate int32 = 2
	ProfilePublic  int32 = 4
	ProfileAll     int32 = 0x7FFFFFFF
	// NET_FW_IP_PROTOCOL_TCP and _ANY.
	ProtocolTCP int32 = 6
	ProtocolAny int32 = 256
)

// windowsBy names the firewall in answers.
const windowsBy = "Windows Defender Firewall"

// WindowsProfile is one profile's settings (INetFwPolicy2's per-profile
// properties).
type WindowsProfile struct {
	// Enabled is FirewallEnabled.
	Enabled bool
	// BlockAllInbound is BlockAllInboundTraffic: every allow rule is
	// ignored ("Block all incoming connections, including those in the
	// list of allowed apps").
	BlockAllInbound bool
	// DefaultBlock is DefaultInboundAction == NET_FW_ACTION_BLOCK.
	DefaultBlock bool
}

// WindowsRule is one rule (INetFwRule), as its properties read.
type WindowsRule struct {
	Name string
	// Inbound is Direction == NET_FW_RULE_DIR_IN.
	Inbound bool
	Enabled bool
	// Allow is Action == NET_FW_ACTION_ALLOW; else it blocks.
	Allow bool
	// Profiles is the NET_FW_PROFILE2 bitmask the rule applies to.
	Profiles int32
	// Protocol is the IANA protocol number, 256 for any.
	Protocol int32
	// LocalPorts, LocalAddresses and RemoteAddresses are as the API gives
	// them: "*", lists of values and ranges, keywords (RPC, LocalSubnet).
	LocalPorts      string
	LocalAddresses  string
	RemoteAddresses string
	// Program is ApplicationName ("" for any program), Service ServiceName.
	Program string
	Service string
	// InterfaceTypes is "All" or a list of "Wireless", "Lan",
	// "RemoteAccess"; Interfaces the names of the interfaces it is limited
	// to (none: all).
	InterfaceTypes string
	Interfaces     []string
	// EdgeTraversal lets traffic in through NAT traversal (Teredo); it only
	// ever allows more, so it changes no decision here.
	EdgeTraversal bool
	// Uncertain is set for a rule with a condition Localguard does not
	// read (see ParseGPORule): it may apply, never certainly.
	Uncertain bool
}

// WindowsPolicy is Windows Defender Firewall's state as read.
type WindowsPolicy struct {
	// Profiles are the Domain, Private and Public profiles by name.
	Profiles map[string]WindowsProfile
	Rules    []WindowsRule
	// ThirdParty names a third-party firewall registered with Windows
	// Security Center, "" when none is.
	ThirdParty string
}

// Decide answers a query from the policy (see EvaluateWindows).
func (p *WindowsPolicy) Decide(q Query) Answer { return EvaluateWindows(p, q) }

// match is a three-valued match: a rule Localguard cannot fully match (an
// address list, a keyword, a service) may match.
type match int

const (
	no match = iota
	maybe
	yes
)

// and is the conjunction of three-valued matches.
func and(ms ...match) match {
	out := yes
	for _, m := range ms {
		out = min(out, m)
	}
	return out
}

// profileBits are the profiles' names and bits.
var profileBits = map[string]int32{"Domain": ProfileDomain, "Private": ProfilePrivate, "Public": ProfilePublic}

// EvaluateWindows is Windows Defender Firewall's inbound decision for q, by
// Microsoft's documented precedence: a profile whose firewall is off lets
// everything in; a matching block rule beats every allow rule; with
// BlockAllInboundTraffic allow rules are ignored; then an allow rule
// (explicit rules beat the default); then the profile's default inbound
// action. A block rule counts only when it certainly matches; an allow rule
// counts when it may (a neighbour it lets in gets in). A third-party
// firewall, or a network whose profile is unknown, is unknown.
func EvaluateWindows(p *WindowsPolicy, q Query) Answer {
	if p.ThirdParty != "" {
		return Answer{Unknown, p.ThirdParty, "a third-party firewall registered with Windows Security Center filters this computer; Localguard cannot read its rules"}
	}
	bit, ok := profileBits[q.Category]
	prof, read := p.Profiles[q.Category]
	if !ok || !read {
		return Answer{Unknown, windowsBy, "Windows does not say which profile (Domain, Private, Public) this network has"}
	}
	net := q.Category + " networks"
	if !prof.Enabled {
		return Answer{Allowed, windowsBy, "the firewall is off for " + net}
	}
	var allow *WindowsRule
	for i := range p.Rules {
		r := &p.Rules[i]
		m := r.applies(bit, q)
		switch {
		case m == yes && !r.Allow:
			return Answer{Blocked, windowsBy, fmt.Sprintf("block rule %q (%s)", r.Name, net)}
		case m != no && r.Allow && allow == nil:
			allow = r
		}
	}
	if prof.BlockAllInbound {
		return Answer{Blocked, windowsBy, "Block all incoming connections is on for " + net}
	}
	if allow != nil {
		return Answer{Allowed, windowsBy, fmt.Sprintf("allow rule %q (%s)", allow.Name, net)}
	}
	if prof.DefaultBlock {
		return Answer{Blocked, windowsBy, "no rule allows it, and the default for " + net + " blocks incoming connections"}
	}
	return Answer{Allowed, windowsBy, "the default for " + net + " allows incoming connections"}
}

// applies is how surely the rule applies to q on a network of the profile
// bit.
func (r *WindowsRule) applies(bit int32, q Query) match {
	if !r.Inbound || !r.Enabled || r.Profiles&bit == 0 {
		return no
	}
	if r.Protocol != ProtocolTCP && r.Protocol != ProtocolAny {
		return no
	}
	certain := yes
	if r.Uncertain {
		certain = maybe
	}
	return and(certain, portsMatch(r.LocalPorts, q.Port), programMatch(r.Program, q.Program), serviceMatch(r.Service),
		localMatch(r.LocalAddresses, q.Local), remoteMatch(r.RemoteAddresses, r.Allow),
		typesMatch(r.InterfaceTypes, q.InterfaceType), interfacesMatch(r.Interfaces, q.Interface))
}

// isAny reports whether a list of the API means any value.
func isAny(s string) bool { s = strings.TrimSpace(s); return s == "" || s == "*" }

// portsMatch matches a port list ("*", "8000", "8000-8010,9000", keywords).
func portsMatch(list string, port int) match {
	if isAny(list) {
		return yes
	}
	out := no
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		lo, hi, isRange := strings.Cut(item, "-")
		a, errA := strconv.Atoi(lo)
		b, errB := strconv.Atoi(hi)
		switch {
		case !isRange && errA == nil:
			if a == port {
				return yes
			}
		case isRange && errA == nil && errB == nil:
			if a <= port && port <= b {
				return yes
			}
		default:
			// RPC (dynamic ports), IPHTTPS, Teredo...: the ports they mean
			// are the system's choice.
			out = maybe
		}
	}
	return out
}

// programMatch matches ApplicationName against the listener's executable.
func programMatch(rule, program string) match {
	switch {
	case rule == "":
		return yes
	case program == "" || strings.Contains(rule, "%"):
		return maybe
	case strings.EqualFold(winPath(rule), winPath(program)):
		return yes
	}
	return no
}

// winPath spells a Windows path one way for comparison.
func winPath(p string) string {
	return strings.ToLower(strings.ReplaceAll(strings.TrimSpace(p), "/", `\`))
}

// serviceMatch: a rule for a service applies to that service's process
// only; whether the listener runs as one is not known here.
func serviceMatch(service string) match {
	if service == "" {
		return yes
	}
	return maybe
}

// localMatch matches LocalAddresses against the address connected to.
func localMatch(list string, a netip.Addr) match {
	if isAny(list) {
		return yes
	}
	out := no
	for _, item := range strings.Split(list, ",") {
		switch contains, ok := addrItem(strings.TrimSpace(item), a); {
		case !ok:
			out = maybe
		case contains:
			return yes
		}
	}
	return out
}

// remoteMatch matches RemoteAddresses for a neighbour on this network.
// "*" is everyone. Any other list lets some neighbours in, or keeps some
// out, but not every one (a host routed in through the gateway is not on
// LocalSubnet): an allow rule for LocalSubnet lets the neighbours in (yes),
// any other list may match.
func remoteMatch(list string, allow bool) match {
	if isAny(list) {
		return yes
	}
	if allow {
		for _, item := range strings.Split(list, ",") {
			if strings.EqualFold(strings.TrimSpace(item), "LocalSubnet") {
				return yes
			}
		}
	}
	return maybe
}

// addrItem reports whether one item of an address list (an address, a
// prefix, a range "a-b", an IPv4 prefix with a dotted mask) contains a;
// ok is false for a keyword or anything unparsed.
func addrItem(item string, a netip.Addr) (contains, ok bool) {
	a = a.Unmap().WithZone("")
	if lo, hi, isRange := strings.Cut(item, "-"); isRange {
		l, err1 := netip.ParseAddr(lo)
		h, err2 := netip.ParseAddr(hi)
		if err1 != nil || err2 != nil {
			return false, false
		}
		return l.Compare(a) <= 0 && a.Compare(h) <= 0, true
	}
	if addr, mask, ok := strings.Cut(item, "/"); ok && strings.Contains(mask, ".") {
		m, err := netip.ParseAddr(mask)
		if err != nil {
			return false, false
		}
		bits := 0
		for _, b := range m.AsSlice() {
			for ; b&0x80 != 0; b <<= 1 {
				bits++
			}
		}
		item = fmt.Sprintf("%s/%d", addr, bits)
	}
	if p, err := netip.ParsePrefix(item); err == nil {
		return p.Contains(a), true
	}
	if x, err := netip.ParseAddr(item); err == nil {
		return x == a, true
	}
	return false, false
}

// typesMatch matches InterfaceTypes against the kind of interface.
func typesMatch(types, kind string) match {
	if isAny(types) || strings.EqualFold(strings.TrimSpace(types), "All") {
		return yes
	}
	if kind == "" {
		return maybe
	}
	for _, t := range strings.Split(types, ",") {
		if strings.EqualFold(strings.TrimSpace(t), kind) {
			return yes
		}
	}
	return no
}

// interfacesMatch matches a rule limited to named interfaces.
func interfacesMatch(names []string, iface string) match {
	if len(names) == 0 {
		return yes
	}
	for _, n := range names {
		if strings.EqualFold(n, iface) {
			return yes
		}
	}
	// The API names interfaces as Windows does; a name that differs may
	// still be the same interface.
	return maybe
}
