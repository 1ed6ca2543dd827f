// Package firewall reads the host firewall's inbound decision for a
// neighbour's new TCP connection to one of this computer's ports: Windows
// Defender Firewall (through its COM API), nftables (iptables-nft included),
// firewalld and ufw on Linux, the application firewall on macOS.
//
// What it answers is judged conservatively: Blocked only when the firewall
// certainly drops such a connection on that network; Unknown whenever a rule
// could not be read or understood. The evaluation of what was read is a pure
// function (EvaluateWindows, evaluateNft, evaluateFirewalld), apart from the
// readers of the operating system (one file set per OS), so that it can be
// table-tested. A firewall never makes anything safe: callers use Blocked
// only to say a network is not an exposure now.
package firewall

import (
	"net/netip"
	"strings"
)

// Decision is what the firewall does with a neighbour's new connection.
type Decision string

// The decisions of the JSON contract (exposed_on[].firewall.decision).
const (
	// Blocked: the firewall certainly drops or rejects it.
	Blocked Decision = "blocked"
	// Allowed: the firewall lets it in (or no firewall filters it).
	Allowed Decision = "allowed"
	// Unknown: Localguard could not read or understand the rules.
	Unknown Decision = "unknown"
)

// Answer is the firewall's decision and who made it.
type Answer struct {
	Decision Decision `json:"decision"`
	// By names the firewall: "Windows Defender Firewall", "nftables",
	// "firewalld", "macOS application firewall", "Docker", ...
	By string `json:"by"`
	// Rule is the rule or default that decided, or, when the decision is
	// unknown, why the firewall could not be read.
	Rule string `json:"rule"`
}

// Query is one neighbour's new TCP connection to this computer.
type Query struct {
	// Interface is the network interface the connection arrives on.
	Interface string
	// Category is Windows' network category of that network (Public,
	// Private, Domain); "" elsewhere or when unknown.
	Category string
	// InterfaceType is the kind of interface for Windows' rules:
	// "Wireless", "Lan", "RemoteAccess", or "" when unknown.
	InterfaceType string
	// Local is the address connected to (one of this computer's).
	Local netip.Addr
	// Subnet is this computer's prefix on the network the neighbour is
	// on: a neighbour there is on Windows' "LocalSubnet".
	Subnet netip.Prefix
	// Port is the local TCP port.
	Port int
	// Program is the listening process's executable, "" when unknown.
	Program string
	// Published is true for a port a container engine publishes (Docker's
	// NAT): it passes beside the host firewall's input rules.
	Published bool
}

// Snapshot is the firewall's state as read once: it answers every query
// without reading the system again.
type Snapshot interface {
	Decide(q Query) Answer
}

// Docker names the container engine's answer for published ports.
var dockerAnswer = Answer{Decision: Allowed, By: "Docker",
	Rule: "a port a container publishes is passed on by Docker's NAT before the host firewall's input rules see it"}

// Decide answers q from s, with what every firewall must hear first: a
// published container port is never blocked by the host's input rules.
func Decide(s Snapshot, q Query) Answer {
	if q.Published {
		return dockerAnswer
	}
	if s == nil {
		return Answer{Decision: Unknown, By: "firewall", Rule: "Localguard does not read this system's firewall"}
	}
	return s.Decide(q)
}

// combine joins the answers of filters a connection passes through one
// after another (nftables tables, firewalld, legacy iptables): one that
// certainly blocks blocks it; it is allowed only when every one allows it;
// else unknown, naming what could not be read.
func combine(answers ...Answer) Answer {
	var unknown []Answer
	var allowed []string
	for _, a := range answers {
		switch a.Decision {
		case Blocked:
			return a
		case Unknown:
			unknown = append(unknown, a)
		default:
			allowed = append(allowed, a.By)
		}
	}
	if len(unknown) > 0 {
		a := unknown[0]
		for _, u := range unknown[1:] {
			a.By += ", " + u.By
			a.Rule += "; " + u.Rule
		}
		return a
	}
	if len(answers) == 0 {
		return Answer{Decision: Allowed, By: "no firewall", Rule: "no firewall filters inbound connections"}
	}
	return Answer{Decision: Allowed, By: strings.Join(allowed, ", "), Rule: answers[len(answers)-1].Rule}
}
