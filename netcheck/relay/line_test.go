package relay

import (
	"slices"
	"strings"
	"testing"
)

func TestReadRelayLine(t *testing.T) {
	for _, tc := range []struct {
		cmdline  string
		prog     string
		targets  []int
		forwards map[int]int
		tunnel   bool
	}{
		{"socat TCP-LISTEN:9000,fork,reuseaddr TCP:127.0.0.1:8000", "socat", []int{8000}, map[int]int{8000: 9000}, false},
		{"socat -d -d TCP4-LISTEN:9000 TCP4:localhost:8000,nodelay", "socat", []int{8000}, map[int]int{8000: 9000}, false},
		{"socat TCP-LISTEN:9000 TCP:[::1]:8000", "socat", []int{8000}, map[int]int{8000: 9000}, false},
		{"socat TCP-LISTEN:9000 TCP:example.org:8000", "socat", nil, nil, false},
		{"ssh -g -L 9000:localhost:8000 me@127.0.0.1", "ssh", []int{8000}, map[int]int{8000: 9000}, false},
		{"ssh -NgL0.0.0.0:9000:127.0.0.1:8000 me@localhost", "ssh", []int{8000}, map[int]int{8000: 9000}, false},
		{"ssh -L [::]:9000:[::1]:8000 me@localhost", "ssh", []int{8000}, map[int]int{8000: 9000}, false},
		{"ssh -N -R 9000:localhost:8000 me@vps", "ssh", []int{8000}, map[int]int{8000: 9000}, true},
		{"ssh -R 0.0.0.0:80:127.0.0.1:8000 me@vps", "ssh", []int{8000}, map[int]int{8000: 80}, true},
		{"ssh -p 2222 -i key me@vps", "ssh", nil, nil, false},
		{"cloudflared tunnel --url http://localhost:8000", "cloudflared", []int{8000}, nil, true},
		{"ngrok http 8000", "ngrok", []int{8000}, nil, true},
		{"ngrok http localhost:3000", "ngrok", []int{3000}, nil, true},
		{"node /home/ana/FlowMeter/frontend/node_modules/.bin/vite --host", "vite", nil, nil, false},
		{"kubectl port-forward --address 0.0.0.0 svc/flowmeter 8000:8000", "kubectl", nil, nil, false},
		{"python3 -m http.server", "", nil, nil, false},
	} {
		r := readLine(strings.Fields(tc.cmdline), nil)
		if r.prog != tc.prog || !slices.Equal(r.targets, tc.targets) || r.tunnel != tc.tunnel {
			t.Errorf("%s: %+v", tc.cmdline, r)
		}
		for k, want := range tc.forwards {
			if r.forwards[k] != want {
				t.Errorf("%s: forwards %v, want %v", tc.cmdline, r.forwards, tc.forwards)
			}
		}
	}
}

// FuzzReadRelayLine: any command line reads without a panic, and the ports
// it names are ports.
func FuzzReadRelayLine(f *testing.F) {
	for _, s := range []string{"socat\x00TCP-LISTEN:9000,fork\x00TCP:127.0.0.1:8000", "ssh\x00-NgL[::]:9000:[::1]:8000\x00me@host",
		"ssh\x00-R\x000.0.0.0:80:localhost:8000\x00vps", "ngrok\x00http\x00localhost:3000", "cloudflared\x00tunnel\x00--url\x00http://[::1]:8000/x",
		"docker-proxy\x00-host-ip\x000.0.0.0\x00-host-port\x003000\x00-container-port\x003000", "nginx: master process nginx -c /x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r := readLine(strings.Split(s, "\x00"), nil)
		for _, p := range r.targets {
			if p <= 0 || p > 65535 {
				t.Fatalf("%q: target %d", s, p)
			}
		}
	})
}
