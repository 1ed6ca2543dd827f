package system

// NetworkProfile is a network as the system names it for people, beside
// an interface: the name Windows shows (the Network List Manager's profile
// name, often the Wi-Fi's SSID) and the firewall category Windows gives it.
// Read-only: Localguard never changes either.
type NetworkProfile struct {
	// Name is the network's name, "" when the system does not say.
	Name string
	// Category is Windows Firewall's network category: "Public",
	// "Private" or "Domain"; "" when unknown.
	Category string
	// Type is what kind of network it is for people: "Wi-Fi",
	// "Ethernet", "VPN", or "" when the system does not say.
	Type string
}

// Words names the network as people know it: Wi-Fi "Costa-Guest", wired
// network, VPN "corp", Wi-Fi (when its name is not known); "" when the
// system says nothing of it.
func (p NetworkProfile) Words() string {
	switch {
	case p.Type == "Ethernet":
		// NetworkManager's names of wired connections ("Wired connection
		// 1") name no network a person knows.
		return "wired network"
	case p.Type != "" && p.Name != "":
		return p.Type + " \u201c" + p.Name + "\u201d"
	case p.Name != "":
		return "\u201c" + p.Name + "\u201d"
	}
	return p.Type
}

// NetworkProfiles returns the profile of every connected network by
// interface name (as Interface.Name gives it): from the Network List
// Manager on Windows, from NetworkManager (over D-Bus) on Linux. It is
// empty where the system has no such notion (macOS) or does not answer.
func NetworkProfiles() map[string]NetworkProfile { return networkProfiles() }

// linkProfile is what an interface's own hardware says of its network,
// for an interface the system's profiles do not name: Wi-Fi or Ethernet
// (Type only); nothing for a virtual one (a bridge, a tunnel, a veth).
func linkProfile(iface string) NetworkProfile { return NetworkProfile{Type: linkType(iface)} }
