package netcheck

import (
	"context"
	"net/netip"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"localguard/netcheck/system"
)

// Slow relays: a relay that takes longer than servedTimeout to pass
// FlowMeter's answer back would be taken for a silent socket. While the
// requests of a round are pending, the kernel's connections are watched
// (the listing the relay trace reads): a socket whose request is pending
// when a new connection to a FlowMeter port appears, opened by the process
// that holds it, is a relay — it passed the request on. Its answer is
// waited for up to slowRelayWait (that socket only); when it is still late
// then, the connection onward is the proof. A socket no connection onward
// is seen for keeps the usual wait, and the usual judgement of silence.

// slowRelayWait is how long a socket that connected onward to FlowMeter
// while asked is waited for.
var slowRelayWait = 5 * time.Second

// watchEvery is how often the connections are listed while a request is
// pending: sock_diag on Linux costs well under a millisecond; elsewhere
// the listing (gopsutil's, the system's connection table) costs more, so
// it is read less often.
var watchEvery = func() time.Duration {
	if runtime.GOOS == "linux" {
		return 40 * time.Millisecond
	}
	return 100 * time.Millisecond
}()

// pendingAsk is one socket's request, as the watch sees it.
type pendingAsk struct {
	sock system.Socket
	// sent is set once the request is written; done once it is answered
	// or given up.
	sent, done atomic.Bool
	// onward is set when a connection to a FlowMeter port was opened for
	// it while it was pending: it is then waited for up to slowRelayWait.
	onward atomic.Bool
	// cancel gives up the request.
	cancel context.CancelFunc

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

// giveUp ends the request after the usual wait, unless it connected
// onward (then its own slowRelayWait bounds it).
func (p *pendingAsk) giveUp() {
	if !p.onward.Load() {
		p.cancel()
	}
}

// relayWatch lists the kernel's connections while requests are pending.
type relayWatch struct {
	asks    []*pendingAsk
	fm      map[int]system.Socket // FlowMeter's listening sockets, by port
	own     func(netip.Addr) bool
	sys     system.Reader
	before  map[connKey]bool
	handled map[connKey]bool
	// lists counts the listings made (for the figures).
	lists int
}

// newRelayWatch is a watch for FlowMeter's sockets fm; nil when there is
// no FlowMeter to connect to (nothing to watch for).
func newRelayWatch(fm []system.Socket, own func(netip.Addr) bool, sys system.Reader) *relayWatch {
	if len(fm) == 0 || sys == nil {
		return nil
	}
	w := &relayWatch{fm: map[int]system.Socket{}, own: own, sys: sys, before: map[connKey]bool{}, handled: map[connKey]bool{}}
	for _, s := range fm {
		w.fm[s.Port] = s
	}
	conns, _ := system.RecentConnections()
	for _, c := range conns {
		w.before[keyOf(c)] = true
	}
	return w
}

// run lists the connections every watchEvery while a request is pending,
// until ctx ends or every request is done.
func (w *relayWatch) run(ctx context.Context) {
	t := time.NewTicker(watchEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		pending := w.pending()
		if pending == nil && w.allDone() {
			return
		}
		if len(pending) > 0 {
			w.look(pending)
		}
	}
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

func (w *relayWatch) allDone() bool {
	for _, p := range w.asks {
		if !p.done.Load() {
			return false
		}
	}
	return true
}

// look lists the connections once and gives each new one to a FlowMeter
// port to the pending request it was opened for.
func (w *relayWatch) look(pending []*pendingAsk) {
	conns, err := system.RecentConnections()
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
		if p := w.openedFor(c, pending); p != nil {
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

// openedFor is the pending request a connection onward was opened for:
// the one whose socket the connection's process holds (a relay's process,
// or its parent: a forking relay's child connects); with one request
// pending, that one, its holder checked later (see prove).
func (w *relayWatch) openedFor(c system.Conn, pending []*pendingAsk) *pendingAsk {
	if len(pending) == 1 {
		return pending[0]
	}
	pid := connHolder(w.sys, c)
	if pid == 0 {
		return nil
	}
	for _, p := range pending {
		if holdsUp(w.sys, pid, p.sock) {
			return p
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

// holdsUp reports whether pid, or one of its ancestors, holds listening
// socket l.
func holdsUp(sys system.Reader, pid int32, l system.Socket) bool {
	for range 8 {
		if pid <= 1 {
			return false
		}
		if l.PID != 0 && l.PID == pid || l.PID == 0 && slices.Contains(sys.Sockets(pid), l.Inode) {
			return true
		}
		st, err := sys.Stat(pid)
		if err != nil {
			return false
		}
		pid = st.PPID
	}
	return false
}
