package firewall

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/godbus/dbus/v5"
	"github.com/google/nftables"
	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// linuxSnapshot is what Linux's filters decide, each read once: nftables
// (with iptables-nft's rules), firewalld, and the legacy iptables tables
// Localguard cannot read.
type linuxSnapshot struct {
	nft    *nftRuleset
	nftErr error
	fwd    *FirewalldState
	fwdErr error
	legacy []string
}

// Decide combines the filters' answers: a neighbour's connection passes
// them all.
func (s *linuxSnapshot) Decide(q Query) Answer {
	var answers []Answer
	switch {
	case s.nft != nil:
		answers = append(answers, evaluateNft(s.nft, q))
	case s.nftErr != nil:
		answers = append(answers, Answer{Unknown, nftBy, s.nftErr.Error()})
	}
	switch {
	case s.fwd != nil:
		answers = append(answers, EvaluateFirewalld(s.fwd, q))
	case s.fwdErr != nil:
		answers = append(answers, Answer{Unknown, firewalldBy, s.fwdErr.Error()})
	}
	if len(s.legacy) > 0 {
		answers = append(answers, Answer{Unknown, "iptables-legacy",
			"iptables-legacy tables (" + strings.Join(s.legacy, ", ") + ") are loaded, whose rules Localguard does not read"})
	}
	return combine(answers...)
}

// read reads every filter once.
func read(ifaces []string) Snapshot {
	s := &linuxSnapshot{}
	s.nft, s.nftErr = readNft()
	if conn, err := dbus.ConnectSystemBus(); err == nil {
		s.fwd, s.fwdErr = readFirewalld(conn, ifaces)
		conn.Close()
		if errors.Is(s.fwdErr, errNoFirewalld) {
			s.fwd, s.fwdErr = nil, nil
		} else if s.fwdErr != nil {
			s.fwdErr = fmt.Errorf("firewalld's settings could not be read: %w", s.fwdErr)
		}
	}
	for _, f := range []string{"/proc/net/ip_tables_names", "/proc/net/ip6_tables_names"} {
		b, _ := os.ReadFile(f)
		s.legacy = append(s.legacy, strings.Fields(string(b))...)
	}
	return s
}

// stamp changes whenever the nftables ruleset does (its generation, one
// netlink question); firewalld changes it too, as it writes its rules to
// nftables. Where the generation cannot be read (not root), firewalld is
// read again every half minute.
func stamp() string {
	if gen, err := nftGeneration(); err == nil {
		return fmt.Sprintf("nft %d", gen)
	}
	return fmt.Sprintf("time %d", time.Now().Unix()/30)
}

// errNftRights is why nftables cannot be read by a user.
var errNftRights = errors.New("nftables' rules can be read only with administrator rights (root)")

// readNft reads every chain, rule and set of the ruleset.
func readNft() (*nftRuleset, error) {
	// One netlink socket for every request of the read (without
	// AsLasting each list opens and closes one: thirteen for a check).
	c, err := nftables.New(nftables.AsLasting())
	if err != nil {
		return nil, fmt.Errorf("opening netlink to nftables: %w", err)
	}
	defer c.CloseLasting()
	chains, err := c.ListChains()
	if err != nil {
		if errors.Is(err, unix.EPERM) || strings.Contains(err.Error(), "operation not permitted") {
			return nil, errNftRights
		}
		return nil, fmt.Errorf("reading nftables' chains: %w", err)
	}
	rs := &nftRuleset{byName: map[*nftables.Table]map[string]*nftChain{}, sets: map[*nftables.Table]map[string]*nftSet{}}
	tables := map[string]*nftables.Table{}
	for _, ch := range chains {
		key := fmt.Sprintf("%d %s", ch.Table.Family, ch.Table.Name)
		if t, ok := tables[key]; ok {
			ch.Table = t
		} else {
			tables[key] = ch.Table
			if err := readSets(c, ch.Table, rs); err != nil {
				return nil, err
			}
		}
		rules, err := c.GetRules(ch.Table, ch)
		if err != nil {
			return nil, fmt.Errorf("reading the rules of %s: %w", chainName(ch), err)
		}
		nc := &nftChain{c: ch, rules: rules}
		rs.chains = append(rs.chains, nc)
		if rs.byName[ch.Table] == nil {
			rs.byName[ch.Table] = map[string]*nftChain{}
		}
		rs.byName[ch.Table][ch.Name] = nc
	}
	return rs, nil
}

// readSets reads a table's sets and their elements.
func readSets(c *nftables.Conn, t *nftables.Table, rs *nftRuleset) error {
	sets, err := c.GetSets(t)
	if err != nil {
		return fmt.Errorf("reading the sets of table %s: %w", t.Name, err)
	}
	rs.sets[t] = map[string]*nftSet{}
	for _, s := range sets {
		s.Table = t
		elems, err := c.GetSetElements(s)
		if err != nil {
			return fmt.Errorf("reading set %s of table %s: %w", s.Name, t.Name, err)
		}
		rs.sets[t][s.Name] = &nftSet{s: s, elems: elems}
	}
	return nil
}

// nftGeneration asks the kernel for the ruleset's generation, which every
// change of the ruleset increments.
func nftGeneration() (uint32, error) {
	c, err := netlink.Dial(unix.NETLINK_NETFILTER, nil)
	if err != nil {
		return 0, err
	}
	defer c.Close()
	msgs, err := c.Execute(netlink.Message{
		Header: netlink.Header{Type: netlink.HeaderType(unix.NFNL_SUBSYS_NFTABLES<<8 | unix.NFT_MSG_GETGEN), Flags: netlink.Request},
		Data:   []byte{unix.AF_UNSPEC, unix.NFNETLINK_V0, 0, 0},
	})
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		if len(m.Data) < 4 {
			continue
		}
		ad, err := netlink.NewAttributeDecoder(m.Data[4:])
		if err != nil {
			return 0, err
		}
		ad.ByteOrder = binary.BigEndian
		for ad.Next() {
			if ad.Type() == unix.NFTA_GEN_ID {
				return ad.Uint32(), nil
			}
		}
	}
	return 0, errors.New("no generation in the kernel's answer")
}
