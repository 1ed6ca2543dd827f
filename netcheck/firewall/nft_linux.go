package firewall

import (
	"fmt"

	"github.com/google/nftables"
	"github.com/google/nftables/userdata"
)

// nftBy names nftables in answers (iptables-nft's rules are nftables').
const nftBy = "nftables"

// nftRuleset is the nftables ruleset as read: every chain with its rules,
// and the sets rules look up.
type nftRuleset struct {
	chains []*nftChain
	// byName finds a chain of a table for jump and goto.
	byName map[*nftables.Table]map[string]*nftChain
	// sets finds a set of a table by name.
	sets map[*nftables.Table]map[string]*nftSet
}

type nftChain struct {
	c     *nftables.Chain
	rules []*nftables.Rule
}

type nftSet struct {
	s     *nftables.Set
	elems []nftables.SetElement
}

// packet is the neighbour's first packet (a TCP SYN) as nftables
// expressions load it; fields a neighbour chooses (its address, its source
// port) are unknown.
type packet struct {
	iifname [16]byte
	v6      bool
	daddr   []byte
	dport   uint16
}

func newPacket(q Query) packet {
	p := packet{v6: q.Local.Is6() && !q.Local.Is4In6(), daddr: q.Local.Unmap().AsSlice(), dport: uint16(q.Port)}
	copy(p.iifname[:], q.Interface)
	return p
}

// outcome is the set of what may become of the packet in a chain.
type outcome struct {
	accept, drop, unknown, ret bool
	// dropBy, unknownBy name the first rule that drops, or is not
	// understood, on some path.
	dropBy, unknownBy string
}

func (o *outcome) merge(x outcome) {
	o.accept = o.accept || x.accept
	o.ret = o.ret || x.ret
	if x.drop && !o.drop {
		o.drop, o.dropBy = true, x.dropBy
	}
	if x.unknown && !o.unknown {
		o.unknown, o.unknownBy = true, x.unknownBy
	}
}

// onlyDrops reports whether every path drops the packet.
func (o outcome) onlyDrops() bool { return o.drop && !o.accept && !o.unknown && !o.ret }

// evaluateNft is nftables' decision for q: the packet passes every base
// chain of the prerouting and input hooks of its family (ip, ip6, inet)
// one after another; a chain in which every path drops or rejects it blocks
// it. A rule matching on what a neighbour chooses (its address) may match;
// an expression Localguard does not understand (an xt match of
// iptables-nft, a queue, a NAT) leaves that path unknown.
func evaluateNft(rs *nftRuleset, q Query) Answer {
	p := newPacket(q)
	var unknown, some string
	for _, ch := range rs.chains {
		if !inbound(ch.c, p.v6) {
			continue
		}
		o := baseChain(rs, ch, p)
		switch {
		case o.onlyDrops():
			return Answer{Blocked, nftBy, o.dropBy}
		case o.unknown && unknown == "":
			unknown = o.unknownBy
		case o.drop && some == "":
			some = o.dropBy
		}
	}
	switch {
	case unknown != "":
		return Answer{Unknown, nftBy, unknown}
	case some != "":
		return Answer{Unknown, nftBy, some + " may drop it, depending on what Localguard cannot know (the neighbour's address, an iptables match)"}
	}
	return Answer{Allowed, nftBy, "no nftables rule drops it"}
}

// inbound reports whether a chain is a base chain a neighbour's packet
// to this computer passes: the prerouting and input hooks of its family.
func inbound(c *nftables.Chain, v6 bool) bool {
	return c.Hooknum != nil && (*c.Hooknum == *nftables.ChainHookPrerouting || *c.Hooknum == *nftables.ChainHookInput) && familyApplies(c.Table.Family, v6)
}

// baseChain is what may become of the packet in a base chain: the paths
// that fall off its end take its policy.
func baseChain(rs *nftRuleset, ch *nftChain, p packet) outcome {
	ev := &nftEval{rs: rs, p: p, memo: map[memoKey]outcome{}}
	o := ev.from(ch, 0, 0)
	if !o.ret {
		return o
	}
	o.ret = false
	c := ch.c
	switch {
	case c.Policy == nil || *c.Policy != nftables.ChainPolicyDrop:
		o.accept = true
	case !o.drop:
		o.drop, o.dropBy = true, chainName(c)+", policy drop"
	}
	return o
}

func familyApplies(f nftables.TableFamily, v6 bool) bool {
	switch f {
	case nftables.TableFamilyINet:
		return true
	case nftables.TableFamilyIPv4:
		return !v6
	case nftables.TableFamilyIPv6:
		return v6
	}
	return false
}

func chainName(c *nftables.Chain) string {
	return fmt.Sprintf("table %s %s, chain %s", familyName(c.Table.Family), c.Table.Name, c.Name)
}

func familyName(f nftables.TableFamily) string {
	switch f {
	case nftables.TableFamilyINet:
		return "inet"
	case nftables.TableFamilyIPv4:
		return "ip"
	case nftables.TableFamilyIPv6:
		return "ip6"
	}
	return fmt.Sprint(uint8(f))
}

// ruleName names a rule as `nft -a list ruleset` shows it, with its
// comment when it has one.
func ruleName(c *nftables.Chain, r *nftables.Rule) string {
	name := fmt.Sprintf("%s, rule handle %d", chainName(c), r.Handle)
	if comment, ok := userdata.GetString(r.UserData, userdata.TypeComment); ok && comment != "" {
		name += fmt.Sprintf(" (%q)", comment)
	}
	return name
}

type memoKey struct {
	c *nftChain
	i int
}

// nftEval is one packet's walk through the chains.
type nftEval struct {
	rs   *nftRuleset
	p    packet
	memo map[memoKey]outcome
}

// maxDepth bounds jumps (the kernel's own limit is 16).
const maxDepth = 16

// from is what becomes of the packet from rule i of chain ch on.
func (ev *nftEval) from(ch *nftChain, i, depth int) outcome {
	if o, ok := ev.memo[memoKey{ch, i}]; ok {
		return o
	}
	var o outcome
	switch {
	case depth > maxDepth:
		o = outcome{unknown: true, unknownBy: chainName(ch.c) + ": jumps nest deeper than nftables allows"}
	case i >= len(ch.rules):
		o = outcome{ret: true}
	default:
		o = ev.rule(ch, i, depth)
	}
	ev.memo[memoKey{ch, i}] = o
	return o
}

// rule evaluates rule i of ch: what its match and verdict make of the
// packet, then the rules after it on the paths that go on.
func (ev *nftEval) rule(ch *nftChain, i, depth int) outcome {
	r := ch.rules[i]
	m, eff := ev.match(ch.c, r)
	if m == no {
		return ev.from(ch, i+1, depth)
	}
	o := ev.effect(ch, i, depth, eff)
	if m == maybe {
		o.merge(ev.from(ch, i+1, depth))
	}
	return o
}

// effectKind is what a matching rule does to the packet.
type effectKind int

const (
	effContinue effectKind = iota
	effAccept
	effDrop
	effReturn
	effJump
	effGoto
	effUnknown
)

type effect struct {
	kind  effectKind
	chain string
	why   string
}

// effect applies a matching rule's effect.
func (ev *nftEval) effect(ch *nftChain, i, depth int, eff effect) outcome {
	name := ruleName(ch.c, ch.rules[i])
	switch eff.kind {
	case effAccept:
		return outcome{accept: true}
	case effDrop:
		return outcome{drop: true, dropBy: name}
	case effReturn:
		return outcome{ret: true}
	case effUnknown:
		return outcome{unknown: true, unknownBy: name + ": " + eff.why}
	case effJump, effGoto:
		target := ev.rs.byName[ch.c.Table][eff.chain]
		if target == nil {
			return outcome{unknown: true, unknownBy: name + ": jumps to a chain that is not there"}
		}
		o := ev.from(target, 0, depth+1)
		if eff.kind == effJump && o.ret {
			o.ret = false
			o.merge(ev.from(ch, i+1, depth))
		}
		return o
	}
	return ev.from(ch, i+1, depth)
}
