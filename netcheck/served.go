package netcheck

import (
	"cmp"
	"context"
	"fmt"
	"net/netip"
	"slices"
	"sync"
	"time"

	"localguard/netcheck/ask"
	"localguard/netcheck/system"
)

// What a socket a neighbour can reach is asked, and how: every listening
// TCP socket on an address other than loopback (wildcards included), of
// any process and any user, that no FlowMeter candidate is, is asked GET
// /api/info once per socket identity (see socketIdentity), through this
// computer's own address, as package ask asks (greeting wait, never to
// raw-byte ports, TLS when the port speaks it). What it serves decides:
// FlowMeter's shape means FlowMeter or a path to it; anything else, or no
// answer in time, is not FlowMeter (a socket with FlowMeter hints is the
// Scanner's, which keeps it unchecked when it does not answer).

// Budgets of the asking: a neighbour-reachable socket that does not
// answer within servedTimeout (after the greeting wait) is not FlowMeter;
// at most servedParallel are asked at once (a desktop's few dozen
// listeners in one wave: requests sent together are given up together,
// and one listing of the kernel's connections serves them, see
// relayWatch); a round never takes longer than servedBudget.
var (
	servedTimeout  = 500 * time.Millisecond
	servedParallel = 32
	servedBudget   = 2 * time.Second
)

// servedScanner asks the sockets and keeps their answers while the sockets
// live. It is safe for concurrent use.
type servedScanner struct {
	mu sync.Mutex
	// answers are by socket identity.
	answers map[string]servedAnswer
	// present are the identities listening when the answers were last
	// checked: a socket that appears may be the far end of a relay that
	// answered nothing (or something else) before, so the answers that
	// can change are asked again then.
	present map[string]bool
	// replaced is true when a socket went away since the answers were
	// last asked again: a socket that appears then may have taken its
	// place behind a relay that answered as another program.
	replaced bool
	// silent are the sockets asked again because they said nothing
	// before, with how many times they did.
	silent map[string]int
	// file, when set, keeps the answers that are not FlowMeter between
	// runs (a later `check` asks nothing new); loaded once.
	file   string
	loaded bool
	boot   string
	// configFiles are the relays' configurations the names were last read
	// from, and configStamp what they were like then: when they change,
	// the HTTP answers are asked again (configChanged).
	configFiles []string
	configStamp string
}

// servedAnswer is what one socket served.
type servedAnswer struct {
	Kind   ask.Kind `json:"kind"`
	Status int      `json:"status,omitempty"`
	// At is when it was asked; Tries how many times in a row it said
	// nothing (a silent socket is asked again after silentAgain, doubled
	// each time: a FlowMeter too busy to answer once is not missed for
	// its whole life).
	At    time.Time `json:"at"`
	Tries int       `json:"tries,omitempty"`
	// FlowMeter is true when it answered with FlowMeter's shape (kept in
	// memory only: a new run asks such a socket again).
	FlowMeter bool `json:"-"`
	// Host is the name it answered as FlowMeter (or as a gateway with
	// nothing behind it) for, "" when asked by address.
	Host string `json:"host,omitempty"`
	// Unsure says why a socket that answered HTTP and not as FlowMeter
	// may still pass FlowMeter on for a name it was not asked for (its
	// configuration says so): "cannot tell" (kept in memory only).
	Unsure       string `json:"-"`
	unsurePID    int32
	unsureTarget int
	unsureLate   bool
	// namesCut: the asking by names ended before every name was asked;
	// the answer is not kept (asked again next time).
	namesCut bool
	// trace is where a FlowMeter answer came from.
	trace served
}

// lasting reports whether the answer holds while the listening sockets
// change: a service that greets, one never asked, one that stays silent
// (asked again on its own schedule: see due). Others are asked again when
// they change, as a relay's answer changes with its far end (see refresh).
func (a servedAnswer) lasting() bool {
	return a.Kind == ask.Greeted || a.Kind == ask.Skipped || a.Kind == ask.Unanswered
}

// silentAgain is how long a silent socket's answer is kept before it is
// asked again, doubled with each silent answer up to silentAgainMost.
var (
	silentAgain     = time.Minute
	silentAgainMost = 16 * time.Minute
)

// due reports whether a silent socket is to be asked again.
func (a servedAnswer) due(now time.Time) bool {
	if a.Kind != ask.Unanswered {
		return false
	}
	wait := silentAgain << min(max(a.Tries-1, 0), 4)
	return now.Sub(a.At) > min(wait, silentAgainMost)
}

// farEndMissing reports whether the answer is how a relay answers while
// nothing listens where it passes connections on: closing at once, or a
// gateway's error. Such answers are asked again whenever a socket appears.
func (a servedAnswer) farEndMissing() bool {
	switch a.Kind {
	case ask.Closed, ask.NotHTTP, ask.Refused:
		return true
	case ask.HTTP:
		return a.Status == 502 || a.Status == 503 || a.Status == 504
	}
	return false
}

// served is a socket that answered as FlowMeter and is not one of the
// FlowMeters already found: FlowMeter of its own, or a relay to one.
type served struct {
	sock system.Socket
	// holder is the process that holds the socket, 0 when it cannot be
	// seen (another user's, without root).
	holder int32
	// target is the port of this computer the answer came from, through
	// a connection the holder opened while it was served; 0 when none: the
	// socket serves FlowMeter itself.
	target int
	// targetSock is the listening socket on target, when it is one.
	targetSock system.Socket
	// proven is true when the connection onward is the holder's own
	// (seen open, its inode among the holder's sockets), false when it
	// was seen closing only.
	proven bool
	// host is the name the socket answered as FlowMeter for ("" the
	// address); late is true when the answer did not come within
	// slowRelayWait and the connection onward is what proves the relay.
	host string
	late bool
	// unsure, when set, says why the socket cannot be told from a relay
	// to FlowMeter (see servedAnswer.Unsure).
	unsure string
}

// servedRound is one round of asking: what the scan knows, and what the
// round found.
type servedRound struct {
	listening []system.Socket
	own       func(netip.Addr) bool
	// via is the address a socket is asked through (see neighbourVia).
	via   func(system.Socket) netip.Addr
	found map[uint64]bool          // inodes of FlowMeters already found
	asked func(system.Socket) bool // asked already by the Scanner, as not FlowMeter
	sys   system.Reader
	ids   map[system.Socket]string
	// fm are FlowMeter's listening sockets found already (the ports a
	// relay connects onward to); args the command lines of the scan (the
	// relays' configurations are read from them); hosts the names asked
	// for (gathered once a round has sockets to ask).
	fm    []system.Socket
	args  map[int32][]string
	hosts hostNames
}

// fmPorts are the ports of FlowMeter's sockets found already.
func (r servedRound) fmPorts() map[int]bool {
	out := map[int]bool{}
	for _, s := range r.fm {
		out[s.Port] = true
	}
	return out
}

// find asks the sockets of the round that are not answered yet, and
// returns those that serve FlowMeter, each traced.
func (s *servedScanner) find(ctx context.Context, r servedRound) []served {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.load()
	r.ids = map[system.Socket]string{}
	for _, l := range r.listening {
		r.ids[l] = socketIdentity(l, r.sys)
	}
	s.refresh(r)
	s.configChanged()
	var ask []system.Socket
	for _, l := range r.listening {
		if !s.neighbourReachable(l, r) {
			continue
		}
		if _, ok := s.answers[r.ids[l]]; !ok {
			ask = append(ask, l)
		}
	}
	if len(ask) > 0 {
		r.hosts = hostNamesFor(r.args, r.sys.Cwd, r.own, r.fmPorts())
		s.configFiles, s.configStamp = r.hosts.files, configStamp(r.hosts.files)
		s.askAll(ctx, ask, r)
		s.save(r)
	}
	var out []served
	for _, l := range r.listening {
		a, ok := s.answers[r.ids[l]]
		switch {
		case !ok || !s.neighbourReachable(l, r):
		case a.FlowMeter:
			out = append(out, a.trace)
		case a.Unsure != "":
			out = append(out, served{sock: l, holder: a.unsurePID, target: a.unsureTarget, unsure: a.Unsure, late: a.unsureLate})
		}
	}
	return out
}

// viaFor is the address l is asked through: as a neighbour would reach it
// (r.via), or, without one, probeAddr's.
func (r servedRound) viaFor(l system.Socket) netip.Addr {
	if r.via != nil {
		return r.via(l)
	}
	return probeAddr(l)
}

// neighbourVia asks a socket as a neighbour would reach it: a wildcard
// socket through one of this computer's own addresses beyond loopback, of
// its family (one on a real network before a virtual one), not through
// loopback — a relay may turn loopback's clients away while letting its
// networks in (an "allow 10.0.0.0/8; deny all" list), or the other way
// round. Loopback only where there is no such address, where no neighbour
// reaches the socket anyway. A socket on one address is asked there.
func neighbourVia(ifaces []Interface) func(system.Socket) netip.Addr {
	v4, v6 := networkAddrs(ifaces, false)
	g4, g6 := networkAddrs(ifaces, true)
	v4, v6 = cmp.Or(v4, g4), cmp.Or(v6, g6)
	return func(s system.Socket) netip.Addr {
		switch {
		case s.Addr == netip.IPv4Unspecified() && v4.IsValid():
			return v4
		case s.Addr == netip.IPv6Unspecified() && v6.IsValid():
			return v6
		}
		return probeAddr(s)
	}
}

// networkAddrs are the first IPv4 and IPv6 addresses of this computer on
// a network (beyond loopback, not link-local) of virtual bridges or not.
func networkAddrs(ifaces []Interface, virtual bool) (v4, v6 netip.Addr) {
	for _, it := range ifaces {
		for _, a := range it.Addrs {
			ad := a.Prefix.Addr()
			switch {
			case a.Kind == KindLoopback || ad.IsLinkLocalUnicast() || (a.Kind == KindVirtual) != virtual:
			case ad.Is4() && !v4.IsValid():
				v4 = ad
			case ad.Is6() && !ad.Is4In6() && !v6.IsValid():
				v6 = ad
			}
		}
	}
	return v4, v6
}

// neighbourReachable reports whether l is asked: beyond loopback, on this
// computer's own address (or a wildcard), not a FlowMeter already found
// nor a socket the Scanner asked and found not FlowMeter.
func (s *servedScanner) neighbourReachable(l system.Socket, r servedRound) bool {
	a := l.Addr.Unmap()
	switch {
	case a.IsLoopback(), !a.IsUnspecified() && !r.own(a), r.found[l.Inode]:
		return false
	case r.asked != nil && r.asked(l):
		return false
	}
	return true
}

// refresh drops the answers of sockets gone, and, when the listening
// sockets changed, those that could change with them (see lasting).
func (s *servedScanner) refresh(r servedRound) {
	if s.answers == nil {
		s.answers = map[string]servedAnswer{}
	}
	s.silent = map[string]int{}
	now, appeared, gone := s.diffPresent(r)
	s.replaced = s.replaced || gone
	at := time.Now()
	for id, a := range s.answers {
		switch {
		case !now[id]:
			delete(s.answers, id)
		case a.due(at):
			s.silent[id] = a.Tries
			delete(s.answers, id)
		case gone && a.FlowMeter:
			// Its far end may be what went away.
			delete(s.answers, id)
		case appeared && !a.lasting() && (s.replaced || a.farEndMissing()):
			delete(s.answers, id)
		}
	}
	if appeared {
		s.replaced = false
	}
	s.present = now
}

// configChanged drops every HTTP answer when a relay's configuration the
// names were read from changed since (an nginx reloaded with a server for
// FlowMeter keeps its sockets): those sockets are asked again, with the
// names read anew. A few stat calls a round, for the files of nginx and
// haproxy only.
func (s *servedScanner) configChanged() {
	if len(s.configFiles) == 0 || configStamp(s.configFiles) == s.configStamp {
		return
	}
	for id, a := range s.answers {
		if a.Kind == ask.HTTP {
			delete(s.answers, id)
		}
	}
	s.configFiles, s.configStamp = nil, ""
}

// diffPresent is the identities listening now, and whether one appeared
// or went away since the answers were last checked.
func (s *servedScanner) diffPresent(r servedRound) (now map[string]bool, appeared, gone bool) {
	now = make(map[string]bool, len(r.listening))
	for _, l := range r.listening {
		id := r.ids[l]
		now[id] = true
		if s.present != nil && !s.present[id] {
			appeared = true
		}
	}
	for id := range s.present {
		if !now[id] {
			gone = true
		}
	}
	return now, appeared, gone
}

// askAll asks the sockets, servedParallel at once, within servedBudget,
// by address and then, after an HTTP answer that is not FlowMeter's, by
// the round's names; a socket that connects onward to a FlowMeter port
// while asked is waited for longer (see relayWatch). Those answering as
// FlowMeter are then traced one at a time.
func (s *servedScanner) askAll(ctx context.Context, socks []system.Socket, r servedRound) {
	budget, cancel := context.WithTimeout(ctx, servedBudget)
	defer cancel()
	got := make([]asked, len(socks))
	w := newRelayWatch(r.fm, r.own, r.sys)
	pend := make([]*pendingAsk, len(socks))
	for i, l := range socks {
		pend[i] = &pendingAsk{sock: l}
	}
	if w != nil {
		w.asks = pend
		for _, p := range pend {
			p.watch = w
		}
	}
	sem := make(chan struct{}, servedParallel)
	var asks sync.WaitGroup
	for i, l := range socks {
		asks.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			got[i] = s.askOne(ctx, budget, pend[i], r.viaFor(l), r.hosts.names)
		})
	}
	asks.Wait()
	for i, l := range socks {
		s.answers[r.ids[l]] = s.answerOf(ctx, l, got[i], pend[i], r)
	}
	for i, l := range socks {
		if pend[i].cut.Load() || s.answers[r.ids[l]].namesCut {
			delete(s.answers, r.ids[l]) // cut short (the budget, or before every name): asked again next time
		}
	}
}

// askOne asks one socket: within the usual wait after its request is
// written (and the round's budget), unless a connection onward to
// FlowMeter is seen for it, then within slowRelayWait.
func (s *servedScanner) askOne(ctx, budget context.Context, p *pendingAsk, via netip.Addr, names []string) asked {
	ctx, p.cancel = context.WithCancel(ctx)
	defer p.cancel()
	defer p.done.Store(true)
	stop := context.AfterFunc(budget, p.budgetOver)
	defer stop()
	var timer *time.Timer
	defer func() {
		if timer != nil {
			timer.Stop()
		}
	}()
	opts := ask.Options{
		Names: names,
		Want:  func(a ask.Answer) bool { return a.Status == 200 && flowMeterShape(a.Body) },
		Sent: func() {
			if !p.sent.Swap(true) {
				timer = time.AfterFunc(servedTimeout, p.giveUp)
			}
		},
		// Answered by address: the names are asked within their own
		// timeout, not cut by the wait for this first answer nor by the
		// round's budget (a name cut off could be the one a relay serves).
		Answered: func() {
			p.answered.Store(true)
			if timer != nil {
				timer.Stop()
			}
		},
	}
	return askInfo(ctx, via, p.sock.Port, slowRelayWait, opts)
}

// answerOf is what is kept of one socket's answer.
func (s *servedScanner) answerOf(ctx context.Context, l system.Socket, got asked, p *pendingAsk, r servedRound) servedAnswer {
	a := servedAnswer{Kind: got.answer.Kind, Status: got.answer.Status, At: time.Now(), Host: got.answer.Host}
	if a.Kind == ask.Unanswered {
		a.Tries = s.silent[r.ids[l]] + 1
	}
	switch {
	case got.id == IdentityFlowMeter && p.onward.Load():
		// A slow relay: its connection onward was seen while it served.
		p.prove(r.sys)
		a.FlowMeter, a.trace = true, p.served(a.Host, false)
	case got.id == IdentityFlowMeter:
		a.FlowMeter = true
		a.trace = s.trace(ctx, l, a.Host, r)
	case a.Kind == ask.Unanswered && p.onward.Load():
		p.prove(r.sys)
		switch {
		case p.proven:
			a.FlowMeter, a.trace = true, p.served("", true)
		case !p.other && !p.shared.Load():
			// Whose connection it was cannot be seen (another user's).
			a.Unsure = fmt.Sprintf("it did not answer within %s, and a connection to FlowMeter's port %d was opened while it was asked, by a process Localguard may not see", slowRelayWait, p.target.Port)
			a.unsurePID, a.unsureTarget, a.unsureLate = p.holder, p.target.Port, true
		}
	case got.http:
		a.Unsure, a.unsurePID, a.unsureTarget = r.hosts.unsure(l.Port, r.fmPorts(), r.hosts.names[:min(got.answer.NamesAsked, len(r.hosts.names))])
		a.namesCut = got.answer.NamesAsked < len(r.hosts.names)
	}
	return a
}

// served is what a watched request shows: a relay to the FlowMeter its
// connection onward went to.
func (p *pendingAsk) served(host string, late bool) served {
	p.mu.Lock()
	defer p.mu.Unlock()
	return served{sock: p.sock, holder: p.holder, target: p.target.Port, targetSock: p.target, proven: p.proven, host: host, late: late}
}

// trace asks a socket that answered as FlowMeter once more, looking at
// the kernel's connections while its answer is being served: a connection
// the socket's holder opens then to a listening port of this computer is
// where the answer comes from (a relay, proven by the answer it passed
// on); none means the socket serves FlowMeter itself.
func (s *servedScanner) trace(ctx context.Context, l system.Socket, host string, r servedRound) served {
	out := served{sock: l, holder: holderOf(r.sys, l), host: host}
	before, _ := system.RecentConnections()
	var during []system.Conn
	askInfo(ctx, r.viaFor(l), l.Port, servedTimeout, ask.Options{
		Host:   host,
		Served: func() { during, _ = system.RecentConnections() },
	})
	seen := map[connKey]bool{}
	for _, c := range before {
		seen[keyOf(c)] = true
	}
	listening := map[int]system.Socket{}
	for _, x := range r.listening {
		if x.Port != l.Port {
			listening[x.Port] = x
		}
	}
	var held map[uint64]bool
	if out.holder != 0 {
		held = inodeSet(r.sys.Sockets(out.holder))
	}
	for _, c := range during {
		if !seen[keyOf(c)] && r.own(c.Local.Addr()) && r.own(c.Remote.Addr()) {
			out.consider(c, listening, held)
		}
	}
	if out.target == 0 {
		s.pooled(ctx, &out, during, listening, held, r)
	}
	return out
}

// consider takes a new connection c between two of this computer's
// addresses as the way onward when it goes to another listening port,
// preferring one the holder is proven to hold open.
func (out *served) consider(c system.Conn, listening map[int]system.Socket, held map[uint64]bool) {
	up, ok := onward(c, out.sock.Port, listening)
	if !ok {
		return
	}
	proven := !c.Closing && (held[c.Inode] || c.PID != 0 && c.PID == out.holder)
	if out.target == 0 || proven && !out.proven {
		out.target, out.targetSock, out.proven = up.Port, up, proven
	}
}

// pooled finds a relay that keeps its connection onward open between
// requests (a keep-alive pool: Node's http agent, nginx's upstream
// keepalive), so that the answer came through no new connection: one the
// holder holds open to a listening port of this computer that answers as
// FlowMeter itself.
func (s *servedScanner) pooled(ctx context.Context, out *served, conns []system.Conn, listening map[int]system.Socket, held map[uint64]bool, r servedRound) {
	for _, c := range conns {
		mine := held[c.Inode] || c.PID != 0 && c.PID == out.holder
		if c.Closing || !mine || !r.own(c.Remote.Addr()) {
			continue
		}
		up, ok := onward(c, out.sock.Port, listening)
		if !ok || up.Port != int(c.Remote.Port()) {
			continue
		}
		if r.found[up.Inode] || IdentifyFlowMeter(ctx, probeAddr(up), up.Port, servedTimeout) == IdentityFlowMeter {
			out.target, out.targetSock, out.proven = up.Port, up, true
			return
		}
	}
}

// connKey tells connections apart: by the kernel's cookie where it gives
// one (loopback connections reuse the ports of one closed a moment ago),
// else by both ends and whether it is closing.
type connKey struct {
	cookie        uint64
	local, remote netip.AddrPort
	closing       bool
}

func keyOf(c system.Conn) connKey {
	if c.Cookie != 0 {
		return connKey{cookie: c.Cookie}
	}
	return connKey{local: c.Local, remote: c.Remote, closing: c.Closing}
}

// onward is the listening socket a connection goes to when it is one
// between a process of this computer and a listening port other than the
// relay's own (either end may be the one listed: the connector's, or the
// listener's side of it).
func onward(c system.Conn, own int, listening map[int]system.Socket) (system.Socket, bool) {
	if c.Remote.Port() == uint16(own) || c.Local.Port() == uint16(own) {
		return system.Socket{}, false
	}
	if x, ok := listening[int(c.Remote.Port())]; ok && (x.Addr.IsUnspecified() || x.Addr.Unmap() == c.Remote.Addr().Unmap()) {
		return x, true
	}
	if x, ok := listening[int(c.Local.Port())]; ok && (x.Addr.IsUnspecified() || x.Addr.Unmap() == c.Local.Addr().Unmap()) {
		return x, true
	}
	return system.Socket{}, false
}

// holderOf is the process that holds listening socket l: named by the
// listing where the system does (Windows), else found among every
// process's descriptors (as `ss -p` does: done only for a socket that
// answered as FlowMeter). 0 when none this user may see holds it.
func holderOf(sys system.Reader, l system.Socket) int32 {
	if l.PID != 0 {
		return l.PID
	}
	// Newest first: a socket that just appeared is most often held by a
	// process that just started, and reading every process's descriptors
	// is what makes `ss -p` slow.
	pids := slices.Clone(sys.PIDs())
	slices.SortFunc(pids, func(a, b int32) int { return int(b) - int(a) })
	for _, pid := range pids {
		if slices.Contains(sys.Sockets(pid), l.Inode) {
			return topHolder(sys, pid, l.Inode)
		}
	}
	return 0
}

// topHolder is the topmost of pid's ancestors that holds the socket too
// (a reloader's parent, a forking server's master): the process a person
// would stop.
func topHolder(sys system.Reader, pid int32, inode uint64) int32 {
	for range 8 {
		st, err := sys.Stat(pid)
		if err != nil || st.PPID <= 1 || !slices.Contains(sys.Sockets(st.PPID), inode) {
			return pid
		}
		pid = st.PPID
	}
	return pid
}

// socketIdentity names a listening socket for as long as it lives: on
// Linux the boot and the kernel's socket cookie (never reused within a
// boot), else its inode with its owner; where the listing names the
// holder (Windows), the holder's pid and creation time with the address.
func socketIdentity(l system.Socket, sys system.Reader) string {
	switch {
	case l.Cookie != 0:
		return fmt.Sprintf("c %d", l.Cookie)
	case l.PID != 0:
		var start uint64
		if st, err := sys.Stat(l.PID); err == nil {
			start = st.Start
		}
		return fmt.Sprintf("p %d %d %s %d", l.PID, start, l.Addr, l.Port)
	}
	return fmt.Sprintf("i %d %d %s %d", l.Inode, l.UID, l.Addr, l.Port)
}
