package system

import (
	"github.com/godbus/dbus/v5"
)

// NetworkManager's D-Bus names.
const (
	nmService  = "org.freedesktop.NetworkManager"
	nmPath     = "/org/freedesktop/NetworkManager"
	nmActive   = nmService + ".Connection.Active"
	nmDevice   = nmService + ".Device"
	nmWireless = nmService + ".Device.Wireless"
	nmAP       = nmService + ".AccessPoint"
)

// networkProfiles asks NetworkManager, on the system bus, for its active
// connections: each names its devices (interfaces), its kind and its name;
// a Wi-Fi's name is the SSID of its access point. Without NetworkManager
// (a server, another network daemon) it is empty: the window then names
// networks by their interfaces.
func networkProfiles() map[string]NetworkProfile {
	conn, err := dbus.ConnectSystemBus()
	if err != nil {
		return nil
	}
	defer conn.Close()
	nm := conn.Object(nmService, nmPath)
	var active []dbus.ObjectPath
	if v, err := nm.GetProperty(nmService + ".ActiveConnections"); err != nil || v.Store(&active) != nil {
		return nil
	}
	out := map[string]NetworkProfile{}
	for _, path := range active {
		ac := conn.Object(nmService, path)
		var id, typ string
		var devices []dbus.ObjectPath
		getProp(ac, nmActive+".Id", &id)
		getProp(ac, nmActive+".Type", &typ)
		getProp(ac, nmActive+".Devices", &devices)
		for _, d := range devices {
			dev := conn.Object(nmService, d)
			var iface string
			if !getProp(dev, nmDevice+".Interface", &iface) || iface == "" {
				continue
			}
			p := NetworkProfile{Name: id, Type: connectionType(typ)}
			if p.Type == "Wi-Fi" {
				var ap dbus.ObjectPath
				var ssid []byte
				if getProp(dev, nmWireless+".ActiveAccessPoint", &ap) && ap != "/" &&
					getProp(conn.Object(nmService, ap), nmAP+".Ssid", &ssid) && len(ssid) > 0 {
					p.Name = string(ssid)
				}
			}
			out[iface] = p
		}
	}
	return out
}

// getProp reads one property into v, reporting whether it could.
func getProp(o dbus.BusObject, name string, v any) bool {
	p, err := o.GetProperty(name)
	return err == nil && p.Store(v) == nil
}

// connectionType names NetworkManager's connection types for people.
func connectionType(t string) string {
	switch t {
	case "802-11-wireless":
		return "Wi-Fi"
	case "802-3-ethernet":
		return "Ethernet"
	case "vpn", "wireguard", "tun", "openvpn":
		return "VPN"
	}
	return ""
}
