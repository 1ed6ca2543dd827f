package system

import (
	"errors"
	"net/netip"
)

// NATRule is a rule that rewrites the destination of packets (DNAT), as
// Localguard reads it from the kernel: what it matches and where it sends
// them. Matches it cannot read are left out, which makes it look broader,
// never narrower.
type NATRule struct {
	// Source is who keeps the rule: "nftables", "iptables-nft" (iptables
	// rules in nftables' kernel tables) or "iptables-legacy".
	Source string
	// Family, Table and Chain locate it: ip nat PREROUTING.
	Family, Table, Chain string
	// Hook is its chain's hook (prerouting, output, input, postrouting);
	// "" for a regular chain, which other chains jump to.
	Hook string
	// Handle is nftables' handle of the rule (nft delete rule ... handle
	// N); Position is its place in its chain from 1 (iptables -D CHAIN N).
	Handle   uint64
	Position int
	// InIface is the interface it matches packets arriving on ("" any);
	// InPrefix makes it a prefix ("veth*"), InNot a negation (! -i).
	InIface  string
	InPrefix bool
	InNot    bool
	// Proto is "tcp", "udp" or "" (any).
	Proto string
	// DPortMin and DPortMax are the destination ports it matches, 0 and 0
	// for any.
	DPortMin, DPortMax uint16
	// ToAddr is the address it sends packets to; invalid when it comes
	// from a map or cannot be read (then it may be any).
	ToAddr netip.Addr
	// ToPortMin and ToPortMax are the ports it sends them to; 0 keeps the
	// destination port.
	ToPortMin, ToPortMax uint16
}

// ErrNATUnreadable means the NAT rules could not be read: the kernel
// shows them to root (CAP_NET_ADMIN) only.
var ErrNATUnreadable = errors.New("the NAT rules can be read by root only")

// NATRules reads the DNAT rules of this computer (of this network
// namespace on Linux): nftables' tables through netlink, iptables-nft's
// among them, and legacy iptables' nat table where it exists. None
// elsewhere than Linux.
func NATRules() ([]NATRule, error) { return natRules() }

// RouteLocalnet lists the settings net.ipv4.conf.NAME.route_localnet that
// are 1 (Linux; readable by every user), NAME among "all" and ifaces: the
// kernel routes packets from the network to 127.0.0.0/8 on an interface
// when its own or "all" is 1. "all" leads the list when it is set. None
// elsewhere.
func RouteLocalnet(ifaces []string) ([]string, error) { return routeLocalnet(ifaces) }
