package ui

import (
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"localguard/netcheck"
)

// TestRenderRelays: "Where it can be reached" lists the addresses a relay
// passes FlowMeter on from, with the URL a neighbour types and the trust
// toggle, and a tunnel's far end.
func TestRenderRelays(t *testing.T) {
	u := newStill(t)
	v := verdicts["safe"]
	v.Status = netcheck.StatusExposed
	v.Relays = []netcheck.Relay{
		{PID: 4711, Process: "socat", Program: "socat", Kind: netcheck.RelayProxy, Address: "0.0.0.0", Port: 9000, TargetPort: 8000,
			ExposedOn: []netcheck.Exposure{{Interface: "wlan0", Address: "192.168.1.23", Kind: "lan", URL: "http://192.168.1.23:9000"}}},
		{PID: 4712, Process: "ssh", Program: "ssh", Kind: netcheck.RelayTunnel, Port: 9000, TargetPort: 8000, Remote: "203.0.113.7:22", ExposedOn: []netcheck.Exposure{}},
	}
	u.render(v)
	var texts []string
	for _, o := range u.reach.Objects {
		if l, ok := o.(*widget.Label); ok {
			texts = append(texts, l.Text)
		}
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"Through socat", "It passes FlowMeter on from its own port 9000", "Through a tunnel", "A tunnel (ssh) carries FlowMeter to 203.0.113.7:22, beyond this computer"} {
		if !strings.Contains(all, want) {
			t.Errorf("reach lacks %q:\n%s", want, all)
		}
	}
	if len(u.trust) != 1 || u.trust[0].exposure.URL != "http://192.168.1.23:9000" {
		t.Errorf("trust toggles %d: want one, for the relay's address", len(u.trust))
	}
}

// TestRenderRelayActions: every relay has its Stop button, and How to fix
// it where the verdict says how.
func TestRenderRelayActions(t *testing.T) {
	u := newStill(t)
	v := verdicts["safe"]
	v.Status = netcheck.StatusExposed
	v.Relays = []netcheck.Relay{
		{PID: 4711, Process: "socat", Program: "socat", Kind: netcheck.RelayProxy, Address: "0.0.0.0", Port: 9000, TargetPort: 8000,
			Advice:    "start socat with TCP-LISTEN:9000,bind=127.0.0.1",
			ExposedOn: []netcheck.Exposure{{Interface: "wlan0", Address: "192.168.1.23", Kind: "lan", URL: "http://192.168.1.23:9000"}}},
	}
	u.render(v)
	if u.relayStop[4711] == nil {
		t.Fatal("no Stop button for the relay")
	}
	test.Tap(u.relayStop[4711])
	if u.relayAsk == nil {
		t.Fatal("Stop this relay did not ask first")
	}
	u.relayAsk.Dismiss() // Keep it running: nothing is sent
}
