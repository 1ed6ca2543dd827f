package netcheck

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"

	"localguard/netcheck/ask"
	"localguard/netcheck/system"
)

// programPortProxy names Windows' port proxy as a relay's program.
const programPortProxy = "portproxy"

// portProxyRecheck is how long a watch keeps what a port proxy's listener
// answered.
const portProxyRecheck = 30 * time.Second

// portProxyRelays finds the port proxy's entries (netsh interface
// portproxy, Windows) that point to a FlowMeter port of this computer,
// and their listeners (the IP Helper service's) beyond loopback, each
// asked GET /api/info through this computer's own address: a relay like
// any other. The entries are returned too, to name their commands.
func (c *Checker) portProxyRelays(ctx context.Context, socks []FlowMeterSocket, ifaces []Interface) ([]RelayFacts, []system.PortProxy) {
	entries, _ := system.PortProxies()
	if len(entries) == 0 {
		return nil, nil
	}
	own := ownAddrsOf(ifaces)
	var out []RelayFacts
	for _, p := range entries {
		if !pointsToFlowMeter(p, socks, own) {
			continue
		}
		for _, s := range c.scanner.Sockets() {
			if s.Port != p.ListenPort || s.Addr.IsLoopback() || !listensAs(p, s) {
				continue
			}
			rf := RelayFacts{Program: programPortProxy, Kind: RelayProxy, Socket: s, TargetPort: p.ConnectPort, Seen: SeenConfig}
			switch c.identify(ctx, s) {
			case IdentityFlowMeter:
				rf.Confirmed = true
			case IdentityUnknown:
				rf.Unchecked = true
				rf.NotAsked, _ = ask.NeverSend(s.Port)
			default:
				continue
			}
			rf.Answered = c.answered(ctx, s, ifaces)
			out = append(out, rf)
		}
	}
	return out, entries
}

// identify asks a port proxy's listener what it serves, from memory while
// a watch keeps it.
func (c *Checker) identify(ctx context.Context, s system.Socket) Identity {
	key := fmt.Sprintf("portproxy %d %s %d", s.Inode, s.Addr, s.Port)
	a := c.cache.remember(key, portProxyRecheck, func() answer {
		id := IdentifyFlowMeter(ctx, probeAddr(s), s.Port, identifyRetryTimeout)
		return answer{ok: id == IdentityFlowMeter, state: Sandbox(strconv.Itoa(int(id)))}
	})
	n, _ := strconv.Atoi(string(a.state))
	return Identity(n)
}

// pointsToFlowMeter reports whether an entry passes connections to a
// FlowMeter port of this computer: its connect address is one of this
// computer's (loopback, localhost, an own address) and a FlowMeter
// listens on its connect port.
func pointsToFlowMeter(p system.PortProxy, socks []FlowMeterSocket, own func(netip.Addr) bool) bool {
	here := strings.EqualFold(p.ConnectAddr, "localhost")
	if a, err := netip.ParseAddr(p.ConnectAddr); err == nil {
		here = own(a) || a.IsUnspecified()
	}
	if !here {
		return false
	}
	for _, s := range socks {
		if s.Port == p.ConnectPort && !s.Foreign {
			return true
		}
	}
	return false
}

// listensAs reports whether a listening socket is the one an entry's
// listen address makes: every address for "*" (or a name Localguard does
// not resolve), else that address.
func listensAs(p system.PortProxy, s system.Socket) bool {
	a, err := netip.ParseAddr(p.ListenAddr)
	if err != nil {
		return true
	}
	return a.Unmap() == s.Addr.Unmap()
}

// PortProxyDeleteCommand is the command that removes a port proxy entry:
// netsh interface portproxy delete KIND listenport=PORT listenaddress=ADDR
// (run as administrator); an entry kept for every address ("*") is named
// without listenaddress, as it was added.
func PortProxyDeleteCommand(p system.PortProxy) string {
	cmd := fmt.Sprintf("netsh interface portproxy delete %s listenport=%d", p.Kind, p.ListenPort)
	if p.ListenAddr != "" && p.ListenAddr != "*" {
		cmd += " listenaddress=" + p.ListenAddr
	}
	return cmd
}

// describePortProxies gives the port proxy's relays their words: the
// entry, why it passes FlowMeter on, and the netsh command that removes
// it. Its listener belongs to the IP Helper service (svchost), which is
// never offered to be stopped: the relay names no pid.
func describePortProxies(relays []Relay, entries []system.PortProxy) {
	for i := range relays {
		r := &relays[i]
		if r.Program != programPortProxy {
			continue
		}
		p, ok := entryOf(*r, entries)
		if !ok {
			continue
		}
		r.PID, r.Process, r.Cmdline = 0, "svchost.exe", "IP Helper service (iphlpsvc)"
		r.Program = "Windows' port proxy (netsh interface portproxy)"
		r.Cause = CauseConfig
		r.Fix = PortProxyDeleteCommand(p)
		r.Why = fmt.Sprintf("a port proxy entry (%s) listens on port %d of %s and passes every connection to %s port %d, where FlowMeter listens (Windows' IP Helper service keeps it; WSL guides suggest it to share a server with the network)",
			p.Kind, p.ListenPort, listenWords(p.ListenAddr), p.ConnectAddr, p.ConnectPort)
		r.Advice = "remove the entry in an administrator's command prompt: " + r.Fix
	}
}

// entryOf is the entry a port proxy relay was found by.
func entryOf(r Relay, entries []system.PortProxy) (system.PortProxy, bool) {
	for _, p := range entries {
		a, err := netip.ParseAddr(p.ListenAddr)
		if p.ListenPort == r.Port && p.ConnectPort == r.TargetPort && (err != nil || a.String() == r.Address) {
			return p, true
		}
	}
	return system.PortProxy{}, false
}

func listenWords(a string) string {
	if a == "" || a == "*" || a == "0.0.0.0" || a == "::" {
		return "every address"
	}
	return a
}
