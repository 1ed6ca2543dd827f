package netcheck

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"localguard/netcheck/firewall"
)

// The firewall in the judgement, as a pure function: per network, blocked
// networks are not exposures now, every network blocked is at-risk with
// the analyst's sentence and the fix, any doubt is exposed and says the
// firewall could not be read. No row is ever safe.

// categorised gives the judge's two networks Windows' categories: wlan0
// Public, eth1 Private.
func categorised(ifaces []Interface) []Interface {
	out := append([]Interface(nil), ifaces...)
	for i := range out {
		switch out[i].Name {
		case "wlan0":
			out[i].Profile.Category = "Public"
		case "eth1":
			out[i].Profile.Category = "Private"
		}
	}
	return out
}

// decided gives lf the firewall's answer for each network by interface.
func decided(lf ListenerFacts, ifaces []Interface, by map[string]firewall.Answer) ListenerFacts {
	lf.Firewall = FirewallAnswers{}
	for _, r := range ReachableAddrs(lf.Socket, ifaces) {
		if a, ok := by[r.Interface]; ok && r.Kind != KindLoopback {
			lf.Firewall[firewallKey(r.Interface, r.Addr)] = a
		}
	}
	return lf
}

var (
	winBlocked = firewall.Answer{Decision: firewall.Blocked, By: "Windows Defender Firewall", Rule: `block rule "python.exe" (Public networks)`}
	winAllowed = firewall.Answer{Decision: firewall.Allowed, By: "Windows Defender Firewall", Rule: `allow rule "Python" (Private networks)`}
	winUnread  = firewall.Answer{Decision: firewall.Unknown, By: "Windows Defender Firewall", Rule: "Windows Defender Firewall's settings could not be read: creating HNetCfg.FwPolicy2: Class not registered"}
)

type firewallJudgeCase struct {
	name           string
	by             map[string]firewall.Answer
	want           Status
	wantIn         []string
	wantNot        []string
	blocked, shown []string // interfaces blocked, interfaces listed as exposed (not blocked)
}

func firewallJudgeCases() []firewallJudgeCase {
	return []firewallJudgeCase{
		{name: "blocked on every network: at-risk, the fix offered",
			by:      map[string]firewall.Answer{"wlan0": winBlocked, "eth1": winBlocked},
			want:    StatusAtRisk,
			wantIn:  []string{"Windows Firewall keeps others out on", "for now, but FlowMeter listens on every interface", "Make it local-only."},
			blocked: []string{"wlan0", "eth1"}},
		{name: "blocked on Public, open on Private: exposed on Private only",
			by:     map[string]firewall.Answer{"wlan0": winBlocked, "eth1": winAllowed},
			want:   StatusExposed,
			wantIn: []string{"anyone on eth1", "keeps others out on wlan0"}, wantNot: []string{"anyone on wlan0"},
			blocked: []string{"wlan0"}, shown: []string{"eth1"}},
		{name: "the firewall could not be read: exposed, and it says so",
			by:     map[string]firewall.Answer{"wlan0": winUnread, "eth1": winUnread},
			want:   StatusExposed,
			wantIn: []string{"could not read the firewall", "Class not registered"},
			shown:  []string{"wlan0", "eth1"}},
		{name: "blocked on one, unread on the other: exposed on the unread one",
			by:      map[string]firewall.Answer{"wlan0": winBlocked, "eth1": winUnread},
			want:    StatusExposed,
			wantIn:  []string{"anyone on eth1", "could not read the firewall for eth1"},
			blocked: []string{"wlan0"}, shown: []string{"eth1"}},
	}
}

func TestJudgeFirewall(t *testing.T) {
	ifaces := categorised(judgeIfaces)
	for _, tc := range firewallJudgeCases() {
		t.Run(tc.name, func(t *testing.T) {
			lf := decided(fm("0.0.0.0", 8000, StartPythonModule, "python3 -m app.main", backendA, "HOST=0.0.0.0\n"), ifaces, tc.by)
			v := Judge(Facts{Install: install(backendA, "HOST=0.0.0.0\n"), Listeners: []ListenerFacts{lf}, Interfaces: ifaces})
			checkFirewallVerdict(t, tc, v)
		})
	}
}

func checkFirewallVerdict(t *testing.T, tc firewallJudgeCase, v Verdict) {
	t.Helper()
	if v.Status == StatusSafe || v.Status != tc.want {
		t.Fatalf("status %s, want %s: %s", v.Status, tc.want, v.Message)
	}
	for _, s := range tc.wantIn {
		if !strings.Contains(v.Message, s) {
			t.Errorf("message does not say %q: %s", s, v.Message)
		}
	}
	for _, s := range tc.wantNot {
		if strings.Contains(v.Message, s) {
			t.Errorf("message says %q: %s", s, v.Message)
		}
	}
	if v.Fix == "" {
		t.Errorf("no fix offered: %s", v.Message)
	}
	got := map[string]bool{}
	for _, e := range v.Listeners[0].ExposedOn {
		if e.Kind != KindLoopback {
			got[e.Interface] = got[e.Interface] || !e.Blocked()
		}
	}
	for _, i := range tc.blocked {
		if got[i] {
			t.Errorf("%s is listed open, want blocked: %+v", i, v.Listeners[0].ExposedOn)
		}
	}
	for _, i := range tc.shown {
		if !got[i] {
			t.Errorf("%s is not listed open: %+v", i, v.Listeners[0].ExposedOn)
		}
	}
}

// TestJudgeFirewallSentence: the analyst's sentence, word for word, for
// one Public network kept out.
func TestJudgeFirewallSentence(t *testing.T) {
	ifaces := categorised(judgeIfaces[:2])
	lf := decided(fm("0.0.0.0", 8000, StartPythonModule, "python3 -m app.main", backendA, "HOST=0.0.0.0\n"), ifaces, map[string]firewall.Answer{"wlan0": winBlocked})
	v := Judge(Facts{Install: install(backendA, "HOST=0.0.0.0\n"), Listeners: []ListenerFacts{lf}, Interfaces: ifaces})
	const want = "Windows Firewall keeps others out on this Public network for now, but FlowMeter listens on every interface: marking the network Private, or one changed rule, opens it. Make it local-only."
	if v.Status != StatusAtRisk || !strings.HasPrefix(v.Message, want) {
		t.Fatalf("%s: %q\nwant it to start %q", v.Status, v.Message, want)
	}
	if v.Fix != fixCommand(filepath.Join(backendA, ".env")) {
		t.Errorf("the fix: %q", v.Fix)
	}
}

// TestJudgeFirewallRelay: a relay the firewall keeps out everywhere makes
// the verdict at-risk, never safe.
func TestJudgeFirewallRelay(t *testing.T) {
	ifaces := categorised(judgeIfaces)
	local := fm("127.0.0.1", 8000, StartPythonModule, "python3 -m app.main", backendA, "HOST=127.0.0.1\n")
	rf := RelayFacts{Owner: &Owner{PID: 99, Name: "socat", Cmdline: "socat TCP-LISTEN:9000,fork TCP:127.0.0.1:8000"}, Program: "socat", Kind: RelayProxy,
		Socket: local.Socket, TargetPort: 8000, Confirmed: true, Answered: map[netip.Addr]bool{}}
	rf.Socket.Addr, rf.Socket.Port = netip.IPv4Unspecified(), 9000
	rf.Firewall = FirewallAnswers{}
	for _, r := range ReachableAddrs(rf.Socket, ifaces) {
		rf.Answered[r.Addr] = true
		if r.Kind != KindLoopback {
			rf.Firewall[firewallKey(r.Interface, r.Addr)] = firewall.Answer{Decision: firewall.Blocked, By: "nftables", Rule: "table inet filter, chain input, rule handle 4"}
		}
	}
	v := Judge(Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Relays: []RelayFacts{rf}, Interfaces: ifaces})
	if v.Status != StatusAtRisk || !strings.Contains(v.Message, "nftables keeps others out") || !strings.Contains(v.Message, "socat") {
		t.Fatalf("%s: %s", v.Status, v.Message)
	}
	rf.Firewall = nil
	if v := Judge(Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Relays: []RelayFacts{rf}, Interfaces: ifaces}); v.Status != StatusExposed {
		t.Fatalf("without the firewall the relay exposes FlowMeter: %s: %s", v.Status, v.Message)
	}
}
