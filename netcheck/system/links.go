package system

// Link is what the system says an interface is made of: enough to tell a
// network that only this computer's own containers and virtual machines
// are on from one that joins another network. netcheck decides; this only
// reports.
type Link struct {
	// Known is false when the system said nothing about the interface.
	Known bool
	// Kind is the driver kind Linux reports for a software interface
	// (netlink's IFLA_INFO_KIND: bridge, veth, tun, vxlan, dummy, vlan,
	// bond, wireguard...); "" for a hardware adapter, and elsewhere.
	Kind string
	// Hardware is true when a device on a bus stands behind the interface
	// (Linux: netlink's parent device, what /sys/devices/virtual/net does
	// not hold).
	Hardware bool
	// Members are a bridge's ports (the links whose master it is, what
	// /sys/class/net/BRIDGE/brif lists); nil for anything but a bridge.
	Members []LinkMember
	// Description is the adapter's description on Windows ("Hyper-V
	// Virtual Ethernet Adapter"), "" elsewhere.
	Description string
}

// LinkMember is one port of a bridge.
type LinkMember struct {
	Name     string
	Kind     string
	Hardware bool
}

// Links reads what each interface is made of, by name; nil where the
// system does not say (elsewhere than Linux and Windows).
func Links() map[string]Link { return readLinks() }
