package netcheck

import (
	"net/netip"
	"strings"

	"localguard/netcheck/system"
)

// guestKinds are the Linux link kinds whose far end is on this computer: a
// veth's peer is another network namespace here (a container), a tap is a
// virtual machine's network card (or nothing, while none holds it), a dummy
// leads nowhere. Every other kind (a vxlan, gretap, geneve or wireguard
// tunnel, a vlan, bond or macvlan on a network card) carries frames beyond
// this computer, and a kind Localguard does not know is taken to do so.
var guestKinds = map[string]bool{"veth": true, "tun": true, "dummy": true}

// guestAdapters are the Windows adapter descriptions of a virtual switch's
// host side (WSL's and Hyper-V's vEthernet, VirtualBox's host-only,
// VMware's VMnet adapters). An external Hyper-V switch shares its host
// adapter with the network card it joins, and carries that network's
// default gateway: that is the network it joins, not a guests' one.
var guestAdapters = []string{"hyper-v virtual ethernet adapter", "virtualbox host-only ethernet adapter", "vmware virtual ethernet adapter"}

// GuestsOnly reports whether only this computer's own containers and
// virtual machines are on an interface's network, from what the system
// says it is made of (never from its name): on Linux a bridge whose
// members all end on this computer (none yet counts: a bridge Docker made
// before its first container); on Windows a virtual switch's host adapter
// without a default gateway. gateway is the interface's IPv4 default
// gateway, nil when it has none.
func GuestsOnly(l system.Link, gateway *system.Gateway) bool {
	switch {
	case !l.Known:
		return false
	case l.Kind == "bridge":
		for _, m := range l.Members {
			if m.Hardware || !guestKinds[m.Kind] {
				return false
			}
		}
		return true
	case l.Description != "":
		d := strings.ToLower(l.Description)
		for _, g := range guestAdapters {
			if strings.HasPrefix(d, g) {
				return gateway == nil
			}
		}
	}
	return false
}

// classify says what kind of network an address of an interface is on: a
// network of this computer's own guests when GuestsOnly says so, else as
// ClassifyAddr says.
func classify(si system.Interface, a netip.Addr) AddrKind {
	if !a.Unmap().IsLoopback() && GuestsOnly(si.Link, si.Gateway) {
		return KindVirtual
	}
	return ClassifyAddr(si.Name, si.Flags, a)
}

// guestNames are hints of what made a guests' network, for its name in
// the window: they name, they never decide.
var guestNames = []struct{ prefix, who string }{
	{"docker", "Docker"}, {"br-", "Docker"}, {"virbr", "libvirt"}, {"cni-podman", "Podman"}, {"podman", "Podman"},
	{"lxcbr", "LXC"}, {"lxdbr", "LXD"}, {"incusbr", "Incus"}, {"vethernet (wsl", "WSL"}, {"vethernet", "Hyper-V"},
	{"vboxnet", "VirtualBox"}, {"virtualbox", "VirtualBox"}, {"vmnet", "VMware"}, {"vmware", "VMware"},
}

// GuestsHint is who likely made a guests' network (Docker, libvirt,
// Podman, WSL, Hyper-V...), guessed from its interface's name; "" when the
// name says nothing.
func GuestsHint(iface string) string {
	n := strings.ToLower(iface)
	for _, g := range guestNames {
		if strings.HasPrefix(n, g.prefix) {
			return g.who
		}
	}
	return ""
}
