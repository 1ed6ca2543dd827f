package netcheck

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
)

// Judge with the facts of issue 18: FlowMeters and relays found by what
// their sockets serve, with the hints that explain them.

// servedFM is a FlowMeter no hint led to: its socket answered as FlowMeter,
// held by a program Localguard does not recognise.
func servedFM(addr string, port int) ListenerFacts {
	return fm(addr, port, StartUnknown, "python3 -c import uvicorn; uvicorn.run(...)", "", "").with(func(lf *ListenerFacts) {
		lf.Evidence, lf.SettingsDir = false, ""
		lf.Owner.Cwd = "/home/ana/tools"
		lf.SeenBy = []SeenBy{SeenAnswer}
	})
}

// servedProxy is a relay found by its answer and its connection onward.
func servedProxy() RelayFacts {
	rf := relay("python3", "python3 reverse_proxy.py 9001 8000", "0.0.0.0", 9001, 8000, "")
	rf.Seen, rf.SeenBy, rf.Unrecognised, rf.StartedBy = SeenAnswer, []SeenBy{SeenAnswer, SeenConnection}, true, "bash"
	rf.Owner.Cwd, rf.Owner.Start = "/home/ana/tools", StartUnknown
	return rf
}

func TestJudgeServed(t *testing.T) {
	local := fm("127.0.0.1", 8000, StartPythonModule, "python3 -m app.main", backendA, "HOST=127.0.0.1\n")
	local.SeenBy = []SeenBy{SeenAnswer, SeenCommandLine, SeenFolder}
	for _, tc := range []struct {
		name   string
		facts  Facts
		want   Status
		wantIn []string
		check  func(t *testing.T, v Verdict)
	}{
		{
			name:   "a FlowMeter from a launcher Localguard does not recognise",
			facts:  Facts{Interfaces: judgeIfaces, Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{servedFM("0.0.0.0", 8123)}},
			want:   StatusExposed,
			wantIn: []string{"FlowMeter on port 8123 can be reached by anyone on wlan0", "a program Localguard does not recognise (python3, pid 8123, started in /home/ana/tools)", "started in a way Localguard does not recognise"},
			check: func(t *testing.T, v Verdict) {
				if got := v.Listeners[0].SeenBy; !slices.Equal(got, []SeenBy{SeenAnswer}) {
					t.Errorf("seen_by %v", got)
				}
			},
		},
		{
			name:   "a relay on no list, found by its answer and its connection",
			facts:  Facts{Interfaces: judgeIfaces, Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Relays: []RelayFacts{servedProxy()}},
			want:   StatusExposed,
			wantIn: []string{"python3 (pid 4711) on port 9001 passes FlowMeter (port 8000) to anyone on wlan0", "a program Localguard does not recognise (python3, pid 4711, started by bash in /home/ana/tools)", "stop it (pid 4711)"},
			check:  checkServedRelayJSON,
		},
		{
			name:   "a relay on no list, held by another user's process",
			facts:  Facts{Interfaces: judgeIfaces, Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Relays: []RelayFacts{func() RelayFacts { r := servedProxy(); r.Owner, r.Program = nil, "a process of another user"; return r }()}},
			want:   StatusExposed,
			wantIn: []string{"a process of another user on port 9001 passes FlowMeter (port 8000)", "ss -tlnp 'sport = :9001'"},
		},
		{
			name:  "FlowMeter on loopback only, seen by its answer and hints: safe",
			facts: Facts{Interfaces: judgeIfaces, Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}},
			want:  StatusSafe,
			check: func(t *testing.T, v Verdict) {
				if got := v.Listeners[0].SeenBy; !slices.Equal(got, []SeenBy{SeenAnswer, SeenCommandLine, SeenFolder}) {
					t.Errorf("seen_by %v", got)
				}
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			v := Judge(tc.facts)
			if v.Status != tc.want {
				t.Fatalf("status %s, want %s: %s", v.Status, tc.want, v.Message)
			}
			for _, w := range tc.wantIn {
				if !strings.Contains(v.Message, w) {
					t.Errorf("message %q lacks %q", v.Message, w)
				}
			}
			if tc.check != nil {
				tc.check(t, v)
			}
		})
	}
}

// checkServedRelayJSON: the relay says in JSON how it was found and who
// started it; additive fields only.
func checkServedRelayJSON(t *testing.T, v Verdict) {
	b, err := json.Marshal(v.Relays[0])
	if err != nil {
		t.Fatal(err)
	}
	var r map[string]any
	json.Unmarshal(b, &r)
	if r["started_by"] != "bash" || r["cause"] != "unknown" || r["confirmed"] != true {
		t.Errorf("relay JSON %s", b)
	}
	seen, _ := r["seen_by"].([]any)
	if len(seen) != 2 || seen[0] != "answer" || seen[1] != "connection" {
		t.Errorf("seen_by %v, want [answer connection]", seen)
	}
}
