package netcheck

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
}

// NetworkProfiles returns the profile of every connected network by
// interface name (as Interface.Name gives it). It is empty where the
// system has no such notion (Linux, macOS) or does not answer.
func NetworkProfiles() map[string]NetworkProfile { return networkProfiles() }
