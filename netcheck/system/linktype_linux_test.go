package system

import (
	"os"
	"path/filepath"
	"testing"
)

// TestLinkType: an interface NetworkManager does not name is named from
// what /sys/class/net says of its hardware: a fixture tree of a Wi-Fi
// card, a wired card, a bridge and a veth.
func TestLinkType(t *testing.T) {
	root := t.TempDir()
	write := func(iface, name, content string) {
		t.Helper()
		dir := filepath.Join(root, iface)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mkdir := func(iface, name string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(root, iface, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write("wlan0", "uevent", "DEVTYPE=wlan\nINTERFACE=wlan0\nIFINDEX=3\n")
	write("wlan0", "type", "1\n")
	mkdir("wlan0", "device")
	write("wlp2s0", "uevent", "INTERFACE=wlp2s0\n") // an old driver: only the wireless folder
	write("wlp2s0", "type", "1\n")
	mkdir("wlp2s0", "wireless")
	mkdir("wlp2s0", "device")
	write("eth0", "uevent", "INTERFACE=eth0\nIFINDEX=2\n")
	write("eth0", "type", "1\n")
	mkdir("eth0", "device")
	write("docker0", "uevent", "DEVTYPE=bridge\nINTERFACE=docker0\n")
	write("docker0", "type", "1\n")
	write("veth1", "uevent", "INTERFACE=veth1\n")
	write("veth1", "type", "1\n")
	old := sysClassNet
	sysClassNet = root
	defer func() { sysClassNet = old }()
	for iface, want := range map[string]string{"wlan0": "Wi-Fi", "wlp2s0": "Wi-Fi", "eth0": "Ethernet", "docker0": "", "veth1": "", "missing0": ""} {
		if got := linkType(iface); got != want {
			t.Errorf("%s: %q, want %q", iface, got, want)
		}
		if got := linkProfile(iface).Words(); want == "Ethernet" && got != "wired network" || want == "Wi-Fi" && got != "Wi-Fi" {
			t.Errorf("%s is named %q", iface, got)
		}
	}
}
