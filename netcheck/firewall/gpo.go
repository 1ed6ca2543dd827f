package firewall

import (
	"strconv"
	"strings"
)

// Group policy keeps Windows Defender Firewall's rules and profile
// settings apart from the local ones (HKLM\SOFTWARE\Policies\Microsoft\
// WindowsFirewall), each rule one registry value in Windows' rule string
// format: "v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=8000|
// App=C:\...\python.exe|Profile=Private|Name=...|". Managed laptops, the
// analysts' usual ones, have them; their profile settings override the
// local ones, and with AllowLocalPolicyMerge=0 local rules do not apply.

// ParseGPORule reads one rule string. A field Localguard does not know
// (an authenticated bypass, remote ports, a user or machine filter) makes
// the rule uncertain: an allow rule then may apply, a block rule is not
// counted on. ok is false for what is not a rule string at all.
func ParseGPORule(s string) (r WindowsRule, ok bool) {
	fields := strings.Split(strings.Trim(s, "|"), "|")
	if len(fields) < 2 || !strings.HasPrefix(fields[0], "v2.") {
		return r, false
	}
	g := gpoRule{r: WindowsRule{Protocol: ProtocolAny}}
	for _, f := range fields[1:] {
		k, v, _ := strings.Cut(f, "=")
		if !g.rule(k, v) && !g.list(k, v) {
			g.r.Uncertain = true
		}
	}
	r = g.r
	if r.Profiles == 0 {
		r.Profiles = ProfileAll
	}
	r.LocalPorts, r.LocalAddresses, r.RemoteAddresses = joinOr(g.ports, "*"), joinOr(g.lAddrs, "*"), joinOr(g.rAddrs, "*")
	r.InterfaceTypes = joinOr(g.types, "All")
	return r, true
}

// gpoRule is a rule string being read.
type gpoRule struct {
	r                            WindowsRule
	ports, lAddrs, rAddrs, types []string
}

// rule reads a field of one value, reporting whether it knows k.
func (g *gpoRule) rule(k, v string) bool {
	r := &g.r
	switch k {
	case "Action":
		r.Allow = strings.EqualFold(v, "Allow")
		r.Uncertain = r.Uncertain || !r.Allow && !strings.EqualFold(v, "Block")
	case "Active":
		r.Enabled = strings.EqualFold(v, "TRUE")
	case "Dir":
		r.Inbound = strings.EqualFold(v, "In")
	case "Protocol":
		n, err := strconv.Atoi(v)
		r.Protocol, r.Uncertain = int32(n), r.Uncertain || err != nil
	case "App":
		r.Program = v
	case "Svc":
		r.Service = v
	case "Profile":
		r.Profiles |= profileBits[v]
	case "Name":
		r.Name = v
	case "Edge", "Desc", "EmbedCtxt", "Defer", "ICMP4", "ICMP6":
	default:
		return false
	}
	return true
}

// list reads a field that may repeat, reporting whether it knows k.
func (g *gpoRule) list(k, v string) bool {
	switch k {
	case "LPort", "LPort2_10":
		g.ports = append(g.ports, v)
	case "LA4", "LA6":
		g.lAddrs = append(g.lAddrs, v)
	case "RA4", "RA6":
		g.rAddrs = append(g.rAddrs, v)
	case "IFType":
		g.types = append(g.types, v)
	default:
		return false
	}
	return true
}

func joinOr(list []string, all string) string {
	if len(list) == 0 {
		return all
	}
	return strings.Join(list, ",")
}
