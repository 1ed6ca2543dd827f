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
	err := diagDumpAll(1<<tcpListen, nil, func(m []byte) {
		if s, ok := parseDiagMsg(m); ok {
			out = append(out, s)
		}
	})
	return out, err
}

// diagDumpAll dumps the TCP sockets in states (a bit mask of the kernel's
// state numbers), IPv4 and IPv6, on one netlink socket, handing each
// message to fn. A kernel without IPv6 gives IPv4's alone. With a filter
// bc (see portFilter), the kernel lists only the sockets it passes.
//
// It asks once for both families, through the older TCPDIAG_GETSOCK
// request, which the kernel answers with one walk of its socket tables
// for every family: SOCK_DIAG_BY_FAMILY takes one family per request and
// walks the whole established table (262144 buckets on a common machine,
// however few connections there are) once per family, which was most of
// a steady watch's CPU. Where the older request is refused, one request
// per family.
func diagDumpAll(states uint32, bc []byte, fn func([]byte)) error {
	fd, err := syscall.Socket(syscall.AF_NETLINK, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, netlinkSockDiag)
	if err != nil {
		return fmt.Errorf("opening sock_diag: %w", err)
	}
	defer syscall.Close(fd)
	buf := diagBuf.Get().(*[32 << 10]byte)
	defer diagBuf.Put(buf)
	got := 0
	err = diagDump(fd, diagRequestAll(states, bc), buf[:], func(m []byte) { got++; fn(m) })
	if err == nil || got > 0 {
		return err
	}
	for _, family := range []uint8{syscall.AF_INET, syscall.AF_INET6} {
		if err := diagDump(fd, diagRequest(family, states, bc), buf[:], fn); err != nil {
			if family == syscall.AF_INET6 && errors.Is(err, syscall.EAFNOSUPPORT) {
				return nil // no IPv6
			}
			return err
		}
	}
	return nil
}

// From linux/inet_diag.h: the older request, struct inet_diag_req (the
// family, lengths, extensions, a struct inet_diag_sockid of 48 bytes, the
// states and the tables), whose dump the kernel makes for every family.
const (
	tcpDiagGetSock = 18
	inetDiagReqV1  = 60
)

// diagRequestAll is the older request for the TCP sockets of every family
// in states, filtered by bc when given.
func diagRequestAll(states uint32, bc []byte) []byte {
	req := make([]byte, syscall.NLMSG_HDRLEN+inetDiagReqV1, syscall.NLMSG_HDRLEN+inetDiagReqV1+syscall.NLA_HDRLEN+len(bc))
	ne := binary.NativeEndian
	ne.PutUint16(req[4:], tcpDiagGetSock)
	ne.PutUint16(req[6:], syscall.NLM_F_REQUEST|syscall.NLM_F_DUMP)
	ne.PutUint32(req[8:], 1) // sequence
	body := req[syscall.NLMSG_HDRLEN:]
	body[0] = syscall.AF_INET // not read for a dump: every family is walked
	ne.PutUint32(body[4+48:], states)
	req = withFilter(req, bc)
	ne.PutUint32(req[0:], uint32(len(req)))
	return req
}

// diagRequest is the request for a family's TCP sockets in states,
// filtered by bc when given.
func diagRequest(family uint8, states uint32, bc []byte) []byte {
	req := make([]byte, syscall.NLMSG_HDRLEN+inetDiagReqLen, syscall.NLMSG_HDRLEN+inetDiagReqLen+syscall.NLA_HDRLEN+len(bc))
	ne := binary.NativeEndian
	ne.PutUint16(req[4:], sockDiagByFamily)
	ne.PutUint16(req[6:], syscall.NLM_F_REQUEST|syscall.NLM_F_DUMP)
	ne.PutUint32(req[8:], uint32(family)) // sequence
	body := req[syscall.NLMSG_HDRLEN:]
	body[0] = family
	body[1] = syscall.IPPROTO_TCP
	ne.PutUint32(body[4:], states)
	req = withFilter(req, bc)
	ne.PutUint32(req[0:], uint32(len(req)))
	return req
}

// inetDiagReqBytecode is INET_DIAG_REQ_BYTECODE, the request's attribute
// that carries a filter.
const inetDiagReqBytecode = 1

// withFilter appends the filter bc to a request as its attribute.
func withFilter(req, bc []byte) []byte {
	if bc == nil {
		return req
	}
	var attr [syscall.NLA_HDRLEN]byte
	binary.NativeEndian.PutUint16(attr[0:], uint16(syscall.NLA_HDRLEN+len(bc)))
	binary.NativeEndian.PutUint16(attr[2:], inetDiagReqBytecode)
	return append(append(req, attr[:]...), bc...)
}

// The filter's operations (struct inet_diag_bc_op: a code, how far to go
// on when it holds, how far when not; a port compared against follows as
// a second operation's third field). The kernel accepts a socket when the
// filter's end is reached exactly, and refuses it when a jump goes 4
// bytes past the end.
const (
	bcJmp = 1 // INET_DIAG_BC_JMP: always goes "no"
	bcSGE = 2 // INET_DIAG_BC_S_GE: local port at least
	bcSLE = 3 // INET_DIAG_BC_S_LE: local port at most
	bcDGE = 4 // INET_DIAG_BC_D_GE: remote port at least
	bcDLE = 5 // INET_DIAG_BC_D_LE: remote port at most
)

// portFilter is the sock_diag filter that passes the sockets with either
// end on one of ports: for each port, (local ≥ p and local ≤ p) or
// (remote ≥ p and remote ≤ p), the terms joined by jumps to the end (the
// way ss compiles "sport = :p or dport = :p"). GE and LE are in every
// kernel with sock_diag (EQ came later). Nil for no port.
func portFilter(ports []int) []byte {
	type term struct{ ge, le byte }
	var terms []struct {
		term
		port uint16
	}
	for _, p := range ports {
		if p <= 0 || p > 65535 {
			continue
		}
		for _, t := range []term{{bcSGE, bcSLE}, {bcDGE, bcDLE}} {
			terms = append(terms, struct {
				term
				port uint16
			}{t, uint16(p)})
		}
	}
	if len(terms) == 0 {
		return nil
	}
	const termLen, jmpLen = 16, 4
	total := len(terms)*(termLen+jmpLen) - jmpLen
	bc := make([]byte, 0, total)
	op := func(code, yes byte, no int) {
		bc = append(bc, code, yes)
		bc = binary.NativeEndian.AppendUint16(bc, uint16(no))
	}
	for i, t := range terms {
		at := i * (termLen + jmpLen)
		next := at + termLen + jmpLen // the next term; past the end for the last
		if i == len(terms)-1 {
			next = total + 4 // refused
		}
		op(t.ge, 8, next-at)
		op(0, 0, int(t.port))
		op(t.le, 8, next-(at+8))
		op(0, 0, int(t.port))
		if i < len(terms)-1 {
			op(bcJmp, jmpLen, total-(at+termLen)) // passed: to the end
		}
	}
	return bc
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
