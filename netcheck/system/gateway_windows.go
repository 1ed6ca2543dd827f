package system

import (
	"encoding/binary"
	"net"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/windows"
)

// golang.org/x/sys/windows wraps the route table (GetIpForwardTable2) but
// not the neighbour table: GetIpNetTable2 is called through the DLL.
var procGetIPNetTable2 = windows.NewLazySystemDLL("iphlpapi.dll").NewProc("GetIpNetTable2")

const (
	// ipNetRow2Size is sizeof(MIB_IPNET_ROW2) on 64-bit Windows; the rows
	// start 8 bytes into MIB_IPNET_TABLE2 (a count, then alignment).
	ipNetRow2Size   = 88
	ipNetTable2Rows = 8
	// nlNeighborProbe is NL_NEIGHBOR_STATE's first state with a known
	// hardware address (Probe, Delay, Stale, Reachable, Permanent follow).
	nlNeighborProbe = 2
)

// defaultGateways reads the IPv4 default routes (GetIpForwardTable2) and
// the gateways' hardware addresses (GetIpNetTable2), by interface name as
// Go names interfaces on Windows (the adapter's friendly name).
func defaultGateways() map[string]*Gateway {
	var table *windows.MibIpForwardTable2
	if err := windows.GetIpForwardTable2(windows.AF_INET, &table); err != nil {
		return nil
	}
	defer windows.FreeMibTable(unsafe.Pointer(table))
	type route struct {
		gw     *Gateway
		metric uint32
	}
	byIndex := map[uint32]route{}
	for _, r := range table.Rows() {
		if r.DestinationPrefix.PrefixLength != 0 {
			continue
		}
		next := sockaddrInetAddr(&r.NextHop)
		if !next.Is4() || next.IsUnspecified() { // on-link: no gateway
			continue
		}
		if old, seen := byIndex[r.InterfaceIndex]; !seen || r.Metric < old.metric {
			byIndex[r.InterfaceIndex] = route{&Gateway{Addr: next}, r.Metric}
		}
	}
	for index, addr := range neighbours(windows.AF_INET) {
		if r, ok := byIndex[index.ifIndex]; ok && r.gw.Addr == index.addr {
			r.gw.HardwareAddr = addr
		}
	}
	out := map[string]*Gateway{}
	for index, r := range byIndex {
		if ni, err := net.InterfaceByIndex(int(index)); err == nil {
			out[ni.Name] = r.gw
		}
	}
	return out
}

// sockaddrInetAddr is the address of a SOCKADDR_INET.
func sockaddrInetAddr(sa *windows.RawSockaddrInet) netip.Addr {
	b := (*[28]byte)(unsafe.Pointer(sa))
	switch sa.Family {
	case windows.AF_INET:
		return netip.AddrFrom4([4]byte(b[4:8]))
	case windows.AF_INET6:
		return netip.AddrFrom16([16]byte(b[8:24]))
	}
	return netip.Addr{}
}

// neighbourKey is a neighbour table entry's interface and address.
type neighbourKey struct {
	ifIndex uint32
	addr    netip.Addr
}

// neighbours reads the neighbour (ARP) table: the hardware address of every
// neighbour whose address is known.
func neighbours(family uint16) map[neighbourKey]net.HardwareAddr {
	if procGetIPNetTable2.Find() != nil {
		return nil
	}
	var table unsafe.Pointer
	if r, _, _ := procGetIPNetTable2.Call(uintptr(family), uintptr(unsafe.Pointer(&table))); r != 0 {
		return nil
	}
	defer windows.FreeMibTable(table)
	n := *(*uint32)(table)
	rows := unsafe.Slice((*byte)(unsafe.Add(table, ipNetTable2Rows)), int(n)*ipNetRow2Size)
	return parseNeighbours(rows, int(n))
}

// parseNeighbours reads n MIB_IPNET_ROW2 rows: Address (SOCKADDR_INET,
// 0-27), InterfaceIndex (28), InterfaceLuid (32), PhysicalAddress (40-71),
// PhysicalAddressLength (72), State (76).
func parseNeighbours(rows []byte, n int) map[neighbourKey]net.HardwareAddr {
	out := map[neighbourKey]net.HardwareAddr{}
	for i := range n {
		row := rows[i*ipNetRow2Size : (i+1)*ipNetRow2Size]
		sa := (*windows.RawSockaddrInet)(unsafe.Pointer(&row[0]))
		hwLen := binary.LittleEndian.Uint32(row[72:])
		if binary.LittleEndian.Uint32(row[76:]) < nlNeighborProbe || hwLen == 0 || hwLen > 32 {
			continue
		}
		key := neighbourKey{ifIndex: binary.LittleEndian.Uint32(row[28:]), addr: sockaddrInetAddr(sa)}
		out[key] = net.HardwareAddr(append([]byte(nil), row[40:40+hwLen]...))
	}
	return out
}
