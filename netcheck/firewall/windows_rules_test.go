package firewall

import (
	"net/netip"
	"strings"
	"testing"
)

// Windows Defender Firewall's inbound decision, table-tested from
// Microsoft's documentation of its rules ("Windows Firewall rules",
// "Configure rules with group policy", INetFwPolicy2/INetFwRule): profiles
// per network, block beats allow, BlockAllInboundTraffic ignores allow
// rules, explicit rules beat the default action, program, port and
// any-program rules, disabled rules, LocalSubnet, a third-party firewall.

const python = `C:\Users\ana\AppData\Local\Programs\Python\Python312\python.exe`

// onProfiles is the usual policy: the firewall on for every profile,
// incoming connections blocked unless a rule allows them.
func onProfiles() map[string]WindowsProfile {
	return map[string]WindowsProfile{
		"Domain":  {Enabled: true, DefaultBlock: true},
		"Private": {Enabled: true, DefaultBlock: true},
		"Public":  {Enabled: true, DefaultBlock: true},
	}
}

// rule is an enabled inbound TCP rule for python on every port and every
// profile, from everyone; cases change what they test.
func rule(name string, allow bool, change func(*WindowsRule)) WindowsRule {
	r := WindowsRule{Name: name, Inbound: true, Enabled: true, Allow: allow, Profiles: ProfileAll,
		Protocol: ProtocolTCP, LocalPorts: "*", LocalAddresses: "*", RemoteAddresses: "*",
		Program: python, InterfaceTypes: "All"}
	if change != nil {
		change(&r)
	}
	return r
}

// Windows' own prompt, answered Cancel (or not asked, as a user who is not
// an administrator): a block rule for TCP and one for UDP, on the profile
// of the network python first listened on.
func promptBlock(profiles int32) []WindowsRule {
	return []WindowsRule{
		rule("python.exe", false, func(r *WindowsRule) { r.Profiles = profiles }),
		rule("python.exe", false, func(r *WindowsRule) { r.Profiles = profiles; r.Protocol = 17 }),
	}
}

type windowsCase struct {
	name     string
	policy   WindowsPolicy
	query    Query
	want     Decision
	ruleSays string
}

func query(category string) Query {
	return Query{Interface: "Wi-Fi", Category: category, Local: netip.MustParseAddr("192.168.1.23"),
		Subnet: netip.MustParsePrefix("192.168.1.23/24"), Port: 8000, Program: python}
}

func withPort(q Query, p int) Query { q.Port = p; return q }

func withProgram(q Query, p string) Query { q.Program = p; return q }

func windowsCases() []windowsCase {
	pub, priv := query("Public"), query("Private")
	allowPrivate := rule("Python (Private only)", true, func(r *WindowsRule) { r.Profiles = ProfilePrivate })
	return []windowsCase{
		{"no rule: the default blocks", WindowsPolicy{Profiles: onProfiles()}, pub, Blocked, "default"},
		{"no rule, default allow", WindowsPolicy{Profiles: map[string]WindowsProfile{"Public": {Enabled: true}}}, pub, Allowed, "default"},
		{"the firewall off for Public", WindowsPolicy{Profiles: map[string]WindowsProfile{"Public": {DefaultBlock: true}}, Rules: promptBlock(ProfileAll)}, pub, Allowed, "off"},
		{"the prompt's block rules (Cancel)", WindowsPolicy{Profiles: onProfiles(), Rules: promptBlock(ProfilePublic)}, pub, Blocked, "block rule"},
		{"the prompt's block rules on Public, the network Private: default blocks", WindowsPolicy{Profiles: onProfiles(), Rules: promptBlock(ProfilePublic)}, priv, Blocked, "default"},
		{"allowed on Private only: blocked on Public", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{allowPrivate}}, pub, Blocked, "default"},
		{"allowed on Private only: open on Private", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{allowPrivate}}, priv, Allowed, "Private only"},
		{"block beats allow", WindowsPolicy{Profiles: onProfiles(), Rules: append([]WindowsRule{rule("allow python", true, nil)}, promptBlock(ProfileAll)...)}, priv, Blocked, "block rule"},
		{"BlockAllInboundTraffic ignores allow rules", WindowsPolicy{Profiles: map[string]WindowsProfile{"Public": {Enabled: true, BlockAllInbound: true}}, Rules: []WindowsRule{rule("allow python", true, nil)}}, pub, Blocked, "Block all incoming"},
		{"a disabled allow rule", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("allow python", true, func(r *WindowsRule) { r.Enabled = false })}}, pub, Blocked, "default"},
		{"a disabled block rule, default allow", WindowsPolicy{Profiles: map[string]WindowsProfile{"Public": {Enabled: true}}, Rules: []WindowsRule{rule("block python", false, func(r *WindowsRule) { r.Enabled = false })}}, pub, Allowed, "default"},
		{"an outbound allow rule", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("out", true, func(r *WindowsRule) { r.Inbound = false })}}, pub, Blocked, "default"},
		{"an allow rule for another program", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("node", true, func(r *WindowsRule) { r.Program = `C:\Program Files\nodejs\node.exe` })}}, pub, Blocked, "default"},
		{"a program rule matches whatever the case and slashes", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("py", true, func(r *WindowsRule) { r.Program = strings.ToUpper(strings.ReplaceAll(python, `\`, "/")) })}}, pub, Allowed, "py"},
		{"a block rule for the program, the program unknown: not certain", WindowsPolicy{Profiles: map[string]WindowsProfile{"Public": {Enabled: true}}, Rules: promptBlock(ProfileAll)}, withProgram(pub, ""), Allowed, "default"},
		{"an allow rule for the program, the program unknown: may let in", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("allow python", true, nil)}}, withProgram(pub, ""), Allowed, "allow python"},
		{"a port rule for any program", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("8000", true, func(r *WindowsRule) { r.Program = ""; r.LocalPorts = "8000" })}}, pub, Allowed, "8000"},
		{"a port range", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("range", true, func(r *WindowsRule) { r.Program = ""; r.LocalPorts = "443,7990-8010" })}}, pub, Allowed, "range"},
		{"a port rule for another port", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("3000", true, func(r *WindowsRule) { r.Program = ""; r.LocalPorts = "3000" })}}, pub, Blocked, "default"},
		{"a block rule for another port, default allow", WindowsPolicy{Profiles: map[string]WindowsProfile{"Public": {Enabled: true}}, Rules: []WindowsRule{rule("block 3000", false, func(r *WindowsRule) { r.Program = ""; r.LocalPorts = "3000" })}}, pub, Allowed, "default"},
		{"an any-program block rule on the port", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("allow python", true, nil), rule("block 8000", false, func(r *WindowsRule) { r.Program = ""; r.LocalPorts = "8000" })}}, pub, Blocked, "block 8000"},
		{"a UDP allow rule", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("udp", true, func(r *WindowsRule) { r.Protocol = 17 })}}, pub, Blocked, "default"},
		{"an any-protocol allow rule", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("any", true, func(r *WindowsRule) { r.Protocol = ProtocolAny })}}, pub, Allowed, "any"},
		{"an RPC-ports allow rule, port 8000", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("rpc", true, func(r *WindowsRule) { r.Program = ""; r.LocalPorts = "RPC" })}}, pub, Allowed, "rpc"},
		{"an allow rule for LocalSubnet lets the neighbours in", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("subnet", true, func(r *WindowsRule) { r.RemoteAddresses = "LocalSubnet" })}}, pub, Allowed, "subnet"},
		{"a block rule for LocalSubnet, default allow: hosts beyond the gateway get in", WindowsPolicy{Profiles: map[string]WindowsProfile{"Public": {Enabled: true}}, Rules: []WindowsRule{rule("subnet", false, func(r *WindowsRule) { r.RemoteAddresses = "LocalSubnet" })}}, pub, Allowed, "default"},
		{"a block rule for some remote addresses: not certain", WindowsPolicy{Profiles: map[string]WindowsProfile{"Public": {Enabled: true}}, Rules: []WindowsRule{rule("some", false, func(r *WindowsRule) { r.RemoteAddresses = "10.0.0.0/255.0.0.0" })}}, pub, Allowed, "default"},
		{"an allow rule for some remote addresses: some get in", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("some", true, func(r *WindowsRule) { r.RemoteAddresses = "203.0.113.0/24" })}}, pub, Allowed, "some"},
		{"an allow rule for another local address", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("other", true, func(r *WindowsRule) { r.LocalAddresses = "10.1.1.1,10.2.0.0-10.2.255.255" })}}, pub, Blocked, "default"},
		{"an allow rule for this local address's range", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("mine", true, func(r *WindowsRule) { r.LocalAddresses = "192.168.1.1-192.168.1.254" })}}, pub, Allowed, "mine"},
		{"an allow rule for wired interfaces, the interface unknown", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("lan", true, func(r *WindowsRule) { r.InterfaceTypes = "Lan" })}}, pub, Allowed, "lan"},
		{"an allow rule for wired interfaces, on Wi-Fi", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("lan", true, func(r *WindowsRule) { r.InterfaceTypes = "Lan" })}}, withType(pub, "Wireless"), Blocked, "default"},
		{"a block rule for a service, default allow: not certain", WindowsPolicy{Profiles: map[string]WindowsProfile{"Public": {Enabled: true}}, Rules: []WindowsRule{rule("svc", false, func(r *WindowsRule) { r.Service = "FlowSvc" })}}, pub, Allowed, "default"},
		{"edge traversal changes nothing for a neighbour", WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{rule("edge", true, func(r *WindowsRule) { r.Profiles = ProfilePrivate; r.EdgeTraversal = true })}}, pub, Blocked, "default"},
		{"a third-party firewall registered with Security Center", WindowsPolicy{Profiles: onProfiles(), Rules: promptBlock(ProfileAll), ThirdParty: "Norton Firewall"}, pub, Unknown, "third-party"},
		{"the network's profile unknown", WindowsPolicy{Profiles: onProfiles(), Rules: promptBlock(ProfilePublic)}, query(""), Unknown, "profile"},
		{"another port blocked by the prompt's rule for python: still python's", WindowsPolicy{Profiles: map[string]WindowsProfile{"Public": {Enabled: true}}, Rules: promptBlock(ProfilePublic)}, withPort(pub, 3000), Blocked, "block rule"},
	}
}

func withType(q Query, t string) Query { q.InterfaceType = t; return q }

func TestEvaluateWindows(t *testing.T) {
	for _, tc := range windowsCases() {
		t.Run(tc.name, func(t *testing.T) {
			got := EvaluateWindows(&tc.policy, tc.query)
			if got.Decision != tc.want {
				t.Fatalf("decision %s (%s), want %s", got.Decision, got.Rule, tc.want)
			}
			if !strings.Contains(strings.ToLower(got.Rule), strings.ToLower(tc.ruleSays)) {
				t.Errorf("rule %q does not say %q", got.Rule, tc.ruleSays)
			}
			if got.By == "" {
				t.Error("no firewall named")
			}
		})
	}
}

// TestDecidePublished: a published container port is never blocked by the
// host's rules, whatever they say.
func TestDecidePublished(t *testing.T) {
	p := &WindowsPolicy{Profiles: onProfiles(), Rules: promptBlock(ProfileAll)}
	q := query("Public")
	q.Published = true
	if a := Decide(p, q); a.Decision != Allowed || a.By != "Docker" {
		t.Fatalf("published port: %+v", a)
	}
	if a := Decide(nil, query("Public")); a.Decision != Unknown {
		t.Fatalf("no snapshot: %+v", a)
	}
}

func TestCombine(t *testing.T) {
	b := Answer{Blocked, "nftables", "r1"}
	a := Answer{Allowed, "firewalld", "r2"}
	u := Answer{Unknown, "iptables-legacy", "unread"}
	for _, tc := range []struct {
		in   []Answer
		want Decision
	}{
		{[]Answer{a, b}, Blocked}, {[]Answer{u, b}, Blocked}, {[]Answer{a, u}, Unknown}, {[]Answer{a, a}, Allowed}, {nil, Allowed},
	} {
		if got := combine(tc.in...); got.Decision != tc.want {
			t.Errorf("combine(%v) = %v, want %s", tc.in, got, tc.want)
		}
	}
}

// TestGroupPolicyRules reads rule strings as group policy stores them, and
// judges with them.
func TestGroupPolicyRules(t *testing.T) {
	pub := query("Public")
	for _, tc := range []struct {
		name, rule string
		want       Decision
	}{
		{"an allow rule for python on Private, the network Public", `v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Private|App=` + python + `|Name=Python|`, Blocked},
		{"an allow rule for port 8000 on Public", `v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|Profile=Public|LPort=8000|Name=FlowMeter|`, Allowed},
		{"an allow rule for LocalSubnet on a port range", `v2.31|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=7990-8010|RA4=LocalSubnet|Name=Lab|`, Allowed},
		{"an inactive allow rule", `v2.30|Action=Allow|Active=FALSE|Dir=In|Protocol=6|LPort=8000|Name=Off|`, Blocked},
		{"an allow rule with an authenticated bypass Localguard does not read: may apply", `v2.30|Action=Allow|Active=TRUE|Dir=In|Protocol=6|LPort=8000|Security=AuthenticateEncrypt|Name=IPsec|`, Allowed},
		{"a block rule with a condition Localguard does not read: not counted on", `v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|LPort=8000|RPort=443|Name=Odd|`, Allowed},
		{"a block rule for python on every profile", `v2.30|Action=Block|Active=TRUE|Dir=In|Protocol=6|App=` + python + `|Name=python.exe|`, Blocked},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, ok := ParseGPORule(tc.rule)
			if !ok {
				t.Fatalf("not read: %q", tc.rule)
			}
			// Block is the default on Public; "Odd" is judged with allow.
			p := &WindowsPolicy{Profiles: onProfiles(), Rules: []WindowsRule{r}}
			if strings.Contains(tc.name, "not counted on") {
				p.Profiles["Public"] = WindowsProfile{Enabled: true}
			}
			if got := EvaluateWindows(p, pub); got.Decision != tc.want {
				t.Fatalf("%+v, want %s (rule %+v)", got, tc.want, r)
			}
		})
	}
	if _, ok := ParseGPORule("not a rule"); ok {
		t.Error("a string that is no rule was read")
	}
}
