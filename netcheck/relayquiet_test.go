package netcheck

import (
	"net/netip"
	"strings"
	"testing"
)

// quietRelay is a relay on 0.0.0.0:9100, which Localguard never connects
// to, tied to FlowMeter's port 8000 by seen: unchecked, with the reason
// it was not asked.
func quietRelay(program, cmdline string, seen SeenBy) RelayFacts {
	rf := relay(program, cmdline, "0.0.0.0", 9100, 8000, "")
	rf.Confirmed, rf.Unchecked, rf.Seen = false, true, seen
	rf.NotAsked = "raw printing (JetDirect/AppSocket): every byte received is printed"
	return rf
}

// trustJudgeNets trusts every network of judgeIfaces.
func trustJudgeNets() *Store {
	return &Store{Trusted: []Network{
		{Interface: "wlan0", Subnet: netip.MustParsePrefix("192.168.1.0/24")},
		{Interface: "wlan0", Subnet: netip.MustParsePrefix("fd00::/64")},
		{Interface: "eth1", Subnet: netip.MustParsePrefix("10.9.0.0/16")}}}
}

// TestJudgeNeverAskedRelays: a relay on a port Localguard never connects
// to, whose holder names FlowMeter's port, cannot be checked: status
// error on an untrusted network with the reason it was not asked, never
// safe; on trusted networks only it keeps nothing from safe. A relay that
// merely did not answer in time keeps its own sentence.
func TestJudgeNeverAskedRelays(t *testing.T) {
	trustAll := trustJudgeNets()
	local := fm("127.0.0.1", 8000, StartPythonModule, "python3 -m app.main", backendA, "HOST=127.0.0.1\n")
	renamed := quietRelay("portbridge", "portbridge TCP-LISTEN:9100,fork TCP:127.0.0.1:8000", SeenCommandLine)
	rinetd := quietRelay("rinetd", "rinetd -f -c /etc/rinetd.conf", SeenConfig)
	held := quietRelay("python3", "python3 proxy.py", SeenConnection)
	slow := relay("python3", "python3 proxy.py 9001 8000", "0.0.0.0", 9001, 8000, "")
	slow.Confirmed, slow.Unchecked = false, true
	for _, tc := range []struct {
		name   string
		relay  RelayFacts
		trust  *Store
		want   Status
		wantIn []string
	}{
		{"a renamed socat naming FlowMeter's port", renamed, nil, StatusError, []string{
			"Localguard could not check portbridge (pid 4711) on port 9100: its command line names FlowMeter's port 8000",
			"anyone on wlan0 (192.168.1.23)", "never connects to port 9100 (raw printing (JetDirect/AppSocket): every byte received is printed), so it did not ask what it serves"}},
		{"rinetd whose configuration names it", rinetd, nil, StatusError, []string{"rinetd (pid 4711) on port 9100: its configuration names FlowMeter's port 8000"}},
		{"a proxy seen connected to it", held, nil, StatusError, []string{"python3 (pid 4711) on port 9100: it was seen connected to FlowMeter's port 8000"}},
		{"on trusted networks only", renamed, trustAll, StatusSafe, nil},
		{"a relay that did not answer in time", slow, nil, StatusError, []string{"it did not answer in time"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Interfaces: judgeIfaces,
				Relays: []RelayFacts{tc.relay}, Trusted: tc.trust})
			if v.Status != tc.want {
				t.Fatalf("%s: %s, want %s", v.Status, v.Message, tc.want)
			}
			checkMessageSays(t, v.Message, tc.wantIn, nil)
			r := v.Relays[0]
			if r.NotAsked != tc.relay.NotAsked || !r.Unchecked || r.Confirmed {
				t.Errorf("relay %+v: want unchecked, not_asked %q", r, tc.relay.NotAsked)
			}
			if tc.relay.NotAsked != "" && tc.want == StatusError && !strings.Contains(v.Advice, "127.0.0.1 only") {
				t.Errorf("advice %q: want what to do", v.Advice)
			}
		})
	}
}
