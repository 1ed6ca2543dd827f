package system

import (
	"errors"
	"unsafe"

	"golang.org/x/sys/windows"
)

// readLinks reads each adapter's description (GetAdaptersAddresses), by
// the name Go gives interfaces on Windows (the adapter's friendly name):
// "Hyper-V Virtual Ethernet Adapter" is a vEthernet adapter of WSL or a
// Hyper-V switch. Windows has no bridge members to list.
func readLinks() map[string]Link {
	size := uint32(16 << 10)
	for range 3 {
		buf := make([]byte, size)
		first := (*windows.IpAdapterAddresses)(unsafe.Pointer(&buf[0]))
		err := windows.GetAdaptersAddresses(windows.AF_UNSPEC, windows.GAA_FLAG_SKIP_ANYCAST|windows.GAA_FLAG_SKIP_MULTICAST|windows.GAA_FLAG_SKIP_DNS_SERVER, 0, first, &size)
		if errors.Is(err, windows.ERROR_BUFFER_OVERFLOW) {
			continue
		}
		if err != nil {
			return nil
		}
		out := map[string]Link{}
		for a := first; a != nil; a = a.Next {
			name := windows.UTF16PtrToString(a.FriendlyName)
			out[name] = Link{Known: true, Description: windows.UTF16PtrToString(a.Description)}
		}
		return out
	}
	return nil
}
