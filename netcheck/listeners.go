package netcheck

import (
	"cmp"
	"context"
	"net/netip"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// Socket is a listening TCP socket of this machine's network namespace.
type Socket struct {
	// Addr is the local address: 0.0.0.0 or :: for a wildcard listener.
	Addr netip.Addr
	Port int
	// DualStack is true for an IPv6 socket that accepts IPv4 too
	// (IPV6_V6ONLY off): a dual-stack :: is reached on every IPv4 address
	// as well. uvicorn's own sockets on :: are IPv6 only; the one its
	// --reload/--workers parent binds is dual-stack on Linux.
	DualStack bool
	// Inode identifies the socket: the kernel's socket inode on Linux; a
	// number stable across scans for the same address elsewhere.
	Inode uint64
	// UID is the user the socket belongs to (Linux only; 0 elsewhere).
	UID uint32

	// dualKnown is false when the system did not say whether an IPv6
	// socket is dual-stack, so a scan finds out with a connect.
	dualKnown bool
}

// Wildcard reports whether the socket listens on every address of its
// family (0.0.0.0 or ::).
func (s Socket) Wildcard() bool { return s.Addr.IsUnspecified() }

// FlowMeterSocket is one of FlowMeter's listening sockets and the process
// that holds it.
type FlowMeterSocket struct {
	Socket
	// Owner is the process that holds the socket, nil when this user may
	// not see it (a process of another user): the socket is then reported
	// only because GET /api/info on it answered as FlowMeter.
	Owner *Owner
	// Confirmed is true when GET /api/info on the socket answered with
	// FlowMeter's name.
	Confirmed bool
}

// FindFlowMeter returns the listening TCP sockets (IPv4 and IPv6) of the
// FlowMeter install whose backend folder is backendDir and whose expected
// port is port, and never another program's. appName is FlowMeter's
// APP_NAME ("" for DefaultAppName).
//
// A socket is this install's when:
//   - its owner runs in backendDir, or in the checkout's frontend/ (the Vite
//     dev server), or names one of them on its command line, and either the
//     command line is FlowMeter's entry point (app.main, the packaged
//     executable, Vite) or GET /api/info on the socket answers as FlowMeter;
//   - a container port publisher (docker-proxy, rootlessport...) holds it
//     and either the published port or the container's port is port;
//   - it listens on port, no process this user may see holds it, and GET
//     /api/info answers as FlowMeter. When a process this user may see and
//     that runs elsewhere holds it, it is another install's: not reported.
//
// With backendDir "", any running FlowMeter is found: entry points and
// sockets on port that answer as FlowMeter, container publishers of port.
//
// A process tree sharing one socket (uvicorn --reload, gunicorn workers)
// gives one FlowMeterSocket, owned by the process a person would stop: the
// one started as FlowMeter, topmost in the tree.
func FindFlowMeter(ctx context.Context, backendDir string, port int, appName string) ([]FlowMeterSocket, error) {
	return new(Scanner).Scan(ctx, backendDir, port, appName)
}

// Scanner finds FlowMeter's sockets again and again, cheaply: while the set
// of listening sockets and the processes that own FlowMeter's stay the same,
// a Scan reads only the kernel's socket list and answers from memory. The
// zero Scanner is ready to use; it is safe for concurrent use.
type Scanner struct {
	mu   sync.Mutex
	sys  system
	last *scan
	// confirmed remembers the sockets that answered as FlowMeter.
	confirmed map[confirmKey]bool
}

// confirmKey is a socket that answered for an app name.
type confirmKey struct {
	Socket
	appName string
}

// scanKey is what a scan looked for.
type scanKey struct {
	backendDir, frontendDir string
	port                    int
	appName                 string
}

// scan is the result of a full scan, kept to answer the next ones.
type scan struct {
	key     scanKey
	rawDir  string // backendDir as given
	sockets []Socket
	// owners are the reported owners' start times, to notice a process
	// replaced under the same pid.
	owners map[int32]uint64
	found  []FlowMeterSocket
	// pending are sockets on FlowMeter's port whose owner could not be
	// seen and which did not answer as FlowMeter (yet: a container may
	// still be starting); they are asked again after recheckPending.
	pending []Socket
	at      time.Time
}

// recheckPending is how often a steady Scan asks the unexplained sockets on
// FlowMeter's port again (a variable for tests).
var recheckPending = 5 * time.Second

// Scan is FindFlowMeter, answered from memory when nothing changed since the
// last Scan with the same arguments.
func (s *Scanner) Scan(ctx context.Context, backendDir string, port int, appName string) ([]FlowMeterSocket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sys == nil {
		s.sys = newSystem()
	}
	if appName == "" {
		appName = DefaultAppName
	}
	var key scanKey
	if last := s.last; last != nil && last.rawDir == backendDir && last.key.port == port && last.key.appName == appName {
		key = last.key // resolving symbolic links costs more than the rest of a steady Scan
	} else {
		key = newScanKey(backendDir, port, appName)
	}
	socks, err := s.sys.listeners(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(socks, func(a, b Socket) int { return cmp.Compare(a.Inode, b.Inode) })
	if last := s.last; last != nil && last.key == key && slices.EqualFunc(last.sockets, socks, sameSocket) &&
		s.ownersAlive(last) && (len(last.pending) == 0 || time.Since(last.at) < recheckPending) {
		return cloneFound(last.found), nil
	}
	found, pending, owners := s.attribute(ctx, key, socks)
	if err := ctx.Err(); err != nil {
		// Probes cut short prove nothing: keep nothing of this scan.
		return nil, err
	}
	s.last = &scan{key: key, rawDir: backendDir, sockets: socks, owners: owners, found: found, pending: pending, at: time.Now()}
	return cloneFound(found), nil
}

// sameSocket reports whether two listings show the same socket.
func sameSocket(a, b Socket) bool {
	return a.Inode == b.Inode && a.Addr == b.Addr && a.Port == b.Port && a.UID == b.UID
}

func newScanKey(backendDir string, port int, appName string) scanKey {
	k := scanKey{port: port, appName: appName}
	if backendDir != "" {
		k.backendDir = resolveDir(backendDir)
		k.frontendDir = filepath.Join(filepath.Dir(k.backendDir), "frontend")
	}
	return k
}

// resolveDir makes a folder comparable with the working directories the
// system shows: absolute, symbolic links resolved.
func resolveDir(dir string) string {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	return filepath.Clean(dir)
}

// ownersAlive reports whether every owner of the last scan still runs as
// the same process.
func (s *Scanner) ownersAlive(last *scan) bool {
	for pid, start := range last.owners {
		st, err := s.sys.stat(pid)
		if err != nil || st.start != start {
			return false
		}
	}
	return true
}

// attribute is a full scan: it finds the candidate processes, the sockets
// they hold, and decides which sockets are FlowMeter's.
func (s *Scanner) attribute(ctx context.Context, key scanKey, socks []Socket) (found []FlowMeterSocket, pending []Socket, owners map[int32]uint64) {
	procs := s.candidates(key)
	holders := map[uint64][]*proc{}
	for _, p := range procs {
		for _, ino := range s.sys.sockets(p.pid) {
			holders[ino] = append(holders[ino], p)
		}
	}

	// Which sockets may be FlowMeter's, and who holds them.
	var cands []candidate
	for _, sk := range socks {
		c := candidate{sock: sk}
		if hs := holders[sk.Inode]; len(hs) > 0 {
			c.owner = s.pickOwner(hs)
		} else if p := containerPublisher(procs, sk); p != nil {
			c.owner = p
		}
		switch {
		case c.owner == nil:
			if key.port == 0 || sk.Port != key.port {
				continue
			}
		case c.owner.line.start == StartContainer:
			if key.port == 0 || sk.Port != key.port && c.owner.line.containerPort != key.port {
				continue
			}
			c.accept = true
		default:
			c.accept = c.owner.ours && c.owner.line.entry
		}
		cands = append(cands, c)
	}
	confirmed := s.confirm(ctx, cands, key.appName)

	owners = map[int32]uint64{}
	for i, c := range cands {
		if !c.accept && !confirmed[i] {
			if c.owner == nil {
				pending = append(pending, c.sock)
			}
			continue
		}
		if c.owner == nil {
			// FlowMeter answers on its port, held by no process of the
			// checkout: look for the holder among all processes (rare, and
			// slow as `ss -p`). One this user may see runs elsewhere: another
			// install, not this one.
			if p := s.holderOf(c.sock.Inode); p != nil {
				if key.backendDir != "" {
					continue
				}
				c.owner = p
			}
		}
		fs := FlowMeterSocket{Socket: resolveDualStack(ctx, socks, c.sock), Confirmed: confirmed[i]}
		if c.owner != nil {
			fs.Owner = s.ownerOf(c.owner)
			owners[c.owner.pid] = c.owner.stat.start
		}
		found = append(found, fs)
	}
	slices.SortFunc(found, func(a, b FlowMeterSocket) int {
		return cmp.Or(cmp.Compare(a.Port, b.Port), a.Addr.Compare(b.Addr))
	})
	return found, pending, owners
}

// candidate is a socket that may be FlowMeter's.
type candidate struct {
	sock   Socket
	owner  *proc
	accept bool // FlowMeter's without asking /api/info
}

// confirm asks GET /api/info of every candidate at once; a socket that
// answered as FlowMeter is remembered.
func (s *Scanner) confirm(ctx context.Context, cands []candidate, appName string) []bool {
	confirmed := make([]bool, len(cands))
	// Remember only sockets that are still candidates: a long poll must
	// not accumulate them.
	kept := map[confirmKey]bool{}
	for _, c := range cands {
		if ck := (confirmKey{c.sock, appName}); s.confirmed[ck] {
			kept[ck] = true
		}
	}
	s.confirmed = kept
	var wg sync.WaitGroup
	for i, c := range cands {
		if s.confirmed[confirmKey{c.sock, appName}] {
			confirmed[i] = true
			continue
		}
		wg.Go(func() { confirmed[i] = IdentifyFlowMeter(ctx, probeAddr(c.sock), c.sock.Port, appName) })
	}
	wg.Wait()
	// Only now, with every question answered, is the map written.
	for i, c := range cands {
		if confirmed[i] {
			s.confirmed[confirmKey{c.sock, appName}] = true
		}
	}
	return confirmed
}

// probeAddr is where to ask a socket: loopback for a wildcard, else its own
// address.
func probeAddr(s Socket) netip.Addr {
	switch {
	case s.Addr == netip.IPv4Unspecified():
		return netip.AddrFrom4([4]byte{127, 0, 0, 1})
	case s.Addr == netip.IPv6Unspecified():
		return netip.IPv6Loopback()
	}
	return s.Addr.Unmap()
}

// resolveDualStack finds out, with a connect to 127.0.0.1, whether an IPv6
// wildcard socket the system did not describe accepts IPv4 too. When an
// IPv4 socket answers on that port, a dual-stack :: could not have been
// bound, so the :: socket is IPv6 only.
func resolveDualStack(ctx context.Context, all []Socket, sk Socket) Socket {
	if sk.dualKnown || sk.Addr != netip.IPv6Unspecified() {
		return sk
	}
	v4 := slices.ContainsFunc(all, func(o Socket) bool {
		return o.Port == sk.Port && o.Addr.Is4() && (o.Addr.IsUnspecified() || o.Addr.IsLoopback())
	})
	sk.DualStack = !v4 && Probe(ctx, netip.AddrFrom4([4]byte{127, 0, 0, 1}), sk.Port)
	sk.dualKnown = true
	return sk
}

func cloneFound(in []FlowMeterSocket) []FlowMeterSocket {
	out := make([]FlowMeterSocket, len(in))
	for i, f := range in {
		out[i] = f
		if f.Owner != nil {
			o := *f.Owner
			o.Args = slices.Clone(o.Args)
			o.Environ = slices.Clone(o.Environ)
			out[i].Owner = &o
		}
	}
	return out
}
