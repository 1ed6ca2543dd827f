package system

import "testing"

// TestParsePortProxy reads the port proxy's registry values as netsh
// writes them: the name LISTENADDRESS/LISTENPORT, the data
// CONNECTADDRESS/CONNECTPORT.
func TestParsePortProxy(t *testing.T) {
	for _, tc := range []struct {
		name, data string
		want       PortProxy
		ok         bool
	}{
		{"0.0.0.0/8080", "172.29.112.5/8000", PortProxy{Kind: "v4tov4", ListenAddr: "0.0.0.0", ListenPort: 8080, ConnectAddr: "172.29.112.5", ConnectPort: 8000}, true},
		{"*/8000", "127.0.0.1/8000", PortProxy{Kind: "v4tov4", ListenAddr: "*", ListenPort: 8000, ConnectAddr: "127.0.0.1", ConnectPort: 8000}, true},
		{"192.168.1.23/9000", "localhost/8000", PortProxy{Kind: "v4tov4", ListenAddr: "192.168.1.23", ListenPort: 9000, ConnectAddr: "localhost", ConnectPort: 8000}, true},
		{"::/8000", "::1/8000", PortProxy{Kind: "v4tov4", ListenAddr: "::", ListenPort: 8000, ConnectAddr: "::1", ConnectPort: 8000}, true},
		{"0.0.0.0/http", "127.0.0.1/8000", PortProxy{Kind: "v4tov4", ListenAddr: "0.0.0.0", ListenPort: 80, ConnectAddr: "127.0.0.1", ConnectPort: 8000}, true},
		{"0.0.0.0/70000", "127.0.0.1/8000", PortProxy{}, false},
		{"0.0.0.0:8080", "127.0.0.1/8000", PortProxy{}, false},
		{"0.0.0.0/8080", "", PortProxy{}, false},
	} {
		got, ok := ParsePortProxy("v4tov4", tc.name, tc.data)
		if ok != tc.ok || got != tc.want {
			t.Errorf("%q = %q: got %+v, %v; want %+v, %v", tc.name, tc.data, got, ok, tc.want, tc.ok)
		}
	}
}

// FuzzParsePortProxy: any value is read or refused, never a panic, and a
// port read is a port.
func FuzzParsePortProxy(f *testing.F) {
	f.Add("0.0.0.0/8080", "127.0.0.1/8000")
	f.Add("*/x", "/")
	f.Fuzz(func(t *testing.T, name, data string) {
		if p, ok := ParsePortProxy("v4tov4", name, data); ok && (p.ListenPort < 1 || p.ListenPort > 65535 || p.ConnectPort < 1 || p.ConnectPort > 65535) {
			t.Fatalf("%+v", p)
		}
	})
}
