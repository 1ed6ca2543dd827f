package system

import (
	"os"
	"path/filepath"
	"strings"
)

// sysClassNet is where Linux describes each network interface.
var sysClassNet = "/sys/class/net"

// linkType says from /sys/class/net whether an interface is Wi-Fi (it has
// a wireless folder, or its uevent says DEVTYPE=wlan) or wired Ethernet
// (a device behind it, of ARP type 1, and no DEVTYPE of a virtual kind);
// "" for anything else: loopback, bridges, veths, tunnels.
func linkType(iface string) string {
	dir := filepath.Join(sysClassNet, iface)
	uevent, _ := os.ReadFile(filepath.Join(dir, "uevent"))
	arp, _ := os.ReadFile(filepath.Join(dir, "type"))
	_, wlErr := os.Stat(filepath.Join(dir, "wireless"))
	_, devErr := os.Stat(filepath.Join(dir, "device"))
	return linkTypeOf(string(uevent), strings.TrimSpace(string(arp)), wlErr == nil, devErr == nil)
}

// linkTypeOf decides from the facts linkType reads.
func linkTypeOf(uevent, arpType string, wireless, device bool) string {
	devtype := ""
	for _, line := range strings.Split(uevent, "\n") {
		if v, ok := strings.CutPrefix(line, "DEVTYPE="); ok {
			devtype = strings.TrimSpace(v)
		}
	}
	switch {
	case wireless || devtype == "wlan":
		return "Wi-Fi"
	case device && arpType == "1" && devtype == "":
		return "Ethernet"
	}
	return ""
}
