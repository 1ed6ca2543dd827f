package netcheck

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"localguard/netcheck/firewall"
	"localguard/testdata/privatebus"
)

// firewalld from Debian's package, for real: a private system bus (a
// dbus-daemon of the test's own, policy open), firewalld --nofork on it in
// the test's own network namespace (it writes its nftables rules there),
// configured at run time with firewall-cmd, judged from the neighbours'
// side on two networks.

// busConfig is a system bus of the test's own.
const busConfig = `<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=%s</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_destination="*"/>
    <allow receive_sender="*"/>
  </policy>
</busconfig>
`

// startFirewalld starts the bus and firewalld on it, points the system bus
// there, and waits until firewalld runs.
func startFirewalld(t *testing.T) {
	t.Helper()
	for _, p := range []string{"firewalld", "firewall-cmd", "dbus-daemon"} {
		if _, err := exec.LookPath(p); err != nil {
			missing(t, "%s is not installed (Debian's firewalld and dbus)", p)
		}
	}
	dir := t.TempDir()
	conf := filepath.Join(dir, "bus.conf")
	if err := os.WriteFile(conf, fmt.Appendf(nil, busConfig, filepath.Join(dir, "bus")), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", privatebus.Start(t, "dbus-daemon", "--config-file="+conf))
	etc := filepath.Join(dir, "etc")
	os.Mkdir(etc, 0o755)
	log := &lockedBuffer{}
	fwd := exec.Command("firewalld", "--nofork", "--nopid", "--system-config", etc)
	fwd.Stdout, fwd.Stderr = log, log
	if err := fwd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fwd.Process.Kill(); fwd.Wait() })
	deadline := time.Now().Add(60 * time.Second)
	for exec.Command("firewall-cmd", "--state").Run() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("firewalld does not run; its output:\n%s", log)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func TestFirewalldNeighbourSide(t *testing.T) {
	needUvicorn(t)
	if !inOwnNetns(t) {
		return
	}
	a, b := newLAN(t), newLANn(t, 1)
	startFirewalld(t)
	port := freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	c := start(t, backend, python, childEnv(), "python3", "-m", "app.main")
	c.waitFlowMeter(t, lo4, port)
	envPath := backend + "/.env"
	pid := int32(c.cmd.Process.Pid)
	p := fmt.Sprint(port)
	for _, tc := range []struct {
		fwCase
		cmds [][]string
	}{
		{fwCase{name: "both networks in the default zone (public), the port not open", wantA: firewall.Blocked, wantB: firewall.Blocked}, nil},
		{fwCase{name: "one network in zone home with the port open", readsB: true, wantA: firewall.Blocked, wantB: firewall.Allowed},
			[][]string{{"--zone=home", "--add-interface=" + b.iface}, {"--zone=home", "--add-port=" + p + "/tcp"}}},
		// firewalld lets that neighbour in; the nftables rule it wrote matches
		// on the neighbour's address, so for a neighbour on that network it
		// may or may not: unknown, exposed.
		{fwCase{name: "a rich rule lets the other network's neighbour in too", readsA: true, readsB: true, wantA: firewall.Unknown, wantB: firewall.Allowed},
			[][]string{{"--zone=public", "--add-rich-rule=rule family=ipv4 source address=" + peerOf(a) + "/32 port port=" + p + " protocol=tcp accept"}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, args := range tc.cmds {
				shell(t, "", "firewall-cmd", args...)
			}
			checkFirewallCase(t, tc.fwCase, a, b, port, envPath, pid)
		})
	}
}

// peerOf is the neighbour's address on n.
func peerOf(n lan) string {
	b := n.v4.As4()
	b[3] = 2
	return fmt.Sprintf("%d.%d.%d.%d", b[0], b[1], b[2], b[3])
}
