package netcheck

import (
	"net/netip"
	"runtime"

	"github.com/shirou/gopsutil/v4/process"

	"localguard/netcheck/firewall"
	"localguard/netcheck/system"
)

// FirewallAnswers are the host firewall's decisions for a socket, one per
// network and address a neighbour may reach it on (see firewallKey).
type FirewallAnswers map[string]firewall.Answer

// firewallKey names a neighbour's connection: the network it comes from
// and the address it connects to.
func firewallKey(iface string, a netip.Addr) string { return iface + " " + a.String() }

// firewallFacts asks the host firewall about every network each listener
// and relay answered on. The firewall is read only when something answers
// beyond loopback, and again only when its rules or the networks changed
// (firewall.Reader).
func (c *Checker) firewallFacts(f *Facts) {
	var snap firewall.Snapshot
	names := make([]string, 0, len(f.Interfaces))
	for _, it := range f.Interfaces {
		names = append(names, it.Name)
	}
	snapshot := func() firewall.Snapshot {
		if snap == nil {
			snap = c.firewall.Snapshot(names)
		}
		return snap
	}
	for i := range f.Listeners {
		lf := &f.Listeners[i]
		published := lf.Owner != nil && lf.Owner.Start == StartContainer
		lf.Firewall = c.firewallAnswers(lf.Socket, lf.Owner, published, f.Interfaces, snapshot)
	}
	for i := range f.Relays {
		rf := &f.Relays[i]
		rf.Firewall = c.firewallAnswers(rf.Socket, rf.Owner, rf.Kind == RelayContainer, f.Interfaces, snapshot)
	}
}

// firewallAnswers asks about each address a socket answered on.
func (c *Checker) firewallAnswers(s system.Socket, o *Owner, published bool, ifaces []Interface, snapshot func() firewall.Snapshot) FirewallAnswers {
	out := FirewallAnswers{}
	byName := map[string]Interface{}
	for _, it := range ifaces {
		byName[it.Name] = it
	}
	for _, r := range ReachableAddrs(s, ifaces) {
		// An address that did not answer is asked about too: a rule that
		// drops the port on every interface drops Localguard's own
		// connects as well, and that network is then kept out, not safe.
		if r.Kind == KindLoopback {
			continue
		}
		q := firewall.Query{
			Interface: r.Interface, Category: byName[r.Interface].Profile.Category,
			InterfaceType: interfaceType(byName[r.Interface].Profile.Type),
			Local:         r.Addr, Subnet: r.Via, Port: s.Port, Published: published,
			Program: c.programOf(o),
		}
		out[firewallKey(r.Interface, r.Addr)] = firewall.Decide(snapshot(), q)
	}
	return out
}

// interfaceType is Windows' interface type for rules, from the kind of
// network people see; "" when unknown.
func interfaceType(t string) string {
	switch t {
	case "Wi-Fi":
		return "Wireless"
	case "Ethernet":
		return "Lan"
	case "VPN":
		return "RemoteAccess"
	}
	return ""
}

// programOf is a process's executable, for the firewalls whose rules name
// programs (Windows, macOS); Linux's filter ports, not programs, so it is
// not read there.
func (c *Checker) programOf(o *Owner) string {
	if o == nil || runtime.GOOS == "linux" {
		return ""
	}
	if exe, ok := c.exes[o.PID]; ok {
		return exe
	}
	exe := ""
	if p, err := process.NewProcess(o.PID); err == nil {
		exe, _ = p.Exe()
	}
	if c.exes == nil {
		c.exes = map[int32]string{}
	}
	c.exes[o.PID] = exe
	return exe
}

// of is the answer for a reach, nil when the firewall was not asked.
func (a FirewallAnswers) of(r Reach) *firewall.Answer {
	x, ok := a[firewallKey(r.Interface, r.Addr)]
	if !ok {
		return nil
	}
	return &x
}

// shown reports whether a reach is listed in exposed_on: it answered, or
// the firewall keeps neighbours out there (and Localguard's own connect
// with them).
func (a FirewallAnswers) shown(r Reach, answered map[netip.Addr]bool) bool {
	if answered[r.Addr] {
		return true
	}
	x := a.of(r)
	return x != nil && x.Decision == firewall.Blocked
}
