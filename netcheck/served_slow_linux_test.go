package netcheck

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// Slow relays (issue 18), judged from the neighbour's side: a relay that
// passes FlowMeter's answer back only after a while is not a silent
// socket. While its request is pending, it connects to FlowMeter's port;
// Localguard sees that connection, waits longer for that socket, and
// judges it a relay: by its answer when it comes within the longer wait,
// by the connection when it does not. The controls stay safe: a silent
// listener, and a slow site that is not FlowMeter (404 after 1.5 s,
// connecting nowhere).

// startSlowProxy runs testdata/slow_proxy.py on 0.0.0.0:rp, passing on to
// 127.0.0.1:up (0: nowhere) and answering delay later (holding its
// connection onward open meanwhile with "hold").
func startSlowProxy(t *testing.T, rp, up int, delay time.Duration, hold ...string) *child {
	t.Helper()
	p, err := filepath.Abs("testdata/slow_proxy.py")
	if err != nil {
		t.Fatal(err)
	}
	c := start(t, t.TempDir(), python, childEnv(), python, p, fmt.Sprint(rp), fmt.Sprint(up), fmt.Sprint(delay.Seconds()), strings.Join(hold, ""))
	c.waitListening(t, rp, any4)
	return c
}

func TestSlowRelays(t *testing.T) {
	needUvicorn(t)
	l := newLAN(t)
	env, port := flowMeterOnLoopback(t)
	// Silent services beside the relay: several requests pending at once,
	// and the connection onward must be told apart between them.
	for range 3 {
		listenCounting(t, "0.0.0.0:0", "")
	}
	// A shorter longer wait, for the test's time: 2.5 s, with the late
	// relay answering after 3.5 s.
	defer func(w time.Duration) { slowRelayWait = w }(slowRelayWait)
	slowRelayWait = 2500 * time.Millisecond
	for _, tc := range []struct {
		name  string
		delay time.Duration
		late  bool
		hold  string
	}{
		{"answers after 1.5 s", 1500 * time.Millisecond, false, ""},
		{"answers after 1.5 s, holding its connection onward", 1500 * time.Millisecond, false, "hold"},
		{"answers after 3.5 s, later than Localguard waits, holding its connection onward", 3500 * time.Millisecond, true, "hold"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rp := freePort(t)
			p := startSlowProxy(t, rp, port, tc.delay, tc.hold)
			if !l.reads(t, l.v4, rp) {
				t.Fatalf("the neighbour cannot read FlowMeter through port %d", rp)
			}
			kept := Open(context.Background(), env, nil, t.TempDir(), childEnv())
			for i, v := range []Verdict{judgeAsUser(t, env), kept.Check(context.Background())} {
				wantSlowRelay(t, fmt.Sprintf("check %d", i+1), v, rp, port, tc.late)
			}
			p.stop()
		})
	}
}

// wantSlowRelay wants v exposed by the slow relay on rp.
func wantSlowRelay(t *testing.T, when string, v Verdict, rp, port int, late bool) {
	t.Helper()
	r := relayOn(v, rp)
	switch {
	case v.Status != StatusExposed || r == nil || len(v.Relays) != 1:
		t.Errorf("%s: the neighbour reads FlowMeter through the slow relay on port %d, yet: %s: %s\n%s", when, rp, v.Status, v.Message, relaysOf(v))
	case !r.Confirmed || r.TargetPort != port || r.PID == 0 || r.Late != late || !slices.Contains(r.SeenBy, SeenConnection):
		t.Errorf("%s: relay %+v: want confirmed, to port %d, with its pid, late %v", when, *r, port, late)
	default:
		t.Logf("%s: %s: %s", when, v.Status, v.Message)
	}
}

func TestSlowControlsStaySafe(t *testing.T) {
	needUvicorn(t)
	l := newLAN(t)
	env, _ := flowMeterOnLoopback(t)
	slow := freePort(t)
	startSlowProxy(t, slow, 0, 1500*time.Millisecond)
	silent := listenCounting(t, "0.0.0.0:0", "")
	for _, p := range []int{slow, silent.port()} {
		if !l.connectFromPeer(t, l.v4, p) || l.reads(t, l.v4, p) {
			t.Fatalf("port %d is not a reachable control that is not FlowMeter", p)
		}
	}
	began := time.Now()
	v := judgeAsUser(t, env)
	took := time.Since(began)
	wantNoRelay(t, "a fresh Checker", v)
	kept := Open(context.Background(), env, nil, t.TempDir(), childEnv())
	for i := range 2 {
		wantNoRelay(t, fmt.Sprintf("kept Checker, poll %d", i+1), kept.Check(context.Background()))
	}
	// Not a timed assertion (shared machine): the figure, for the report.
	t.Logf("a first check with a silent listener and a slow site took %s", took.Round(time.Millisecond))
}

// wantNoRelay wants v safe with no relay (FlowMeter itself on loopback).
func wantNoRelay(t *testing.T, when string, v Verdict) {
	t.Helper()
	if v.Status != StatusSafe || len(v.Relays) > 0 {
		t.Errorf("%s: %s: %s\nrelays %s", when, v.Status, v.Message, relaysOf(v))
		return
	}
	t.Logf("%s: %s: %s", when, v.Status, v.Message)
}
