package firewall

import (
	"encoding/binary"
	"fmt"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// The expressions of a rule, applied to the neighbour's SYN: registers
// loaded from what is known of the packet (unknown bytes stay unknown),
// compared, masked, looked up in sets and maps.

// regs are nftables' registers as bytes: NFT_REG_1..4 (16 bytes each) and
// NFT_REG32_00..15 (4 bytes each) overlap; known says which bytes hold a
// value Localguard knows.
type regs struct {
	b     [64]byte
	known [64]bool
}

func regOffset(r uint32) (int, bool) {
	switch {
	case r >= 1 && r <= 4:
		return int(r-1) * 16, true
	case r >= 8 && r <= 23:
		return int(r-8) * 4, true
	}
	return 0, false
}

func (rg *regs) set(r uint32, v []byte) {
	off, ok := regOffset(r)
	if !ok {
		return
	}
	for k := 0; k < len(v) && off+k < 64; k++ {
		rg.b[off+k], rg.known[off+k] = v[k], true
	}
}

func (rg *regs) unset(r uint32, n int) {
	off, ok := regOffset(r)
	if !ok {
		return
	}
	for k := 0; k < n && off+k < 64; k++ {
		rg.known[off+k] = false
	}
}

// get returns n bytes from register r, and whether all are known.
func (rg *regs) get(r uint32, n int) ([]byte, bool) {
	off, ok := regOffset(r)
	if !ok || off+n > 64 {
		return nil, false
	}
	for k := 0; k < n; k++ {
		if !rg.known[off+k] {
			return nil, false
		}
	}
	return rg.b[off : off+n], true
}

// ruleState is one rule's evaluation: its registers, its match so far and
// its effect.
type ruleState struct {
	ev  *nftEval
	c   *nftables.Chain
	rg  regs
	m   match
	eff effect
}

// match evaluates a rule's expressions: how surely they all match, and
// what the rule does when they do.
func (ev *nftEval) match(c *nftables.Chain, r *nftables.Rule) (match, effect) {
	st := &ruleState{ev: ev, c: c, m: yes}
	for _, e := range r.Exprs {
		st.expr(e)
		if st.m == no || st.eff.kind != effContinue {
			break
		}
	}
	return st.m, st.eff
}

// expr applies one expression.
func (st *ruleState) expr(e expr.Any) {
	if st.load(e) {
		return
	}
	switch e := e.(type) {
	case *expr.Cmp:
		st.cmp(e)
	case *expr.Range:
		st.rng(e)
	case *expr.Lookup:
		st.lookup(e)
	case *expr.Verdict:
		st.verdict(e)
	case *expr.Reject:
		st.eff = effect{kind: effDrop}
	case *expr.Counter, *expr.Log, *expr.Objref, *expr.Notrack:
	case *expr.Limit, *expr.Quota, *expr.Connlimit:
		st.m = min(st.m, maybe)
	case *expr.Match:
		st.m = min(st.m, xtMatch(e, st.ev.p))
	case *expr.Target:
		st.target(e)
	default:
		st.eff = effect{kind: effUnknown, why: fmt.Sprintf("an expression Localguard does not evaluate (%T)", e)}
	}
}

// load applies an expression that loads a register, reporting whether e
// is one.
func (st *ruleState) load(e expr.Any) bool {
	switch e := e.(type) {
	case *expr.Meta:
		st.meta(e)
	case *expr.Payload:
		st.payload(e)
	case *expr.Ct:
		st.ct(e)
	case *expr.Bitwise:
		st.bitwise(e)
	case *expr.Immediate:
		st.rg.set(e.Register, e.Data)
	case *expr.Fib:
		st.rg.unset(e.Register, 16)
	default:
		return false
	}
	return true
}

// target is an xt target of iptables-nft.
func (st *ruleState) target(e *expr.Target) {
	switch e.Name {
	case "REJECT":
		st.eff = effect{kind: effDrop}
	case "LOG", "NFLOG", "MARK", "CONNMARK", "TCPMSS", "CHECKSUM", "TRACE":
	default:
		st.eff = effect{kind: effUnknown, why: "the iptables target " + e.Name + ", which Localguard does not evaluate"}
	}
}

func (st *ruleState) verdict(e *expr.Verdict) {
	switch e.Kind {
	case expr.VerdictAccept:
		st.eff = effect{kind: effAccept}
	case expr.VerdictDrop:
		st.eff = effect{kind: effDrop}
	case expr.VerdictReturn:
		st.eff = effect{kind: effReturn}
	case expr.VerdictJump:
		st.eff = effect{kind: effJump, chain: e.Chain}
	case expr.VerdictGoto:
		st.eff = effect{kind: effGoto, chain: e.Chain}
	case expr.VerdictContinue:
	default:
		st.eff = effect{kind: effUnknown, why: fmt.Sprintf("verdict %d (a queue to a program), which Localguard does not evaluate", e.Kind)}
	}
}

func (st *ruleState) meta(e *expr.Meta) {
	if e.SourceRegister {
		return // meta ... set: changes what later rules read (mark), unknown to them anyway
	}
	p := st.ev.p
	switch e.Key {
	case expr.MetaKeyIIFNAME:
		st.rg.set(e.Register, p.iifname[:])
	case expr.MetaKeyNFPROTO:
		st.rg.set(e.Register, []byte{nfproto(p)})
	case expr.MetaKeyL4PROTO:
		st.rg.set(e.Register, []byte{unix.IPPROTO_TCP})
	case expr.MetaKeyPROTOCOL:
		proto := uint16(unix.ETH_P_IP)
		if p.v6 {
			proto = unix.ETH_P_IPV6
		}
		st.rg.set(e.Register, binary.BigEndian.AppendUint16(nil, proto))
	case expr.MetaKeyPKTTYPE:
		st.rg.set(e.Register, []byte{unix.PACKET_HOST})
	default:
		// iif (an index), marks, cgroups, skuid...: not known here.
		st.rg.unset(e.Register, 16)
	}
}

func nfproto(p packet) byte {
	if p.v6 {
		return unix.NFPROTO_IPV6
	}
	return unix.NFPROTO_IPV4
}

func (st *ruleState) payload(e *expr.Payload) {
	if e.OperationType != expr.PayloadLoad {
		return
	}
	v, ok := st.ev.p.payload(e.Base, e.Offset, e.Len)
	if !ok {
		st.rg.unset(e.DestRegister, int(e.Len))
		return
	}
	st.rg.set(e.DestRegister, v)
}

// payload is what a payload load reads from the SYN, when it is not up to
// the neighbour: the protocol and destination address of the IP header, the
// destination port and the flags (SYN) of the TCP header.
func (p packet) payload(base expr.PayloadBase, off, n uint32) ([]byte, bool) {
	type span struct{ from, to uint32 }
	var hdr []byte
	var known []span
	switch {
	case base == expr.PayloadBaseNetworkHeader && p.v6:
		hdr, known = p.networkHeader(), []span{{6, 7}, {24, 40}}
	case base == expr.PayloadBaseNetworkHeader:
		hdr, known = p.networkHeader(), []span{{9, 10}, {16, 20}}
	case base == expr.PayloadBaseTransportHeader:
		hdr = make([]byte, 20)
		binary.BigEndian.PutUint16(hdr[2:], p.dport)
		hdr[13] = 0x02
		known = []span{{2, 4}, {13, 14}}
	}
	for _, k := range known {
		if off >= k.from && off+n <= k.to {
			return hdr[off : off+n], true
		}
	}
	return nil, false
}

// networkHeader is the IP header with only what Localguard knows filled
// in: the protocol and the destination.
func (p packet) networkHeader() []byte {
	if p.v6 {
		h := make([]byte, 40)
		h[6] = unix.IPPROTO_TCP
		copy(h[24:], p.daddr)
		return h
	}
	h := make([]byte, 20)
	h[9] = unix.IPPROTO_TCP
	copy(h[16:], p.daddr)
	return h
}

func (st *ruleState) ct(e *expr.Ct) {
	if e.SourceRegister {
		return
	}
	if e.Key == expr.CtKeySTATE {
		// A neighbour's first packet is a new connection.
		st.rg.set(e.Register, binary.NativeEndian.AppendUint32(nil, 8))
		return
	}
	st.rg.unset(e.Register, 16)
}

// cmp compares a register with a value.
func (st *ruleState) cmp(e *expr.Cmp) {
	v, ok := st.rg.get(e.Register, len(e.Data))
	if !ok {
		st.m = min(st.m, maybe)
		return
	}
	if !compare(e.Op, bytesCompare(v, e.Data)) {
		st.m = no
	}
}

// compare applies a comparison to the result of bytesCompare (values are
// compared as big-endian numbers, as the kernel does with memcmp).
func compare(op expr.CmpOp, c int) bool {
	switch op {
	case expr.CmpOpEq:
		return c == 0
	case expr.CmpOpNeq:
		return c != 0
	case expr.CmpOpLt:
		return c < 0
	case expr.CmpOpLte:
		return c <= 0
	case expr.CmpOpGt:
		return c > 0
	case expr.CmpOpGte:
		return c >= 0
	}
	return false
}

func bytesCompare(a, b []byte) int {
	for k := range min(len(a), len(b)) {
		switch {
		case a[k] < b[k]:
			return -1
		case a[k] > b[k]:
			return 1
		}
	}
	return len(a) - len(b)
}

func (st *ruleState) rng(e *expr.Range) {
	v, ok := st.rg.get(e.Register, len(e.FromData))
	if !ok {
		st.m = min(st.m, maybe)
		return
	}
	in := bytesCompare(v, e.FromData) >= 0 && bytesCompare(v, e.ToData) <= 0
	if in != (e.Op == expr.CmpOpEq) {
		st.m = no
	}
}

func (st *ruleState) bitwise(e *expr.Bitwise) {
	v, ok := st.rg.get(e.SourceRegister, int(e.Len))
	if !ok || len(e.Mask) < int(e.Len) || len(e.Xor) < int(e.Len) {
		st.rg.unset(e.DestRegister, int(e.Len))
		return
	}
	out := make([]byte, e.Len)
	for k := range out {
		out[k] = v[k]&e.Mask[k] ^ e.Xor[k]
	}
	st.rg.set(e.DestRegister, out)
}

// lookup looks the key up in a set: a match, or for a verdict map the
// verdict of the element found.
func (st *ruleState) lookup(e *expr.Lookup) {
	set := st.ev.rs.sets[st.c.Table][e.SetName]
	if set == nil {
		st.eff = effect{kind: effUnknown, why: "it looks up a set Localguard could not read (" + e.SetName + ")"}
		return
	}
	n := keyLen(set)
	key, ok := st.rg.get(e.SourceRegister, n)
	if !ok || n == 0 {
		if e.IsDestRegSet {
			st.eff = effect{kind: effUnknown, why: "a map keyed on what Localguard does not know (" + e.SetName + ")"}
			return
		}
		st.m = min(st.m, maybe)
		return
	}
	el, found := set.find(key)
	if !e.IsDestRegSet {
		if found == e.Invert {
			st.m = no
		}
		return
	}
	switch {
	case !found:
		st.m = no
	case e.DestRegister == 0:
		v, ok := elementVerdict(el)
		if !ok {
			st.eff = effect{kind: effUnknown, why: "a verdict map Localguard could not read (" + e.SetName + ")"}
			return
		}
		st.verdict(v)
	default:
		st.rg.set(e.DestRegister, el.Val)
	}
}

// keyLen is the length of a set's keys, from its elements.
func keyLen(s *nftSet) int {
	for _, el := range s.elems {
		if len(el.Key) > 0 {
			return len(el.Key)
		}
	}
	return 0
}

// find looks key up: an element equal to it, or, in an interval set, the
// interval holding it (the kernel lists an interval as its start, flagged
// elements marking where one ends).
func (s *nftSet) find(key []byte) (nftables.SetElement, bool) {
	if !s.s.Interval {
		for _, el := range s.elems {
			if bytesCompare(el.Key, key) == 0 {
				return el, true
			}
		}
		return nftables.SetElement{}, false
	}
	var best *nftables.SetElement
	for k := range s.elems {
		el := &s.elems[k]
		if len(el.KeyEnd) > 0 {
			if bytesCompare(el.Key, key) <= 0 && bytesCompare(key, el.KeyEnd) <= 0 {
				return *el, true
			}
			continue
		}
		if bytesCompare(el.Key, key) <= 0 && (best == nil || bytesCompare(el.Key, best.Key) > 0) {
			best = el
		}
	}
	if best == nil || best.IntervalEnd {
		return nftables.SetElement{}, false
	}
	return *best, true
}

// elementVerdict is a verdict map element's verdict. The library leaves
// it undecoded in Val: the nested NFTA_VERDICT_CODE and NFTA_VERDICT_CHAIN
// attributes.
func elementVerdict(el nftables.SetElement) (*expr.Verdict, bool) {
	if el.VerdictData != nil {
		return el.VerdictData, true
	}
	ad, err := netlink.NewAttributeDecoder(el.Val)
	if err != nil {
		return nil, false
	}
	ad.ByteOrder = binary.BigEndian
	v, code := &expr.Verdict{}, false
	for ad.Next() {
		switch ad.Type() {
		case unix.NFTA_VERDICT_CODE:
			v.Kind, code = expr.VerdictKind(int32(ad.Uint32())), true
		case unix.NFTA_VERDICT_CHAIN:
			v.Chain = ad.String()
		}
	}
	return v, code && ad.Err() == nil
}
