package system

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/google/nftables"
	"golang.org/x/sys/unix"
)

// procConf is where the IPv4 sysctls of each interface are.
var procConf = "/proc/sys/net/ipv4/conf"

// routeLocalnet reads net.ipv4.conf.{all,IFACE}.route_localnet and lists
// those that are 1: the kernel routes a packet from the network to
// 127.0.0.0/8 when either is 1 for the interface it arrived on. "default"
// only seeds interfaces made later, which then show it in their own file.
func routeLocalnet(ifaces []string) ([]string, error) {
	all, err := sysctlOn("all")
	if err != nil {
		return nil, err
	}
	var out []string
	if all {
		out = append(out, "all")
	}
	for _, name := range ifaces {
		on, err := sysctlOn(name)
		if err == nil && on {
			out = append(out, name)
		}
	}
	return out, nil
}

// sysctlOn reports whether route_localnet is 1 for conf (an interface,
// "all").
func sysctlOn(conf string) (bool, error) {
	if strings.ContainsAny(conf, "/") || conf == "." || conf == ".." {
		return false, fmt.Errorf("%q is no interface name", conf)
	}
	b, err := os.ReadFile(filepath.Join(procConf, conf, "route_localnet"))
	if err != nil {
		return false, fmt.Errorf("reading net.ipv4.conf.%s.route_localnet: %w", conf, err)
	}
	return strings.TrimSpace(string(b)) == "1", nil
}

// natRules reads the DNAT rules of nftables (iptables-nft's among them)
// and of legacy iptables; the error says what could not be read.
func natRules() ([]NATRule, error) {
	nft, errNFT := nftablesNAT()
	legacy, errLegacy := legacyNAT()
	return append(nft, legacy...), errors.Join(errNFT, errLegacy)
}

// nftablesNAT lists, through netlink, the DNAT rules of every ip and inet
// table's chains that a packet from the network can pass: prerouting base
// chains and regular chains (which those may jump to). Output, input and
// postrouting chains see no packet from the network on its way in.
func nftablesNAT() ([]NATRule, error) {
	c, err := nftables.New(nftables.AsLasting()) // one netlink socket for every list
	if err != nil {
		return nil, fmt.Errorf("opening netlink for nftables: %w", err)
	}
	defer c.CloseLasting()
	chains, err := c.ListChains()
	if err != nil {
		if errors.Is(err, unix.EPERM) || errors.Is(err, fs.ErrPermission) {
			return nil, fmt.Errorf("%w (nftables: %v)", ErrNATUnreadable, err)
		}
		return nil, fmt.Errorf("listing nftables' chains: %w", err)
	}
	var out []NATRule
	for _, ch := range chains {
		family, ok := familyName(ch.Table.Family)
		hook := hookName(ch.Hooknum)
		if !ok || hook != "" && hook != "prerouting" {
			continue
		}
		rules, err := c.GetRules(ch.Table, ch)
		if err != nil {
			return out, fmt.Errorf("reading the rules of %s %s %s: %w", family, ch.Table.Name, ch.Name, err)
		}
		for i, r := range rules {
			nr, ok := NATRuleOf(r.Exprs, ifaceName)
			if !ok {
				continue
			}
			nr.Family, nr.Table, nr.Chain, nr.Hook, nr.Handle, nr.Position = family, ch.Table.Name, ch.Name, hook, r.Handle, i+1
			out = append(out, nr)
		}
	}
	return out, nil
}

// familyName names the table families whose rules can send IPv4 packets
// to loopback.
func familyName(f nftables.TableFamily) (string, bool) {
	switch f {
	case nftables.TableFamilyIPv4:
		return "ip", true
	case nftables.TableFamilyINet:
		return "inet", true
	}
	return "", false
}

func hookName(h *nftables.ChainHook) string {
	if h == nil {
		return ""
	}
	switch *h {
	case *nftables.ChainHookPrerouting:
		return "prerouting"
	case *nftables.ChainHookOutput:
		return "output"
	case *nftables.ChainHookInput:
		return "input"
	case *nftables.ChainHookPostrouting:
		return "postrouting"
	}
	return "other"
}

// ifaceName names an interface index (nft's iif), "#N" when gone.
func ifaceName(index uint32) string {
	if it, err := net.InterfaceByIndex(int(index)); err == nil {
		return it.Name
	}
	return fmt.Sprintf("#%d", index)
}

// legacyNAT reads legacy iptables' nat table when the kernel has one
// (/proc/net/ip_tables_names lists it, which only root may read; reading
// it loads no module), with iptables-legacy-save.
func legacyNAT() ([]NATRule, error) {
	b, err := os.ReadFile("/proc/net/ip_tables_names")
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil // no legacy iptables in this kernel
	case errors.Is(err, fs.ErrPermission):
		return nil, fmt.Errorf("%w (legacy iptables: %v)", ErrNATUnreadable, err)
	case err != nil:
		return nil, fmt.Errorf("reading legacy iptables' tables: %w", err)
	}
	if !strings.Contains("\n"+string(b), "\nnat\n") {
		return nil, nil
	}
	save, err := lookPath("iptables-legacy-save")
	if err != nil {
		return nil, fmt.Errorf("legacy iptables has a nat table, but iptables-legacy-save is not installed to read it")
	}
	out, err := runQuiet(save, "-t", "nat")
	if err != nil {
		return nil, fmt.Errorf("reading legacy iptables' nat table (%s -t nat): %w", save, err)
	}
	return ParseIptablesSave(out, "iptables-legacy"), nil
}

var lookPath = exec.LookPath

// runQuiet runs a program that only reads, and returns what it printed.
func runQuiet(path string, args ...string) (string, error) {
	out, err := exec.Command(path, args...).Output()
	return string(out), err
}
