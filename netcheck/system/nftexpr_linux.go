package system

import (
	"bytes"
	"encoding/binary"
	"net/netip"

	"github.com/google/nftables/expr"
	"github.com/google/nftables/xt"
	"golang.org/x/sys/unix"
)

// loaded is what a rule's expressions put in a register.
type loaded int

const (
	loadedNothing loaded = iota
	loadedIIFName
	loadedIIF
	loadedL4Proto
	loadedDPort
	loadedImmediate
)

// exprWalk is one rule's expressions read in order.
type exprWalk struct {
	regs  map[uint32]loaded
	imm   map[uint32][]byte
	r     NATRule
	dnat  bool
	index func(uint32) string
}

// NATRuleOf reads a rule's nftables expressions: what it matches (the
// incoming interface, the protocol, the destination ports) and, when it is
// a DNAT to IPv4, where it sends packets. iptables-nft's own expressions
// (xt targets and matches) are read too. ok is false for any rule that is
// no IPv4 DNAT. index names an interface index (meta iif).
func NATRuleOf(exprs []expr.Any, index func(uint32) string) (NATRule, bool) {
	w := exprWalk{regs: map[uint32]loaded{}, imm: map[uint32][]byte{}, index: index, r: NATRule{Source: "nftables"}}
	for _, e := range exprs {
		w.step(e)
	}
	return w.r, w.dnat
}

// step reads one expression.
func (w *exprWalk) step(e expr.Any) {
	switch e := e.(type) {
	case *expr.Meta:
		w.meta(e)
	case *expr.Payload:
		w.payload(e)
	case *expr.Cmp:
		w.cmp(e.Register, e.Op, e.Data)
	case *expr.Range:
		w.portRange(e)
	case *expr.Immediate:
		w.regs[e.Register], w.imm[e.Register] = loadedImmediate, e.Data
	case *expr.NAT:
		w.nat(e)
	case *expr.Target:
		w.r.Source = "iptables-nft"
		w.target(e)
	case *expr.Match:
		w.r.Source = "iptables-nft"
		w.match(e)
	}
}

// payload notes a load of the destination port (transport header,
// offset 2) or of the protocol (IPv4 header, offset 9).
func (w *exprWalk) payload(e *expr.Payload) {
	w.regs[e.DestRegister] = loadedNothing
	if e.OperationType != expr.PayloadLoad {
		return
	}
	switch {
	case e.Base == expr.PayloadBaseTransportHeader && e.Offset == 2 && e.Len == 2:
		w.regs[e.DestRegister] = loadedDPort
	case e.Base == expr.PayloadBaseNetworkHeader && e.Offset == 9 && e.Len == 1:
		w.regs[e.DestRegister] = loadedL4Proto
	}
}

// portRange reads `tcp dport N-M` written as a range expression.
func (w *exprWalk) portRange(e *expr.Range) {
	if w.regs[e.Register] == loadedDPort && e.Op == expr.CmpOpEq && len(e.FromData) == 2 && len(e.ToData) == 2 {
		w.r.DPortMin, w.r.DPortMax = binary.BigEndian.Uint16(e.FromData), binary.BigEndian.Uint16(e.ToData)
	}
}

func (w *exprWalk) meta(e *expr.Meta) {
	if e.SourceRegister {
		return
	}
	switch e.Key {
	case expr.MetaKeyIIFNAME:
		w.regs[e.Register] = loadedIIFName
	case expr.MetaKeyIIF:
		w.regs[e.Register] = loadedIIF
	case expr.MetaKeyL4PROTO:
		w.regs[e.Register] = loadedL4Proto
	default:
		w.regs[e.Register] = loadedNothing
	}
}

// cmp reads a comparison of what a register holds. A comparison
// Localguard does not read leaves the rule broader.
func (w *exprWalk) cmp(reg uint32, op expr.CmpOp, data []byte) {
	switch w.regs[reg] {
	case loadedIIFName:
		if op != expr.CmpOpEq && op != expr.CmpOpNeq {
			return
		}
		name := bytes.TrimRight(data, "\x00")
		// A name compared without its terminating NUL is a prefix
		// ("veth*").
		w.r.InIface, w.r.InPrefix, w.r.InNot = string(name), len(name) == len(data), op == expr.CmpOpNeq
	case loadedIIF:
		if len(data) == 4 && (op == expr.CmpOpEq || op == expr.CmpOpNeq) {
			w.r.InIface, w.r.InNot = w.index(binary.NativeEndian.Uint32(data)), op == expr.CmpOpNeq
		}
	case loadedL4Proto:
		if len(data) == 1 && op == expr.CmpOpEq {
			w.r.Proto = protoName(data[0])
		}
	case loadedDPort:
		w.portCmp(op, data)
	}
}

// portCmp narrows the destination ports by one comparison.
func (w *exprWalk) portCmp(op expr.CmpOp, data []byte) {
	if len(data) != 2 {
		return
	}
	p := binary.BigEndian.Uint16(data)
	switch op {
	case expr.CmpOpEq:
		w.r.DPortMin, w.r.DPortMax = p, p
	case expr.CmpOpGte:
		w.r.DPortMin = p
		if w.r.DPortMax == 0 {
			w.r.DPortMax = 65535
		}
	case expr.CmpOpLte:
		w.r.DPortMax = p
	}
}

func protoName(p byte) string {
	switch p {
	case unix.IPPROTO_TCP:
		return "tcp"
	case unix.IPPROTO_UDP:
		return "udp"
	}
	return "other"
}

// nat reads nftables' own dnat: the address and port from the registers
// an immediate loaded; from anything else (a map) they stay unknown.
func (w *exprWalk) nat(e *expr.NAT) {
	if e.Type != expr.NATTypeDestNAT || e.Family != unix.NFPROTO_IPV4 {
		return
	}
	w.dnat = true
	if e.RegAddrMin != 0 && w.regs[e.RegAddrMin] == loadedImmediate {
		if a, ok := netip.AddrFromSlice(w.imm[e.RegAddrMin]); ok && a.Is4() {
			w.r.ToAddr = a
		}
	}
	if e.RegProtoMin != 0 && w.regs[e.RegProtoMin] == loadedImmediate && len(w.imm[e.RegProtoMin]) == 2 {
		w.r.ToPortMin = binary.BigEndian.Uint16(w.imm[e.RegProtoMin])
		w.r.ToPortMax = w.r.ToPortMin
		if e.RegProtoMax != 0 && w.regs[e.RegProtoMax] == loadedImmediate && len(w.imm[e.RegProtoMax]) == 2 {
			w.r.ToPortMax = binary.BigEndian.Uint16(w.imm[e.RegProtoMax])
		}
	}
}

// target reads iptables' DNAT target (-j DNAT --to-destination).
func (w *exprWalk) target(e *expr.Target) {
	if e.Name != "DNAT" {
		return
	}
	w.dnat = true
	var ip []byte
	var flags uint
	var minPort, maxPort uint16
	switch info := e.Info.(type) {
	case *xt.NatRange2:
		ip, flags, minPort, maxPort = info.MinIP, info.Flags, info.MinPort, info.MaxPort
	case *xt.NatRange:
		ip, flags, minPort, maxPort = info.MinIP, info.Flags, info.MinPort, info.MaxPort
	case *xt.NatIPv4MultiRangeCompat:
		if len(*info) == 0 {
			return
		}
		r := (*info)[0]
		ip, flags, minPort, maxPort = r.MinIP, r.Flags, r.MinPort, r.MaxPort
	default:
		return // unknown: where it sends packets stays unknown
	}
	if a, ok := netip.AddrFromSlice(ip); ok && flags&uint(xt.NatRangeMapIPs) != 0 {
		w.r.ToAddr = a.Unmap()
	}
	if flags&uint(xt.NatRangeProtoSpecified) != 0 {
		w.r.ToPortMin, w.r.ToPortMax = minPort, maxPort
	}
}

// match reads iptables' tcp and udp matches (-p tcp --dport N[:M]).
func (w *exprWalk) match(e *expr.Match) {
	switch info := e.Info.(type) {
	case *xt.Tcp:
		w.r.Proto = "tcp"
		if info.InvFlags&xt.TcpInvDestPorts == 0 && (info.DstPorts != [2]uint16{0, 65535}) {
			w.r.DPortMin, w.r.DPortMax = info.DstPorts[0], info.DstPorts[1]
		}
	case *xt.Udp:
		w.r.Proto = "udp"
	}
}
