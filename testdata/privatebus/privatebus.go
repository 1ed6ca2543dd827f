// Package privatebus starts a D-Bus daemon of a test's own (Debian's
// dbus-daemon), so that a test can serve a stand-in (firewalld,
// NetworkManager, a second Localguard) or run a real service on a bus no
// one else uses, and point Localguard at it through
// DBUS_SYSTEM_BUS_ADDRESS or DBUS_SESSION_BUS_ADDRESS.
//
// Finding dbus-daemon, and what a test does without it, stays with the
// test:
//
//	daemon, err := exec.LookPath("dbus-daemon")
//	if err != nil {
//		t.Skip("dbus-daemon (Debian's dbus) is not installed")
//	}
//	addr := privatebus.Start(t, daemon, "--session")
package privatebus

import (
	"bufio"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// Start runs the dbus-daemon at daemon with args (such as "--session" or
// "--config-file=PATH") in the foreground, printing its address, until the
// test ends, and returns the address it listens on.
func Start(t testing.TB, daemon string, args ...string) string {
	t.Helper()
	cmd := exec.Command(daemon, slices.Concat(args, []string{"--nofork", "--print-address"})...)
	out, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(addr)
}
