package system

import (
	"os"
	"os/exec"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"

	"localguard/testdata/privatebus"
)

// TestNetworkProfilesFromNetworkManager runs a real D-Bus daemon as the
// system bus, with a stand-in for NetworkManager on it that has a Wi-Fi, a
// wired and a VPN connection active, and reads the networks' names the way
// Localguard does.
func TestNetworkProfilesFromNetworkManager(t *testing.T) {
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		missing(t, "dbus-daemon (Debian's dbus) is not installed")
	}
	addr := privatebus.Start(t, daemon, "--session")

	nm, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nm.Close()
	if reply, err := nm.RequestName(nmService, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("taking NetworkManager's name: %v %v", reply, err)
	}
	// Each object's properties, by interface, exported at once.
	objects := map[dbus.ObjectPath]prop.Map{}
	export := func(path dbus.ObjectPath, iface string, props map[string]any) {
		m := map[string]*prop.Prop{}
		for k, v := range props {
			m[k] = &prop.Prop{Value: v, Emit: prop.EmitFalse}
		}
		if objects[path] == nil {
			objects[path] = prop.Map{}
		}
		objects[path][iface] = m
	}
	const base = nmPath
	export(base, nmService, map[string]any{"ActiveConnections": []dbus.ObjectPath{base + "/ActiveConnection/1", base + "/ActiveConnection/2", base + "/ActiveConnection/3"}})
	export(base+"/ActiveConnection/1", nmActive, map[string]any{"Id": "Costa-Guest 2", "Type": "802-11-wireless", "Devices": []dbus.ObjectPath{base + "/Devices/3"}})
	export(base+"/ActiveConnection/2", nmActive, map[string]any{"Id": "Wired connection 1", "Type": "802-3-ethernet", "Devices": []dbus.ObjectPath{base + "/Devices/2"}})
	export(base+"/ActiveConnection/3", nmActive, map[string]any{"Id": "corp", "Type": "wireguard", "Devices": []dbus.ObjectPath{base + "/Devices/4"}})
	export(base+"/Devices/3", nmDevice, map[string]any{"Interface": "wlan0"})
	export(base+"/Devices/3", nmWireless, map[string]any{"ActiveAccessPoint": dbus.ObjectPath(base + "/AccessPoint/7")})
	export(base+"/AccessPoint/7", nmAP, map[string]any{"Ssid": []byte("Costa-Guest")})
	export(base+"/Devices/2", nmDevice, map[string]any{"Interface": "eth0"})
	export(base+"/Devices/4", nmDevice, map[string]any{"Interface": "wg0"})
	for path, m := range objects {
		if _, err := prop.Export(nm, path, m); err != nil {
			t.Fatal(err)
		}
	}

	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", addr)
	got := NetworkProfiles()
	want := map[string]string{"wlan0": "Wi-Fi \u201cCosta-Guest\u201d", "eth0": "wired network", "wg0": "VPN \u201ccorp\u201d"}
	for iface, words := range want {
		if g := got[iface].Words(); g != words {
			t.Errorf("%s: %q, want %q (%+v)", iface, g, words, got[iface])
		}
	}
	if len(got) != len(want) {
		t.Errorf("profiles %+v", got)
	}

	// No NetworkManager: no names, and no error.
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path="+os.DevNull)
	if got := NetworkProfiles(); len(got) != 0 {
		t.Errorf("without NetworkManager: %+v", got)
	}
}
