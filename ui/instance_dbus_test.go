//go:build linux

package ui

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/godbus/dbus/v5"

	"localguard/testdata/privatebus"
)

// privateBus starts a session bus of the test's own and returns its
// address.
func privateBus(t *testing.T) string {
	t.Helper()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("CI installs dbus (dbus-daemon) for the single-instance test")
		}
		t.Skip("dbus-daemon (Debian's dbus) is not installed")
	}
	return privatebus.Start(t, daemon, "--session")
}

// TestSecondStartHandsOver: a second Localguard, a process of its own on
// the same session bus, finds the first, has it open its window on the
// install it was given, and ends with errRunning; once the first is gone,
// a start is the first again.
func TestSecondStartHandsOver(t *testing.T) {
	instanceName = testInstanceName
	t.Cleanup(func() { instanceName = busName })
	addr := privateBus(t)
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	opened := make(chan string, 4)
	release, err := claimOn(conn, "", func(env string) { opened <- env })
	if err != nil {
		t.Fatalf("the first start: %v", err)
	}

	second := func(env string) (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run", "^$")
		cmd.Env = append(os.Environ(), "DBUS_SESSION_BUS_ADDRESS="+addr, "LOCALGUARD_TEST_SECOND="+env)
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	}
	out, err := second("/home/ana/FlowMeter/backend/.env")
	if err == nil || out != errRunning.Error() {
		t.Fatalf("the second start: %q (%v), want %q", out, err, errRunning)
	}
	select {
	case env := <-opened:
		if env != "/home/ana/FlowMeter/backend/.env" {
			t.Errorf("the first was asked to open %q", env)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the first Localguard was not asked to open its window")
	}

	release()
	if out, err := second(""); err != nil || out != "first" {
		t.Errorf("a start after the first ended: %q (%v), want to be the first", out, err)
	}
}
