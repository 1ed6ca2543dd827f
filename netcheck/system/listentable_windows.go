package system

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"unsafe"

	"golang.org/x/sys/windows"
)

// Windows lists listening sockets with their owners' pids in IP Helper's
// owner-pid tables. golang.org/x/sys/windows does not wrap
// GetExtendedTcpTable, so it is called through the DLL; gopsutil's call
// reads the whole connection table (every established connection too) and
// drops a failed read silently, which would be a partial view taken for
// the whole (issue 10: measured in BenchmarkListenTable).

var procGetExtendedTCPTable = windows.NewLazySystemDLL("iphlpapi.dll").NewProc("GetExtendedTcpTable")

const (
	// tcpTableOwnerPIDListener is TCP_TABLE_OWNER_PID_LISTENER: listening
	// sockets only, with the owning pid.
	tcpTableOwnerPIDListener = 3
	// tcpStateListen is MIB_TCP_STATE_LISTEN.
	tcpStateListen = 2
	// Row sizes of MIB_TCPROW_OWNER_PID and MIB_TCP6ROW_OWNER_PID.
	tcp4RowSize = 24
	tcp6RowSize = 56
)

// listenTable reads the IPv4 and IPv6 listener tables; an unreadable table
// is an error, never an empty list.
func listenTable(context.Context) ([]ownedListener, error) {
	var out []ownedListener
	for _, family := range []uint32{windows.AF_INET, windows.AF_INET6} {
		b, err := extendedTCPTable(family)
		if err == nil {
			out, err = parseTCPTable(out, b, family)
		}
		if err != nil {
			return nil, fmt.Errorf("reading Windows's %s listening sockets (GetExtendedTcpTable): %w", familyName(family), err)
		}
	}
	return out, nil
}

func familyName(family uint32) string {
	if family == windows.AF_INET6 {
		return "IPv6"
	}
	return "IPv4"
}

// extendedTCPTable returns the raw owner-pid listener table of a family.
func extendedTCPTable(family uint32) ([]byte, error) {
	if err := procGetExtendedTCPTable.Find(); err != nil {
		return nil, err
	}
	size := uint32(4096)
	// The table may grow between the call that sizes it and the one that
	// reads it: a few tries, each with the size last asked for and room.
	for range 5 {
		buf := make([]byte, size)
		r, _, _ := procGetExtendedTCPTable.Call(uintptr(unsafe.Pointer(&buf[0])), uintptr(unsafe.Pointer(&size)), 0,
			uintptr(family), tcpTableOwnerPIDListener, 0)
		switch err := windows.Errno(r); err {
		case 0:
			return buf, nil
		case windows.ERROR_INSUFFICIENT_BUFFER:
			size += 1024
		default:
			return nil, err
		}
	}
	return nil, errors.New("the table kept growing while it was read")
}

// parseTCPTable appends the listeners of a MIB_TCPTABLE_OWNER_PID (IPv4)
// or MIB_TCP6TABLE_OWNER_PID (IPv6) to out. Ports are in network order;
// the rest is in the machine's (little-endian) order.
func parseTCPTable(out []ownedListener, b []byte, family uint32) ([]ownedListener, error) {
	if len(b) < 4 {
		return nil, errors.New("the table is shorter than its header")
	}
	n := int(binary.LittleEndian.Uint32(b))
	size := tcp4RowSize
	if family == windows.AF_INET6 {
		size = tcp6RowSize
	}
	if n > (len(b)-4)/size {
		return nil, fmt.Errorf("the table says %d rows but holds %d bytes", n, len(b))
	}
	for i := range n {
		row := b[4+i*size : 4+(i+1)*size]
		var l ownedListener
		var state uint32
		if family == windows.AF_INET {
			state = binary.LittleEndian.Uint32(row[0:])
			l.addr = netip.AddrFrom4([4]byte(row[4:8]))
			l.port = binary.BigEndian.Uint16(row[8:])
			l.pid = int32(binary.LittleEndian.Uint32(row[20:]))
		} else {
			l.addr = netip.AddrFrom16([16]byte(row[0:16]))
			l.port = binary.BigEndian.Uint16(row[20:])
			state = binary.LittleEndian.Uint32(row[48:])
			l.pid = int32(binary.LittleEndian.Uint32(row[52:]))
		}
		if state == tcpStateListen {
			out = append(out, l)
		}
	}
	return out, nil
}
