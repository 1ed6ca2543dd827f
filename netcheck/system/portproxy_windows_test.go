package system

import (
	"net"
	"os"
	"strings"
	"testing"
)

// TestPortProxiesRegistry reads the entries the Windows stage (.ci/windows)
// wrote with `wine reg add` before the tests, named in
// LOCALGUARD_TEST_PORTPROXY as KIND NAME DATA;... (one per kind).
func TestPortProxiesRegistry(t *testing.T) {
	spec := os.Getenv("LOCALGUARD_TEST_PORTPROXY")
	if spec == "" {
		t.Skip("LOCALGUARD_TEST_PORTPROXY is not set: the Windows stage (.ci/windows) writes port proxy entries with wine reg add and names them there")
	}
	got, err := PortProxies()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range strings.Split(spec, ";") {
		f := strings.Fields(e)
		if len(f) != 3 {
			t.Fatalf("LOCALGUARD_TEST_PORTPROXY: %q is not KIND NAME DATA", e)
		}
		want, ok := ParsePortProxy(f[0], f[1], f[2])
		if !ok {
			t.Fatalf("%q does not parse", e)
		}
		found := false
		for _, p := range got {
			found = found || p == want
		}
		if !found {
			t.Errorf("%+v not read; read %+v", want, got)
		}
	}
	t.Logf("read %+v", got)
}

// TestLinksWindows: every adapter Go lists is described (GetAdaptersAddresses
// by its friendly name, the name Go gives it), so that a vEthernet adapter
// can be told by its description.
func TestLinksWindows(t *testing.T) {
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	links := Links()
	for _, ni := range ifs {
		l, ok := links[ni.Name]
		if !ok || !l.Known {
			t.Errorf("%s: no description read (%+v)", ni.Name, links)
			continue
		}
		t.Logf("%s: %q", ni.Name, l.Description)
	}
}
