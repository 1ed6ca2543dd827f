package netcheck

import (
	"encoding/json"
	"net/netip"
	"testing"

	"localguard/netcheck/system"
)

// A relay started in FlowMeter's own folder (issue 18's attack, O1): the
// scan finds its socket by its answer and its folder, and the probe proves
// it a relay; it is then named as one, never as FlowMeter.

// TestAnswerOnlyTraced: which sockets the scan found as FlowMeter are
// traced like the served ones (their answer may be passed on): those
// found by their answer alone, beyond loopback; not FlowMeter started as
// FlowMeter is, nor one on loopback, another computer's address, or one
// that did not answer.
func TestAnswerOnlyTraced(t *testing.T) {
	sock := func(addr string) system.Socket {
		return system.Socket{Addr: netip.MustParseAddr(addr), Port: 9001, Inode: 7}
	}
	for _, tc := range []struct {
		name string
		f    FlowMeterSocket
		want bool
	}{
		{"a Python proxy in backend/, answering as FlowMeter", FlowMeterSocket{Socket: sock("0.0.0.0"), Confirmed: true}, true},
		{"on one address of this computer", FlowMeterSocket{Socket: sock("192.168.1.23"), Confirmed: true}, true},
		{"python -m app.main in backend/", FlowMeterSocket{Socket: sock("0.0.0.0"), Confirmed: true, Evidence: true}, false},
		{"on loopback", FlowMeterSocket{Socket: sock("127.0.0.1"), Confirmed: true}, false},
		{"not this computer's address", FlowMeterSocket{Socket: sock("192.0.2.9"), Confirmed: true, Foreign: true}, false},
		{"no answer", FlowMeterSocket{Socket: sock("0.0.0.0"), Unchecked: true}, false},
	} {
		if got := answerOnly(tc.f); got != tc.want {
			t.Errorf("%s: traced %v, want %v", tc.name, got, tc.want)
		}
	}
}

// TestFolderRelayWords: the words and JSON of a Python proxy started in
// FlowMeter's backend/ and proven a relay, in full.
func TestFolderRelayWords(t *testing.T) {
	local := fm("127.0.0.1", 8000, StartPythonModule, "python3 -m app.main", backendA, "HOST=127.0.0.1\n")
	rf := servedProxy()
	rf.Owner.Cwd = backendA
	v := Judge(Facts{Interfaces: judgeIfaces, Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Relays: []RelayFacts{rf}})
	const want = "python3 (pid 4711) on port 9001 passes FlowMeter (port 8000) to anyone on wlan0 (local network, 192.168.1.23) and eth1 (local network, 10.9.0.5): they can read every dataset loaded in it. " +
		"It is there because a program Localguard does not recognise (python3, pid 4711, started by bash in /home/ana/FlowMeter/backend) listens on port 9001 beyond this computer and passes what it receives to FlowMeter's port 8000: FlowMeter's own answer came back through it; make it listen on 127.0.0.1 only, or stop it (pid 4711)."
	if v.Status != StatusExposed || v.Message != want {
		t.Errorf("%s:\ngot  %q\nwant %q", v.Status, v.Message, want)
	}
	b, _ := json.Marshal(v.Relays[0])
	var r struct {
		PID        int32    `json:"pid"`
		Program    string   `json:"program"`
		Kind       string   `json:"kind"`
		TargetPort int      `json:"target_port"`
		StartedBy  string   `json:"started_by"`
		SeenBy     []string `json:"seen_by"`
	}
	json.Unmarshal(b, &r)
	if r.PID != 4711 || r.Program != "python3" || r.Kind != "proxy" || r.TargetPort != 8000 || r.StartedBy != "bash" || len(r.SeenBy) != 2 {
		t.Errorf("relay JSON %s", b)
	}
	if len(v.Listeners) != 1 || v.Listeners[0].Port != 8000 {
		t.Errorf("listeners %+v: FlowMeter's own only", v.Listeners)
	}
}
