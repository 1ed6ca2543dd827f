package system

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
)

// Listing sockets on Linux: the kernel's sock_diag netlink interface (what
// `ss` uses) returns only the listening sockets, with their inode, user and
// IPV6_V6ONLY flag, without touching any process. /proc/net/tcp{,6} is the
// fallback where sock_diag is missing (some sandboxes); it does not show
// IPV6_V6ONLY.

// From linux/sock_diag.h and linux/inet_diag.h.
const (
	netlinkSockDiag  = 4
	sockDiagByFamily = 20
	tcpListen        = 10
	inetDiagV6Only   = 11 // INET_DIAG_SKV6ONLY
	inetDiagReqLen   = 56
	inetDiagMsgLen   = 72
)

// listenSockets lists the listening TCP sockets.
func listenSockets() ([]Socket, error) {
	socks, err := diagListeners()
	if err == nil {
		return socks, nil
	}
	socks, perr := procNetListeners()
	if perr != nil {
		return nil, fmt.Errorf("listing listening sockets: %w (sock_diag: %v)", perr, err)
	}
	return socks, nil
}

// diagBuf is the receive buffer of sock_diag dumps, kept between polls.
var diagBuf = sync.Pool{New: func() any { return new([32 << 10]byte) }}

// diagListeners asks sock_diag for the listening TCP sockets, IPv4 then
// IPv6, on one netlink socket.
func diagListeners() ([]Socket, error) {
	var out []Socket
	err := diagDumpAll(1<<tcpListen, func(m []byte) {
		if s, ok := parseDiagMsg(m); ok {
			out = append(out, s)
		}
	})
	return out, err
}

// diagDumpAll dumps the TCP sockets in states (a bit mask of the kernel's
// state numbers), IPv4 and IPv6, on one netlink socket, handing each
// message to fn. A kernel without IPv6 gives IPv4's alone.
//
// It asks once for both families with sock_diag's first request (struct
// inet_diag_req, which the kernel still serves and answers for every
// family): the kernel walks its table of connections once, where one
// request per family walks it twice, and that table is sized by the
// memory, not by the connections in it (a dump of the established ones
// costs about 1 ms of CPU per walk with 24 GB, the established ones or
// none). A kernel that refuses it is asked per family.
func diagDumpAll(states uint32, fn func([]byte)) error {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkSockDiag)
	if err != nil {
		return fmt.Errorf("opening sock_diag: %w", err)
	}
	defer syscall.Close(fd)
	buf := diagBuf.Get().(*[32 << 10]byte)
	defer diagBuf.Put(buf)
	if !diagOneWalkRefused.Load() {
		given := false
		err := diagDump(fd, diagOneWalkRequest(states), buf[:], func(m []byte) { given = true; fn(m) })
		if err == nil || given {
			return err
		}
		// Refused before any answer: this kernel is asked per family
		// from now on.
		diagOneWalkRefused.Store(true)
	}
	for _, family := range []uint8{syscall.AF_INET, syscall.AF_INET6} {
		if err := diagDump(fd, diagFamilyRequest(family, states), buf[:], fn); err != nil {
			if family == syscall.AF_INET6 && errors.Is(err, syscall.EAFNOSUPPORT) {
				return nil // no IPv6
			}
			return err
		}
	}
	return nil
}

// diagOneWalkRefused is set once the kernel refused the request for both
// families at once.
var diagOneWalkRefused atomic.Bool

// tcpDiagGetSock is TCPDIAG_GETSOCK, the request type of struct
// inet_diag_req (linux/inet_diag.h), and inetDiagReqV1Len its length.
const (
	tcpDiagGetSock   = 18
	inetDiagReqV1Len = 60
)

// diagOneWalkRequest asks for the TCP sockets of every family in states:
// struct inet_diag_req, whose family the kernel does not filter on.
func diagOneWalkRequest(states uint32) []byte {
	req := make([]byte, syscall.NLMSG_HDRLEN+inetDiagReqV1Len)
	ne := binary.NativeEndian
	ne.PutUint32(req[0:], uint32(len(req)))
	ne.PutUint16(req[4:], tcpDiagGetSock)
	ne.PutUint16(req[6:], syscall.NLM_F_REQUEST|syscall.NLM_F_DUMP)
	ne.PutUint32(req[8:], 1) // sequence
	body := req[syscall.NLMSG_HDRLEN:]
	// idiag_family, src_len, dst_len, ext; the socket id (48 bytes);
	// idiag_states; idiag_dbs.
	body[0] = syscall.AF_UNSPEC
	ne.PutUint32(body[52:], states)
	return req
}

// diagFamilyRequest asks for the TCP sockets of one family in states:
// struct inet_diag_req_v2.
func diagFamilyRequest(family uint8, states uint32) []byte {
	req := make([]byte, syscall.NLMSG_HDRLEN+inetDiagReqLen)
	ne := binary.NativeEndian
	ne.PutUint32(req[0:], uint32(len(req)))
	ne.PutUint16(req[4:], sockDiagByFamily)
	ne.PutUint16(req[6:], syscall.NLM_F_REQUEST|syscall.NLM_F_DUMP)
	ne.PutUint32(req[8:], uint32(family)) // sequence
	body := req[syscall.NLMSG_HDRLEN:]
	body[0] = family
	body[1] = syscall.IPPROTO_TCP
	ne.PutUint32(body[4:], states)
	return req
}

// diagDump sends one dump request and hands each struct inet_diag_msg of
// the answer to fn.
func diagDump(fd int, req, buf []byte, fn func([]byte)) error {
	ne := binary.NativeEndian
	if err := syscall.Sendto(fd, req, 0, &syscall.SockaddrNetlink{Family: syscall.AF_NETLINK}); err != nil {
		return fmt.Errorf("asking sock_diag: %w", err)
	}
	for {
		n, _, err := syscall.Recvfrom(fd, buf, 0)
		if err == syscall.EINTR {
			continue
		}
		if err != nil {
			return fmt.Errorf("reading sock_diag: %w", err)
		}
		msgs, err := syscall.ParseNetlinkMessage(buf[:n])
		if err != nil {
			return fmt.Errorf("reading sock_diag: %w", err)
		}
		for _, m := range msgs {
			switch m.Header.Type {
			case syscall.NLMSG_DONE:
				return nil
			case syscall.NLMSG_ERROR:
				if len(m.Data) >= 4 {
					if errno := int32(ne.Uint32(m.Data)); errno < 0 {
						return fmt.Errorf("sock_diag: %w", syscall.Errno(-errno))
					}
				}
				return errors.New("sock_diag: error reply")
			}
			fn(m.Data)
		}
	}
}

// parseDiagMsg reads one struct inet_diag_msg and its attributes.
func parseDiagMsg(b []byte) (Socket, bool) {
	if len(b) < inetDiagMsgLen {
		return Socket{}, false
	}
	ne := binary.NativeEndian
	s := Socket{
		Port:  int(binary.BigEndian.Uint16(b[4:6])),
		UID:   ne.Uint32(b[64:]),
		Inode: uint64(ne.Uint32(b[68:])),
		// struct inet_diag_sockid: ports, addresses, interface, cookie.
		Cookie: ne.Uint64(b[44:52]),
	}
	switch b[0] {
	case syscall.AF_INET:
		s.Addr = netip.AddrFrom4([4]byte(b[8:12]))
		s.DualKnown = true
	case syscall.AF_INET6:
		s.Addr = netip.AddrFrom16([16]byte(b[8:24]))
		for attrs := b[inetDiagMsgLen:]; len(attrs) >= 4; {
			l := int(ne.Uint16(attrs[0:]))
			if l < 4 || l > len(attrs) {
				break
			}
			if ne.Uint16(attrs[2:]) == inetDiagV6Only && l >= 5 {
				s.DualStack = attrs[4] == 0
				s.DualKnown = true
			}
			attrs = attrs[min(len(attrs), (l+3)&^3):]
		}
	default:
		return Socket{}, false
	}
	return s, true
}

// procNetListeners reads the listening sockets from /proc/net/tcp and tcp6.
func procNetListeners() ([]Socket, error) {
	var out []Socket
	for _, name := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, err := os.ReadFile(name)
		if errors.Is(err, os.ErrNotExist) && name == "/proc/net/tcp6" {
			continue // no IPv6
		}
		if err != nil {
			return nil, err
		}
		out = append(out, parseProcNet(b)...)
	}
	return out, nil
}

// parseProcNet reads the LISTEN lines of /proc/net/tcp or tcp6:
// "sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...",
// addresses in hex as 32-bit words in host byte order, then the port.
func parseProcNet(b []byte) []Socket {
	var out []Socket
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 0, 512), 1<<20)
	sc.Scan() // header
	for sc.Scan() {
		f := bytes.Fields(sc.Bytes())
		if len(f) < 10 || string(f[3]) != "0A" {
			continue
		}
		addr, port, ok := parseHexAddr(f[1])
		if !ok {
			continue
		}
		uid, err1 := strconv.ParseUint(string(f[7]), 10, 32)
		inode, err2 := strconv.ParseUint(string(f[9]), 10, 64)
		if err1 != nil || err2 != nil {
			continue
		}
		out = append(out, Socket{Addr: addr, Port: port, UID: uint32(uid), Inode: inode, DualKnown: addr.Is4()})
	}
	return out
}

// parseHexAddr reads "0100007F:1F40" or the 32-hex-digit IPv6 form.
func parseHexAddr(f []byte) (netip.Addr, int, bool) {
	h, p, ok := bytes.Cut(f, []byte(":"))
	if !ok {
		return netip.Addr{}, 0, false
	}
	port, err := strconv.ParseUint(string(p), 16, 16)
	if err != nil {
		return netip.Addr{}, 0, false
	}
	raw := make([]byte, len(h)/2)
	if _, err := hex.Decode(raw, h); err != nil || (len(raw) != 4 && len(raw) != 16) {
		return netip.Addr{}, 0, false
	}
	// Each 32-bit word is in host byte order; put it in network order.
	for i := 0; i+4 <= len(raw); i += 4 {
		binary.BigEndian.PutUint32(raw[i:], binary.NativeEndian.Uint32(raw[i:]))
	}
	a, _ := netip.AddrFromSlice(raw)
	return a, int(port), true
}

// procSystem reads the live machine through procfs and sock_diag.
type procSystem struct{}

func newSystem() Reader { return procSystem{} }

func (procSystem) Listeners(ctx context.Context) ([]Socket, error) { return listenSockets() }
