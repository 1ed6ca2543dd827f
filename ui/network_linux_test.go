package ui

import (
	"fmt"
	"os"
	"os/exec"
	"testing"
)

// addNetwork gives a test that needs this machine to be on a network one,
// where it has none but loopback (its own network namespace, as root): a
// veth pair with a private address on one end, gone when the test ends. No
// packet leaves the namespace; Localguard's probes reach only its own
// address there.
func addNetwork(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 || hasNetwork(t) {
		return
	}
	ip, err := exec.LookPath("ip")
	if err != nil {
		return // the test skips, saying there is no network
	}
	name := fmt.Sprintf("lgui%d", os.Getpid()%100000)
	addr := fmt.Sprintf("10.214.%d.1/24", os.Getpid()%200+20)
	for _, args := range [][]string{
		{"link", "add", name, "type", "veth", "peer", "name", name + "p"},
		{"addr", "add", addr, "dev", name},
		{"link", "set", name + "p", "up"},
		{"link", "set", name, "up"},
	} {
		if out, err := exec.Command(ip, args...).CombinedOutput(); err != nil {
			t.Fatalf("ip %v: %v: %s", args, err, out)
		}
	}
	t.Cleanup(func() { exec.Command(ip, "link", "del", name).Run() })
}

// hasNetwork reports whether this machine has an address beyond loopback.
func hasNetwork(t *testing.T) bool {
	_, _, ok := networkAddr(t)
	return ok
}
