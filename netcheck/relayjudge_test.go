package netcheck

import (
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"localguard/netcheck/system"
)

// relay is a relay's facts: a proxy listening on addr:port (answering on
// every address it reaches) or, with remote set, a tunnel.
func relay(program, cmdline, addr string, port, target int, remote string) RelayFacts {
	rf := RelayFacts{
		Owner:   &Owner{PID: 4711, Name: program, Cmdline: cmdline, Args: strings.Fields(cmdline)},
		Program: program, Kind: RelayProxy, TargetPort: target, Confirmed: true, Seen: "command-line",
		Answered: map[netip.Addr]bool{},
	}
	if remote != "" {
		rf.Kind, rf.Remote, rf.ForwardedPort = RelayTunnel, remote, port
		return rf
	}
	rf.Socket = system.Socket{Addr: netip.MustParseAddr(addr), Port: port, Inode: 99, DualKnown: true}
	for _, r := range ReachableAddrs(rf.Socket, judgeIfaces) {
		rf.Answered[r.Addr] = true
	}
	return rf
}

func TestJudgeRelays(t *testing.T) {
	trustAll := trustJudgeNets()
	local := fm("127.0.0.1", 8000, StartPythonModule, "python3 -m app.main", backendA, "HOST=127.0.0.1\n")
	socat := relay("socat", "socat TCP-LISTEN:9000,fork TCP:127.0.0.1:8000", "0.0.0.0", 9000, 8000, "")
	vite := relay("vite", "node /home/ana/FlowMeter/frontend/node_modules/.bin/vite --host", "::", 3000, 8000, "")
	vite.Owner.Start, vite.Owner.HostFlagSet = StartVite, true
	vite.Socket.DualStack = true
	for _, r := range ReachableAddrs(vite.Socket, judgeIfaces) {
		vite.Answered[r.Addr] = true
	}
	tunnel := relay("ssh", "ssh -N -R 9000:localhost:8000 ana@vps.example.org", "", 9000, 8000, "203.0.113.7:22")
	for _, tc := range []struct {
		name    string
		facts   Facts
		want    Status
		wantIn  []string
		wantNot []string
		check   func(t *testing.T, v Verdict)
	}{
		{
			name:  "FlowMeter on loopback, socat on every address passes it on",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Relays: []RelayFacts{socat}},
			want:  StatusExposed,
			wantIn: []string{"socat (pid 4711) on port 9000 passes FlowMeter (port 8000) to anyone on wlan0 (local network, 192.168.1.23)",
				"bind=127.0.0.1", "read every dataset"},
			check: checkSocatRelayExposed,
		},
		{
			name:    "the relay reaches only trusted networks",
			facts:   Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Relays: []RelayFacts{socat}, Trusted: trustAll},
			want:    StatusSafe,
			wantNot: []string{"socat"},
			check:   checkRelayOnTrustedOnly,
		},
		{
			name:   "Vite with --host: FlowMeter's web page server",
			facts:  Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Relays: []RelayFacts{vite}},
			want:   StatusExposed,
			wantIn: []string{"FlowMeter's web page server (Vite) on port 3000 passes FlowMeter's data to anyone on wlan0", "without --host"},
		},
		{
			name:   "a tunnel is always beyond this computer",
			facts:  Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Relays: []RelayFacts{tunnel}, Trusted: trustAll},
			want:   StatusExposed,
			wantIn: []string{"ssh (pid 4711) carries FlowMeter (port 8000) to 203.0.113.7:22", "port 9000", "stop this tunnel (pid 4711)"},
			check:  checkTunnelBeyond,
		},
		{
			name: "the sandbox off makes it code execution",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Relays: []RelayFacts{socat}, Listeners: []ListenerFacts{
				local.with(func(l *ListenerFacts) { l.Sandbox = "off" })}},
			want:   StatusExposed,
			wantIn: []string{"run any program on this computer"},
		},
		{
			name: "an exposed listener leads, the relay follows",
			facts: Facts{Install: install(backendA, "HOST=0.0.0.0\n"), Relays: []RelayFacts{socat}, Listeners: []ListenerFacts{
				fm("0.0.0.0", 8000, StartPythonModule, "python3 -m app.main", backendA, "HOST=0.0.0.0\n")}},
			want:   StatusExposed,
			wantIn: []string{"FlowMeter on port 8000 can be reached", "Also passed on: socat (pid 4711)"},
		},
		{
			name: "a relay that did not answer in time is never safe",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Relays: []RelayFacts{
				func() RelayFacts { r := socat; r.Confirmed, r.Unchecked = false, true; return r }()}},
			want:   StatusError,
			wantIn: []string{"could not check socat (pid 4711) on port 9000"},
		},
		{
			name: "a container's published port: the web page server's container",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Relays: []RelayFacts{
				func() RelayFacts {
					r := relay("docker-proxy", "/usr/bin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 3000 -container-ip 172.18.0.3 -container-port 3000", "0.0.0.0", 3000, 3000, "")
					r.Kind, r.Source = RelayContainer, "/home/ana/FlowMeter/docker-compose.yaml"
					return r
				}()}},
			want:   StatusExposed,
			wantIn: []string{"A container's published port 3000 (docker-proxy, pid 4711) passes FlowMeter's data to anyone on wlan0", "localguard fix --source /home/ana/FlowMeter/docker-compose.yaml", "docker compose up -d"},
			check:  checkContainerRelay,
		},
		{
			name: "a relay no address answered on reaches nobody",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Relays: []RelayFacts{
				func() RelayFacts { r := socat; r.Answered = map[netip.Addr]bool{}; return r }()}},
			want: StatusSafe,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.facts.Interfaces = judgeIfaces
			v := Judge(tc.facts)
			if v.Status != tc.want {
				t.Fatalf("status %s, want %s: %s", v.Status, tc.want, v.Message)
			}
			checkMessageSays(t, v.Message, tc.wantIn, tc.wantNot)
			if tc.check != nil {
				tc.check(t, v)
			}
		})
	}
}

// TestRelaysJSON: the verdict's relays carry the contract's fields, and an
// empty list is [] (never null).
func TestRelaysJSON(t *testing.T) {
	b, _ := json.Marshal(Judge(Facts{Install: install(backendA, "HOST=127.0.0.1\n")}))
	if !strings.Contains(string(b), `"relays":[]`) {
		t.Errorf("no relays: %s", b)
	}
	v := Judge(Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Relays: []RelayFacts{relay("socat", "socat TCP-LISTEN:9000 TCP:localhost:8000", "0.0.0.0", 9000, 8000, "")}})
	b, _ = json.Marshal(v.Relays[0])
	var m map[string]any
	json.Unmarshal(b, &m)
	for _, k := range []string{"pid", "process", "cmdline", "kind", "address", "port", "target_port", "exposed_on", "remote", "cause", "fix", "advice"} {
		if _, ok := m[k]; !ok {
			t.Errorf("relay JSON lacks %q: %s", k, b)
		}
	}
}

func TestRelayAdviceCommands(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"socat TCP-LISTEN:9000,fork TCP:127.0.0.1:8000", "socat TCP-LISTEN:9000,bind=127.0.0.1,fork TCP:127.0.0.1:8000"},
		{"socat TCP-LISTEN:9000,bind=0.0.0.0 TCP:127.0.0.1:8000", "socat TCP-LISTEN:9000,bind=127.0.0.1 TCP:127.0.0.1:8000"},
		{"socat TCP6-LISTEN:9000 TCP:127.0.0.1:8000", "socat TCP6-LISTEN:9000,bind=[::1] TCP:127.0.0.1:8000"},
	} {
		if got := strings.Join(socatLoopback(strings.Fields(tc.in)), " "); got != tc.want {
			t.Errorf("socat: %q\ngot  %q\nwant %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"ssh -g -L 9000:localhost:8000 me@localhost", "ssh -L 127.0.0.1:9000:localhost:8000 me@localhost"},
		{"ssh -NgL9000:localhost:8000 me@localhost", "ssh -NL127.0.0.1:9000:localhost:8000 me@localhost"},
		{"ssh -Ng -L 0.0.0.0:9000:[::1]:8000 me@localhost", "ssh -N -L 127.0.0.1:9000:[::1]:8000 me@localhost"},
		{"ssh -g -p 22 -i key -L9000:localhost:8000 me@localhost", "ssh -p 22 -i key -L127.0.0.1:9000:localhost:8000 me@localhost"},
	} {
		if got := strings.Join(sshLoopback(strings.Fields(tc.in)), " "); got != tc.want {
			t.Errorf("ssh: %q\ngot  %q\nwant %q", tc.in, got, tc.want)
		}
	}
}

// FuzzRelayAdvice: the loopback advice of any command line is written
// without a panic.
func FuzzRelayAdvice(f *testing.F) {
	for _, s := range []string{"socat\x00TCP-LISTEN:9000,fork\x00TCP:127.0.0.1:8000", "ssh\x00-NgL[::]:9000:[::1]:8000\x00me@host",
		"ssh\x00-R\x000.0.0.0:80:localhost:8000\x00vps", "socat\x00TCP6-LISTEN:9000\x00TCP:[::1]:8000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		sshLoopback(strings.Split(s, "\x00"))
		socatLoopback(strings.Split(s, "\x00"))
	})
}

// TestRelaysText: the terminal's verdict lists where a relay can be
// reached, and a tunnel's far end.
func TestRelaysText(t *testing.T) {
	local := fm("127.0.0.1", 8000, StartPythonModule, "python3 -m app.main", backendA, "HOST=127.0.0.1\n")
	v := Judge(Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{local}, Interfaces: judgeIfaces, Relays: []RelayFacts{
		relay("socat", "socat TCP-LISTEN:9000 TCP:127.0.0.1:8000", "0.0.0.0", 9000, 8000, ""),
		relay("ssh", "ssh -R 9000:localhost:8000 vps", "", 9000, 8000, "203.0.113.7:22")}})
	text := v.Text(false)
	for _, want := range []string{"reachable through socat (pid 4711): http://192.168.1.23:9000 on wlan0 (lan)", "reachable through ssh (pid 4711): the far end of the tunnel, 203.0.113.7:22"} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks %q:\n%s", want, text)
		}
	}
}

// checkSocatRelayExposed wants socat reported as a proxy from 9000 to 8000 on every address, with the URL a neighbour types, beside FlowMeter's own socket only.
func checkSocatRelayExposed(t *testing.T, v Verdict) {
	r := v.Relays[0]
	if r.Kind != RelayProxy || r.Port != 9000 || r.TargetPort != 8000 || r.Address != "0.0.0.0" || r.Cause != CauseCommandLine || r.Advice == "" {
		t.Errorf("relay %+v", r)
	}
	if !slices.ContainsFunc(r.ExposedOn, func(e Exposure) bool { return e.URL == "http://192.168.1.23:9000" && !e.Trusted }) {
		t.Errorf("exposures %+v: want the URL a neighbour types", r.ExposedOn)
	}
	if len(v.Listeners) != 1 || v.Listeners[0].Port != 8000 {
		t.Errorf("listeners %+v: FlowMeter's own socket only", v.Listeners)
	}
}

// checkRelayOnTrustedOnly wants the relay listed with every network it reaches trusted.
func checkRelayOnTrustedOnly(t *testing.T, v Verdict) {
	if len(v.Relays) != 1 || slices.ContainsFunc(v.Relays[0].ExposedOn, func(e Exposure) bool { return !e.Trusted }) {
		t.Errorf("relays %+v: want the relay listed, every network trusted", v.Relays)
	}
}

// checkTunnelBeyond wants a tunnel reported with its remote end and no local exposure.
func checkTunnelBeyond(t *testing.T, v Verdict) {
	if r := v.Relays[0]; r.Kind != RelayTunnel || r.Remote != "203.0.113.7:22" || len(r.ExposedOn) != 0 || r.Address != "" {
		t.Errorf("tunnel %+v", r)
	}
}

// checkContainerRelay wants a container's published port reported as such, with its fix.
func checkContainerRelay(t *testing.T, v Verdict) {
	if r := v.Relays[0]; r.Kind != RelayContainer || r.Cause != CauseContainer || r.Fix == "" {
		t.Errorf("container relay %+v", r)
	}
}

// checkMessageSays wants every wantIn in the message and no wantNot.
func checkMessageSays(t *testing.T, message string, wantIn, wantNot []string) {
	t.Helper()
	for _, s := range wantIn {
		if !strings.Contains(message, s) {
			t.Errorf("message %q lacks %q", message, s)
		}
	}
	for _, s := range wantNot {
		if strings.Contains(message, s) {
			t.Errorf("message %q has %q", message, s)
		}
	}
}
