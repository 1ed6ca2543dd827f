package firewall

import (
	"encoding/binary"

	"github.com/google/nftables/expr"
	"github.com/google/nftables/xt"
)

// The xt matches of iptables-nft that Localguard evaluates; any other may
// match.

// xtNew is a new connection's bit in the conntrack and state matches'
// masks (XT_CONNTRACK_STATE_BIT(IP_CT_NEW)).
const xtNew = 1 << 3

// xtMatch is how surely an xt match of iptables-nft matches the SYN: the
// conntrack and state matches on the connection's state alone, the tcp
// match on the destination port, and addrtype on the destination (ufw's
// and Docker's rules use it) are evaluated; any other (or any other part
// of those) may match.
func xtMatch(e *expr.Match, p packet) match {
	switch info := e.Info.(type) {
	case *xt.ConntrackMtinfo1:
		return conntrackMatch(info.ConntrackMtinfoBase, uint16(info.StateMask))
	case *xt.ConntrackMtinfo2:
		return conntrackMatch(info.ConntrackMtinfoBase, info.StateMask)
	case *xt.ConntrackMtinfo3:
		return conntrackMatch(info.ConntrackMtinfoBase, info.StateMask)
	case *xt.Tcp:
		return tcpMatch(info, p.dport)
	case *xt.AddrType:
		return addrTypeMatch(info.Source, info.Dest, info.InvertSource, info.InvertDest, false)
	case *xt.AddrTypeV1:
		return addrTypeMatch(info.Source, info.Dest, info.Flags&1 != 0, info.Flags&2 != 0, info.Flags&4 != 0)
	case *xt.Unknown:
		if e.Name == "state" && len(*info) >= 4 {
			// struct xt_state_info { unsigned int statemask; }
			return boolMatch(binary.NativeEndian.Uint32(*info)&xtNew != 0)
		}
	}
	return maybe
}

func conntrackMatch(b xt.ConntrackMtinfoBase, mask uint16) match {
	state := uint16(xt.ConntrackState | xt.ConntrackStateAlias)
	if b.MatchFlags&^state != 0 || b.MatchFlags == 0 {
		return maybe
	}
	return boolMatch((mask&xtNew != 0) != (b.InvertFlags&uint16(xt.ConntrackState) != 0))
}

func tcpMatch(t *xt.Tcp, dport uint16) match {
	in := t.DstPorts[0] <= dport && dport <= t.DstPorts[1]
	if in == (t.InvFlags&xt.TcpInvDestPorts != 0) {
		return no
	}
	if t.SrcPorts != [2]uint16{0, 0xffff} || t.InvFlags&xt.TcpInvSrcPorts != 0 || t.Option != 0 {
		return maybe
	}
	if t.FlagsMask != 0 && (0x02&t.FlagsMask == t.FlagsCmp) == (t.InvFlags&xt.TcpInvFlags != 0) {
		return no
	}
	return yes
}

// addrTypeMatch is the addrtype match on the destination: the address a
// neighbour connects to is one of this computer's own (RTN_LOCAL), unless
// the match is limited to the incoming interface (an address of another
// interface, reached through this one, is not local to it). A match on the
// source's type may match.
func addrTypeMatch(src, dst uint16, invSrc, invDst, limitIn bool) match {
	const local = 1 << 2 // 1 << RTN_LOCAL
	if src != 0 || invSrc || limitIn {
		return maybe
	}
	if dst == 0 {
		return yes
	}
	return boolMatch((dst&local != 0) != invDst)
}
