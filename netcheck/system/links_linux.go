package system

import (
	"syscall"
	"unsafe"

	"github.com/mdlayher/netlink"
	"golang.org/x/sys/unix"
)

// readLinks asks the kernel (one netlink dump of RTM_GETLINK) for every
// link of this network namespace: its kind, whether a bus device stands
// behind it, and which bridge it is a port of. Netlink answers for the
// namespace Localguard runs in; /sys/class/net shows the namespace that
// mounted /sys, which need not be the same one.
func readLinks() map[string]Link {
	b, err := syscall.NetlinkRIB(syscall.RTM_GETLINK, syscall.AF_UNSPEC)
	if err != nil {
		return nil
	}
	msgs, err := syscall.ParseNetlinkMessage(b)
	if err != nil {
		return nil
	}
	var raw []rawLink
	for i := range msgs {
		if l, ok := parseLinkMessage(&msgs[i]); ok {
			raw = append(raw, l)
		}
	}
	return assembleLinks(raw)
}

// rawLink is one link as netlink gives it.
type rawLink struct {
	index, master int32
	name, kind    string
	hardware      bool
}

// parseLinkMessage reads one RTM_NEWLINK message.
func parseLinkMessage(m *syscall.NetlinkMessage) (rawLink, bool) {
	if m.Header.Type != syscall.RTM_NEWLINK || len(m.Data) < syscall.SizeofIfInfomsg {
		return rawLink{}, false
	}
	info := (*syscall.IfInfomsg)(unsafe.Pointer(&m.Data[0]))
	attrs, err := syscall.ParseNetlinkRouteAttr(m)
	if err != nil {
		return rawLink{}, false
	}
	l := rawLink{index: info.Index}
	for _, a := range attrs {
		switch a.Attr.Type {
		case unix.IFLA_IFNAME:
			l.name = cString(a.Value)
		case unix.IFLA_MASTER:
			if len(a.Value) >= 4 {
				l.master = *(*int32)(unsafe.Pointer(&a.Value[0]))
			}
		case unix.IFLA_LINKINFO:
			l.kind = linkKind(a.Value)
		case unix.IFLA_PARENT_DEV_NAME:
			l.hardware = true
		}
	}
	return l, l.name != ""
}

// linkKind is IFLA_INFO_KIND inside IFLA_LINKINFO.
func linkKind(b []byte) string {
	d, err := netlink.NewAttributeDecoder(b)
	if err != nil {
		return ""
	}
	for d.Next() {
		if d.Type() == unix.IFLA_INFO_KIND {
			return cString(d.Bytes())
		}
	}
	return ""
}

func cString(b []byte) string {
	for i, c := range b {
		if c == 0 {
			return string(b[:i])
		}
	}
	return string(b)
}

// assembleLinks gives each bridge its members.
func assembleLinks(raw []rawLink) map[string]Link {
	byIndex := map[int32]string{}
	out := map[string]Link{}
	for _, l := range raw {
		byIndex[l.index] = l.name
		out[l.name] = Link{Known: true, Kind: l.kind, Hardware: l.hardware}
	}
	for _, l := range raw {
		br, ok := byIndex[l.master]
		if !ok || l.master == 0 || out[br].Kind != "bridge" {
			continue // a bond's or a VRF's member is no bridge port
		}
		b := out[br]
		b.Members = append(b.Members, LinkMember{Name: l.name, Kind: l.kind, Hardware: l.hardware})
		out[br] = b
	}
	return out
}
