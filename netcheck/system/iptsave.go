package system

import (
	"net/netip"
	"strconv"
	"strings"
)

// ParseIptablesSave reads the DNAT rules of iptables-save's output for the
// nat table (-A CHAIN ... -j DNAT --to-destination ADDR[:PORT[-PORT]]),
// each with its place in its chain; source names who keeps them
// ("iptables-legacy"). Lines it does not read are skipped.
func ParseIptablesSave(out, source string) []NATRule {
	var rules []NATRule
	table := ""
	pos := map[string]int{}
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "*") {
			table = line[1:]
			continue
		}
		f := strings.Fields(line)
		if len(f) < 2 || f[0] != "-A" {
			continue
		}
		pos[f[1]]++
		r, ok := iptablesRule(f[2:])
		if !ok {
			continue
		}
		r.Source, r.Family, r.Table, r.Chain, r.Position = source, "ip", table, f[1], pos[f[1]]
		r.Hook = iptablesHook(f[1])
		if r.Hook != "" && r.Hook != "prerouting" {
			continue
		}
		rules = append(rules, r)
	}
	return rules
}

// iptablesHook is the hook of iptables' built-in chains, "" for a chain
// of the user's.
func iptablesHook(chain string) string {
	switch chain {
	case "PREROUTING", "INPUT", "OUTPUT", "POSTROUTING":
		return strings.ToLower(chain)
	}
	return ""
}

// iptablesRule reads one rule's options; ok when it is a DNAT.
func iptablesRule(f []string) (NATRule, bool) {
	var r NATRule
	dnat := false
	not := false
	for i := 0; i < len(f); i++ {
		next := ""
		if i+1 < len(f) {
			next = f[i+1]
		}
		switch f[i] {
		case "!":
			not = true
			continue
		case "-i", "--in-interface":
			r.InIface, r.InNot = strings.TrimSuffix(next, "+"), not
			r.InPrefix = strings.HasSuffix(next, "+")
			i++
		case "-p", "--protocol":
			if !not {
				r.Proto = next
			}
			i++
		case "--dport", "--destination-port":
			if !not {
				r.DPortMin, r.DPortMax = portRange(next, ":")
			}
			i++
		case "-j":
			dnat = next == "DNAT"
			i++
		case "--to-destination":
			r.ToAddr, r.ToPortMin, r.ToPortMax = natDestination(next)
			i++
		}
		not = false
	}
	return r, dnat
}

// portRange reads "N" or "N<sep>M"; 0, 0 when it is neither.
func portRange(s, sep string) (uint16, uint16) {
	a, b, found := strings.Cut(s, sep)
	lo, err := strconv.ParseUint(a, 10, 16)
	if err != nil {
		return 0, 0
	}
	if !found {
		return uint16(lo), uint16(lo)
	}
	hi, err := strconv.ParseUint(b, 10, 16)
	if err != nil {
		return uint16(lo), 65535
	}
	return uint16(lo), uint16(hi)
}

// natDestination reads --to-destination ADDR[-ADDR][:PORT[-PORT]]; the
// address is invalid when it cannot be read.
func natDestination(s string) (netip.Addr, uint16, uint16) {
	addr, ports, _ := strings.Cut(s, ":")
	addr, _, _ = strings.Cut(addr, "-")
	a, err := netip.ParseAddr(addr)
	if err != nil {
		a = netip.Addr{}
	}
	if ports == "" {
		return a, 0, 0
	}
	lo, hi := portRange(ports, "-")
	return a, lo, hi
}
