package netcheck

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// TestPortProxyRelay: an entry of the port proxy, written into the
// registry with reg add (Wine's own reg.exe under Wine; an administrator's
// on Windows), that points to a FlowMeter stand-in's port makes the
// listener on its port a relay named with the netsh command that removes
// it. The IP Helper service (which Wine lacks) is played by the test: it
// listens on the entry's port and passes connections on to FlowMeter.
func TestPortProxyRelay(t *testing.T) {
	port, listen := unusedPort(t), unusedPort(t)
	backend := filepath.Join(t.TempDir(), "FlowMeter", "backend")
	if err := os.MkdirAll(backend, 0o755); err != nil {
		t.Fatal(err)
	}
	// Under Wine no socket names its owner: the port in the .env tells
	// the scan where to ask.
	if err := os.WriteFile(filepath.Join(backend, ".env"), []byte(fmt.Sprintf("PORT=%d\n", port)), 0o644); err != nil {
		t.Fatal(err)
	}
	startStandIn(t, backend, port)
	ipHelper(t, listen, port)
	key := `HKLM\SYSTEM\CurrentControlSet\Services\PortProxy\v4tov4\tcp`
	name := fmt.Sprintf("0.0.0.0/%d", listen)
	if out, err := exec.Command("reg", "add", key, "/v", name, "/t", "REG_SZ", "/d", fmt.Sprintf("127.0.0.1/%d", port), "/f").CombinedOutput(); err != nil {
		t.Skipf("cannot write the port proxy's registry key (an administrator can): %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command("reg", "delete", key, "/v", name, "/f").Run() })
	want := fmt.Sprintf("netsh interface portproxy delete v4tov4 listenport=%d listenaddress=0.0.0.0", listen)
	c := &Checker{EnvPath: filepath.Join(backend, ".env")}
	var v Verdict
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		v = c.Check(context.Background())
		for _, r := range v.Relays {
			if r.Fix == want {
				t.Logf("check: %s: %s", v.Status, v.Message)
				if r.PID != 0 || !r.Confirmed || r.TargetPort != port {
					t.Errorf("relay %+v", r)
				}
				return
			}
		}
	}
	t.Fatalf("no port proxy relay (%s): %s: %s\nrelays %+v", want, v.Status, v.Message, v.Relays)
}

// ipHelper plays the IP Helper service's listener of a port proxy entry:
// on 0.0.0.0:listen, passing every connection to 127.0.0.1:port.
func ipHelper(t *testing.T, listen, port int) {
	t.Helper()
	l, err := net.Listen("tcp4", "0.0.0.0:"+strconv.Itoa(listen))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func() {
				defer c.Close()
				up, err := net.Dial("tcp4", "127.0.0.1:"+strconv.Itoa(port))
				if err != nil {
					return
				}
				defer up.Close()
				go io.Copy(up, c)
				io.Copy(c, up)
			}()
		}
	}()
}
