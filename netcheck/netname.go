package netcheck

// networkNames names each interface's network for people, as the system
// does (Wi-Fi "Costa-Guest", wired network), by interface name.
func networkNames(ifaces []Interface) map[string]string {
	names := map[string]string{}
	for _, it := range ifaces {
		names[it.Name] = it.Profile.Words()
	}
	return names
}

// networkName is the name an exposure's network goes by: the system's,
// or, for a bridge of this computer's own containers and virtual machines,
// what is on it; "" when neither says (the window then names it by its
// interface).
func networkName(names map[string]string, iface string, kind AddrKind) string {
	if n := names[iface]; n != "" {
		return n
	}
	if kind == KindVirtual {
		return "containers on this computer"
	}
	return ""
}
