package relay

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestQuietEvidence: what counts as a holder naming FlowMeter's port on
// this computer: a renamed socat's address, a script's bare port, an
// --upstream=host:port, and in the files it names rinetd's and haproxy's
// lines and a Python script's tuple; another host's port, or a port named
// nowhere, does not.
func TestQuietEvidence(t *testing.T) {
	own := func(a netip.Addr) bool { return a.IsLoopback() || a == netip.MustParseAddr("192.168.1.23") }
	for _, tc := range []struct {
		cmdline string
		want    int
	}{
		{"portbridge TCP-LISTEN:9100,fork,reuseaddr TCP:127.0.0.1:8000", 8000},
		{"socat TCP-LISTEN:9100,fork TCP:localhost:8000", 8000},
		{"python3 proxy.py 9100 8000", 8000},
		{"relayd --upstream=[::1]:8000", 8000},
		{"relayd --upstream 192.168.1.23:8000", 8000},
		{"relayd --upstream example.org:8000", 0},
		{"relayd --upstream 203.0.113.7:8000", 0},
		{"cupsd -l", 0},
		{"lpd -p 9100", 0},
	} {
		got := firstTarget(argPorts(strings.Fields(tc.cmdline), own), map[int]bool{8000: true})
		if got != tc.want {
			t.Errorf("%s: %d, want %d", tc.cmdline, got, tc.want)
		}
	}
	dir := t.TempDir()
	files := map[string]string{
		"rinetd.conf": "# rinetd\n0.0.0.0 9100 127.0.0.1 8000\n",
		"haproxy.cfg": "frontend in\n  bind 0.0.0.0:9100\n  default_backend fm\nbackend fm\n  server fm 127.0.0.1:8000\n",
		"proxy.py":    "UP = (\"127.0.0.1\", 8000)\n",
		"other.cfg":   "backend b\n  server s example.org:8000\n  server t 10.1.2.3:8000\n",
		"spool.conf":  "Listen 0.0.0.0:9100\n",
		"binary.bin":  "127.0.0.1:8000\x00\x01",
	}
	for n, text := range files {
		write(t, filepath.Join(dir, n), text)
	}
	for n, want := range map[string]int{"rinetd.conf": 8000, "haproxy.cfg": 8000, "proxy.py": 8000, "other.cfg": 0, "spool.conf": 0, "binary.bin": 0} {
		if got := firstTarget(filePorts(filepath.Join(dir, n), own), map[int]bool{8000: true}); got != want {
			t.Errorf("%s: %d, want %d", n, got, want)
		}
	}
	got := namedFiles([]string{"haproxy", "-db", "-f", "haproxy.cfg", "--conf=proxy.py", "missing.cfg", dir}, dir, "")
	want := []string{filepath.Join(dir, "haproxy.cfg"), filepath.Join(dir, "proxy.py")}
	if !slices.Equal(got, want) {
		t.Errorf("named files %q, want %q (regular files only, relative to the folder)", got, want)
	}
	if got := namedFiles([]string{"rinetd", "-f"}, "/", ""); !slices.Contains(got, "/etc/rinetd.conf") && fileExists("/etc/rinetd.conf") {
		t.Errorf("rinetd without -c: %q, want its /etc/rinetd.conf", got)
	}
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
