package system

import "github.com/yusufpapurcu/wmi"

// Windows keeps a connection profile per connected network: the name the
// Network List Manager shows, and the firewall category. WMI's
// MSFT_NetConnectionProfile (root\StandardCimv2) gives both, by interface
// alias, which is the name Go gives the interface. The wmi package is the
// one gopsutil already uses.

// msftNetConnectionProfile is the part of MSFT_NetConnectionProfile read.
type msftNetConnectionProfile struct {
	Name            string
	InterfaceAlias  string
	NetworkCategory uint32
}

// networkCategories names NetworkCategory's values as Windows does.
var networkCategories = map[uint32]string{0: "Public", 1: "Private", 2: "Domain"}

// networkProfiles asks WMI; a WMI that does not answer (Wine has no
// root\StandardCimv2) gives none.
func networkProfiles() map[string]NetworkProfile {
	var rows []msftNetConnectionProfile
	if err := wmi.QueryNamespace("SELECT Name, InterfaceAlias, NetworkCategory FROM MSFT_NetConnectionProfile", &rows, `root\StandardCimv2`); err != nil {
		return nil
	}
	out := map[string]NetworkProfile{}
	for _, r := range rows {
		out[r.InterfaceAlias] = NetworkProfile{Name: r.Name, Category: networkCategories[r.NetworkCategory]}
	}
	return out
}

// linkType: Windows names its networks in its profiles; nothing more is
// read of the hardware.
func linkType(string) string { return "" }
