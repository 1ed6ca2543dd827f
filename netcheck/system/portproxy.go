package system

import (
	"net"
	"strconv"
	"strings"
)

// PortProxy is one entry of Windows' port proxy (netsh interface
// portproxy), kept by the IP Helper service: it listens on ListenAddr
// port ListenPort and passes every connection to ConnectAddr port
// ConnectPort. Addresses are as stored: an address, a host name, or "*"
// (netsh's every address).
type PortProxy struct {
	// Kind is the entry's family pair: v4tov4, v4tov6, v6tov4 or v6tov6.
	Kind        string
	ListenAddr  string
	ListenPort  int
	ConnectAddr string
	ConnectPort int
}

// PortProxyKinds are the registry keys the entries are kept under, below
// HKLM\SYSTEM\CurrentControlSet\Services\PortProxy, each with a tcp key.
var PortProxyKinds = []string{"v4tov4", "v4tov6", "v6tov4", "v6tov6"}

// ParsePortProxy reads one registry value of the port proxy: its name is
// "LISTENADDRESS/LISTENPORT", its data "CONNECTADDRESS/CONNECTPORT"; ok is
// false for a value that is neither.
func ParsePortProxy(kind, name, data string) (PortProxy, bool) {
	la, lp, ok1 := addrPort(name)
	ca, cp, ok2 := addrPort(data)
	if !ok1 || !ok2 {
		return PortProxy{}, false
	}
	return PortProxy{Kind: kind, ListenAddr: la, ListenPort: lp, ConnectAddr: ca, ConnectPort: cp}, true
}

// addrPort splits "ADDRESS/PORT" at its last slash; a port may be a
// service name (http).
func addrPort(s string) (string, int, bool) {
	i := strings.LastIndexByte(s, '/')
	if i < 0 {
		return "", 0, false
	}
	addr, p := strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	n, err := strconv.Atoi(p)
	if err != nil {
		if n, err = net.LookupPort("tcp", p); err != nil {
			return "", 0, false
		}
	}
	if n <= 0 || n > 65535 {
		return "", 0, false
	}
	return addr, n, true
}

// PortProxies reads the port proxy's entries (Windows: the registry under
// HKLM\SYSTEM\CurrentControlSet\Services\PortProxy, readable by every
// user); none elsewhere.
func PortProxies() ([]PortProxy, error) { return portProxies() }
