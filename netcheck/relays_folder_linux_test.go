package netcheck

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"localguard/testdata/netns"
)

// Relays started in FlowMeter's own folder (issue 18's attack, O1): a
// Python proxy or socat whose working folder is FlowMeter's backend/ is a
// relay, proven by the connection it opens to FlowMeter's port while its
// answer is served, and is named as one (program, pid, target port,
// started_by), never as a FlowMeter of its own. Judged from the
// neighbour's side, idle.

func TestRelaysInFlowMeterFolder(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	socat := needProgram(t, "socat", "socat")
	l := newLAN(t)
	env, port := flowMeterOnLoopback(t)
	backend := filepath.Dir(env)
	proxy, err := filepath.Abs("testdata/reverse_proxy.py")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, program string
		start         func(rp int) *child
	}{
		{"a Python reverse proxy", "python3", func(rp int) *child {
			return start(t, backend, python, childEnv(), python, proxy, fmt.Sprint(rp), fmt.Sprint(port))
		}},
		{"socat", "socat", func(rp int) *child {
			return start(t, backend, socat, childEnv(), "socat", fmt.Sprintf("TCP-LISTEN:%d,fork,reuseaddr", rp), fmt.Sprintf("TCP:127.0.0.1:%d", port))
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rp := freePort(t)
			p := tc.start(rp)
			p.waitListening(t, rp, any4)
			if !l.reads(t, l.v4, rp) {
				t.Fatalf("the neighbour cannot read FlowMeter through port %d", rp)
			}
			waitIdle(t, rp)
			kept := Open(context.Background(), env, nil, t.TempDir(), childEnv())
			wantFolderRelay(t, judgeAsUser(t, env), tc.program, rp, port)
			for range 2 {
				wantFolderRelay(t, kept.Check(context.Background()), tc.program, rp, port)
			}
			p.stop()
		})
	}
}

// wantFolderRelay wants v exposed by program's relay on rp to port, named
// as a relay in the words and the JSON, and no FlowMeter listener on rp.
func wantFolderRelay(t *testing.T, v Verdict, program string, rp, port int) {
	t.Helper()
	r := relayOn(v, rp)
	if v.Status != StatusExposed || r == nil {
		t.Fatalf("the neighbour reads FlowMeter through port %d, yet: %s: %s\nlisteners %s\nrelays %s", rp, v.Status, v.Message, listeners(v), relaysOf(v))
	}
	if r.Program != program || r.PID == 0 || r.TargetPort != port || !r.Confirmed || r.StartedBy == "" || !slices.Contains(r.SeenBy, SeenConnection) {
		t.Errorf("relay %+v: want %s, its pid, target port %d, started_by, confirmed, seen by its connection", *r, program, port)
	}
	for _, li := range v.Listeners {
		if li.Port == rp {
			t.Errorf("the relay is among FlowMeter's listeners: %+v", li)
		}
	}
	if want := fmt.Sprintf("(pid %d) on port %d passes FlowMeter (port %d)", r.PID, rp, port); !strings.Contains(v.Message, want) {
		t.Errorf("message %q: want it to say %q", v.Message, want)
	}
	if strings.Contains(v.Message, fmt.Sprintf("FlowMeter on port %d", rp)) {
		t.Errorf("message %q names the relay's port as FlowMeter's", v.Message)
	}
	t.Logf("%s: %s", v.Status, v.Message)
}
