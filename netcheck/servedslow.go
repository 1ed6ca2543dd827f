package netcheck

import (
	"context"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"localguard/netcheck/system"
)

// Slow relays: a relay that takes longer than servedTimeout to pass
// FlowMeter's answer back would be taken for a silent socket. Before a
// pending request is given up, the kernel's connections are listed (the
// listing the relay trace reads): a socket whose request is pending when
// a new connection to a FlowMeter port is there, opened by the process
// that holds it, is a relay — it passed the request on. Its answer is
// waited for up to slowRelayWait (that socket only); when it is still late
// then, the connection onward is the proof. A socket no connection onward
// is seen for keeps the usual wait, and the usual judgement of silence.
//
// The connections are listed once when the round begins and once more when
// the first pending requests reach the end of the usual wait (shared by
// every request given up within settleShared of it), not all the time:
// a connection onward stays in the listing after it closed (FlowMeter's
// side waits in TIME_WAIT), and a listing walks the kernel's whole table
// of connections, of every namespace (a few milliseconds on a busy
// machine).

// slowRelayWait is how long a socket that connected onward to FlowMeter
// while asked is waited for.
var slowRelayWait = 5 * time.Second

// settleShared is how long one listing serves requests given up after
// it: requests sent together reach the end of their wait together.
const settleShared = 60 * time.Millisecond

// pendingAsk is one socket's request, as the watch sees it.
type pendingAsk struct {
	sock system.Socket
	// sent is set once the request is written; done once it is answered
	// or given up.
	sent, done atomic.Bool
	// answered is set once the answer by address came and the names are
	// asked: neither the wait for a first answer nor the budget cuts them.
	answered atomic.Bool
	// onward is set when a connection to a FlowMeter port was opened for
	// it while it was pending: it is then waited for up to slowRelayWait.
	// shared is set when it was one of several pending requests the
	// connection could not be told apart between (closed already: no
	// holder to see): it is waited for, but the connection proves nothing.
	onward, shared atomic.Bool
	// watch is the round's watch, nil when none.
	watch *relayWatch
	// cancel gives up the request; cut is set when the round's budget
	// did, before it was answered (it is asked again next round).
	cancel context.CancelFunc
	cut    atomic.Bool

	mu sync.Mutex
	// conns are the connections onward seen (either side), and target
	// the FlowMeter socket they go to.
	conns  []system.Conn
	target system.Socket
	holder int32
	// proven is true when the socket's holder (or its child) holds the
	// connection onward; other is true when another process does: then it
	// was not this socket's.
	proven, other bool
}

// giveUp ends the request after the usual wait, unless a connection
// onward was seen for it (then its own slowRelayWait bounds it).
func (p *pendingAsk) giveUp() {
	if p.watch != nil {
		p.watch.settle()
	}
	if !p.onward.Load() && !p.answered.Load() {
		p.cancel()
	}
}

// budgetOver gives up the request when the round's budget is over,
// unless it connected onward or was answered already.
func (p *pendingAsk) budgetOver() {
	if !p.onward.Load() && !p.done.Load() && !p.answered.Load() {
		p.cut.Store(true)
		p.cancel()
	}
}

// relayWatch lists the kernel's connections for the requests pending.
type relayWatch struct {
	asks   []*pendingAsk
	fm     map[int]system.Socket // FlowMeter's listening sockets, by port
	ports  []int                 // their ports: only connections on them are listed
	own    func(netip.Addr) bool
	sys    system.Reader
	before map[connKey]bool

	mu       sync.Mutex
	handled  map[connKey]bool
	lastLook time.Time
	// lists counts the listings made.
	lists int
}

// newRelayWatch is a watch for FlowMeter's sockets fm, with the
// connections open now; nil when there is no FlowMeter to connect to.
func newRelayWatch(fm []system.Socket, own func(netip.Addr) bool, sys system.Reader) *relayWatch {
	if len(fm) == 0 || sys == nil {
		return nil
	}
	w := &relayWatch{fm: map[int]system.Socket{}, own: own, sys: sys, before: map[connKey]bool{}, handled: map[connKey]bool{}}
	for _, s := range fm {
		w.fm[s.Port] = s
		w.ports = append(w.ports, s.Port)
	}
	conns, _ := system.RecentConnectionsOf(w.ports)
	w.lists++
	for _, c := range conns {
		w.before[keyOf(c)] = true
	}
	return w
}

// settle looks at the connections for the requests pending now, unless a
// listing within settleShared did already.
func (w *relayWatch) settle() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if time.Since(w.lastLook) < settleShared {
		return
	}
	w.look(w.pending())
	w.lastLook = time.Now()
}

// pending are the requests written and not answered yet.
func (w *relayWatch) pending() []*pendingAsk {
	var out []*pendingAsk
	for _, p := range w.asks {
		if p.sent.Load() && !p.done.Load() {
			out = append(out, p)
		}
	}
	return out
}

// look lists the connections once and gives each new one to a FlowMeter
// port to the pending request it was opened for.
func (w *relayWatch) look(pending []*pendingAsk) {
	conns, err := system.RecentConnectionsOf(w.ports)
	w.lists++
	if err != nil {
		return
	}
	for _, c := range conns {
		k := keyOf(c)
		if w.before[k] || w.handled[k] {
			continue
		}
		fm, ok := w.toFlowMeter(c)
		if !ok {
			continue
		}
		w.handled[k] = true
		for _, p := range w.openedFor(c, pending) {
			if sameListener(fm, p.sock) {
				continue // a connection to the asked socket itself (the asking): no relay to itself
			}
			p.mu.Lock()
			p.conns, p.target = append(p.conns, c), fm
			p.mu.Unlock()
			p.onward.Store(true)
		}
	}
}

// toFlowMeter is the FlowMeter socket c goes to, when it is a connection
// between two of this computer's addresses to a FlowMeter port (its
// connecting side: the listener's side of the same connection is listed
// too, and is the same evidence).
func (w *relayWatch) toFlowMeter(c system.Conn) (system.Socket, bool) {
	if !w.own(c.Local.Addr()) || !w.own(c.Remote.Addr()) {
		return system.Socket{}, false
	}
	// The connecting side (FlowMeter's port remote), or FlowMeter's side
	// of it: a connection closed at once leaves only the side that closed
	// first in the listing (TIME_WAIT), most often FlowMeter's.
	for _, end := range []netip.AddrPort{c.Remote, c.Local} {
		fm, ok := w.fm[int(end.Port())]
		if ok && (fm.Addr.IsUnspecified() || fm.Addr.Unmap() == end.Addr().Unmap()) {
			return fm, true
		}
	}
	return system.Socket{}, false
}

// openedFor are the pending requests a connection onward may have been
// opened for: the one whose socket the connection's process holds (a
// relay's process, or its parent: a forking relay's child connects); with
// one request pending, that one, its holder checked later (see prove);
// when the connection's process cannot be seen (it closed already), every
// request pending, each marked shared.
func (w *relayWatch) openedFor(c system.Conn, pending []*pendingAsk) []*pendingAsk {
	if len(pending) <= 1 {
		return pending
	}
	if _, fmSide := w.fm[int(c.Local.Port())]; fmSide && c.Inode != 0 {
		return nil // FlowMeter's side of a connection whose other side is listed too
	}
	pid := connHolder(w.sys, c)
	if pid == 0 {
		for _, p := range pending {
			p.shared.Store(true)
		}
		return pending
	}
	for _, p := range pending {
		if holdsUp(w.sys, pid, p.sock) {
			return []*pendingAsk{p}
		}
	}
	return nil
}

// prove settles whether the socket's own holder (or its child) held a
// connection onward: then the connection proves it is a relay. other is
// set when the connecting side of every such connection is held by
// another process this user can see: the connection was not its.
func (p *pendingAsk) prove(sys system.Reader) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holder = holderOf(sys, p.sock)
	if p.holder == 0 {
		return
	}
	held := inodeSet(sys.Sockets(p.holder))
	seen, others := 0, 0
	for _, c := range p.conns {
		if _, connecting := p.targetPort(c); !connecting || c.Inode == 0 && c.PID == 0 {
			continue // FlowMeter's side, or one already closed: no holder to see
		}
		seen++
		if held[c.Inode] || c.PID != 0 && c.PID == p.holder {
			p.proven = true
			return
		}
		pid := connHolder(sys, c)
		switch {
		case pid == 0:
		case holdsUp(sys, pid, p.sock):
			p.proven = true
			return
		default:
			others++
		}
	}
	p.other = seen > 0 && others == seen
}

// targetPort reports whether c is the connecting side of a connection to
// the target (FlowMeter's port remote), not FlowMeter's side of it.
func (p *pendingAsk) targetPort(c system.Conn) (int, bool) {
	return p.target.Port, int(c.Remote.Port()) == p.target.Port
}

// connHolder is the process that holds a connection: named by the
// listing where the system does (Windows), else found by its inode among
// every process's descriptors; 0 when none this user may see.
func connHolder(sys system.Reader, c system.Conn) int32 {
	if c.PID != 0 {
		return c.PID
	}
	if c.Inode == 0 {
		return 0
	}
	pids := slices.Clone(sys.PIDs())
	slices.SortFunc(pids, func(a, b int32) int { return int(b) - int(a) })
	for _, pid := range pids {
		if slices.Contains(sys.Sockets(pid), c.Inode) {
			return pid
		}
	}
	return 0
}

// holdsUp reports whether pid holds listening socket l, or its parent
// does while pid is a fork of it (the same program: a forking relay's
// child connects onward, its master holds the socket). Only the parent,
// and only the same program: a shell or test runner that started a relay
// holds sockets of its own that the relay has nothing to do with.
func holdsUp(sys system.Reader, pid int32, l system.Socket) bool {
	if holds(sys, pid, l) {
		return true
	}
	st, err := sys.Stat(pid)
	if err != nil || st.PPID <= 1 {
		return false
	}
	pst, err := sys.Stat(st.PPID)
	return err == nil && pst.Name == st.Name && holds(sys, st.PPID, l)
}

// holds reports whether pid itself holds listening socket l.
func holds(sys system.Reader, pid int32, l system.Socket) bool {
	if l.PID != 0 {
		return l.PID == pid
	}
	return slices.Contains(sys.Sockets(pid), l.Inode)
}

// sameListener reports whether a and b are one listening socket: a
// FlowMeter asked slowly is in the watch's FlowMeter sockets too, and the
// connections to it (Localguard's own asking) are not onward from it.
func sameListener(a, b system.Socket) bool {
	if a.Inode != 0 && b.Inode != 0 {
		return a.Inode == b.Inode
	}
	return a.Port == b.Port && a.Addr.Unmap() == b.Addr.Unmap()
}
