package privatebus

import (
	"os/exec"
	"testing"

	"github.com/godbus/dbus/v5"

	"localguard/testdata/need"
)

// TestStart starts a session bus, takes a name on it from one connection
// and finds it from another; once the test that started it has ended, the
// bus is gone.
func TestStart(t *testing.T) {
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		need.Missing(t, "dbus", "dbus-daemon (Debian's dbus) is not installed")
	}
	var addr string
	t.Run("bus", func(t *testing.T) {
		addr = Start(t, daemon, "--session")
		a, b := connect(t, addr), connect(t, addr)
		if reply, err := a.RequestName("org.localguard.Test", dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
			t.Fatalf("taking a name: %v %v", reply, err)
		}
		var owner string
		if err := b.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, "org.localguard.Test").Store(&owner); err != nil || owner != a.Names()[0] {
			t.Errorf("the name's owner seen from another connection: %q %v, want %q", owner, err, a.Names()[0])
		}
	})
	if conn, err := dbus.Connect(addr); err == nil {
		conn.Close()
		t.Errorf("the bus at %s still answers after its test ended", addr)
	}
}

func connect(t *testing.T, addr string) *dbus.Conn {
	t.Helper()
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}
