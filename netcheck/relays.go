package netcheck

import (
	"cmp"
	"context"
	"net/netip"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"localguard/netcheck/system"
)

// The kinds of relay, in the words of the JSON contract.
const (
	RelayProxy     RelayKind = "proxy"
	RelayTunnel    RelayKind = "tunnel"
	RelayContainer RelayKind = "container"
)

// SeenBy is what showed a relay.
type SeenBy string

// What shows a relay.
const (
	// SeenConnection: the system saw it connected to FlowMeter's port.
	SeenConnection SeenBy = "connection"
	// SeenCommandLine: its command line names FlowMeter's port, or it is
	// asked through its own address (a container's publisher, Vite,
	// kubectl).
	SeenCommandLine SeenBy = "command-line"
	// SeenConfig: its configuration (nginx's proxy_pass, Vite's proxy)
	// names the port; for a listener, an install's .env names its port.
	SeenConfig SeenBy = "config"
	// SeenAnswer: the socket itself answered GET /api/info with
	// FlowMeter's shape (for a relay: through its own address).
	SeenAnswer SeenBy = "answer"
	// SeenContainer: a container runtime's port publisher holds it.
	SeenContainer SeenBy = "container"
	// SeenFolder: its process runs in (or names) a FlowMeter backend folder.
	SeenFolder SeenBy = "folder"
)

// addSeen adds what showed something to a list, once.
func addSeen(list []SeenBy, by ...SeenBy) []SeenBy {
	for _, b := range by {
		if b != "" && !slices.Contains(list, b) {
			list = append(list, b)
		}
	}
	return list
}

// RelayKind is how a relay passes FlowMeter on: a proxy listens here, a
// tunnel carries the port elsewhere, a container publishes it.
type RelayKind string

// RelayFacts is a local process that passes FlowMeter on: it connects to
// one of FlowMeter's listening ports and listens beyond loopback itself (a
// proxy), or carries the port to another host (a tunnel).
type RelayFacts struct {
	// Owner is the relay process: the one that holds the listening socket
	// (socat's parent, nginx's master), or the tunnel.
	Owner *Owner
	// Program is what it is: socat, ssh, vite, nginx, kubectl, cloudflared,
	// ngrok, or the process's name when only the kernel's connections tell.
	Program string
	Kind    RelayKind
	// Socket is a proxy's listening socket beyond loopback; zero for a
	// tunnel.
	Socket system.Socket
	// TargetPort is FlowMeter's port it passes on, 0 when unknown.
	TargetPort int
	// Remote is a tunnel's far end (host:port).
	Remote string
	// ForwardedPort is the port a tunnel opens on the far end (ssh -R's),
	// 0 when unknown.
	ForwardedPort int
	// Confirmed is true when GET /api/info through the relay's own
	// address answered with FlowMeter's shape: the proof.
	Confirmed bool
	// Unchecked is true when the relay is known to pass FlowMeter's port
	// on (its connections or command line say so) but did not answer in
	// time.
	Unchecked bool
	// Seen says what showed the relay first; SeenBy everything that did
	// (the answer, the connection, the command line...).
	Seen   SeenBy
	SeenBy []SeenBy
	// StartedBy is the name of the relay's parent process, "" unknown.
	StartedBy string
	// Unrecognised is true when the relay's program is on no list of
	// Localguard's: only its answer and its connection showed it.
	Unrecognised bool
	// HostName is the name (Host header) a neighbour asks for to get
	// FlowMeter through it, "" when its address is enough; Late is true
	// when its answer did not come in time and the connection it opened
	// to FlowMeter's port while asked proves it; UncheckedWhy says why an
	// unchecked relay cannot be told (see servedAnswer.Unsure).
	HostName, UncheckedWhy string
	Late                   bool
	// Frontend is Vite's folder (its working folder), "" for others.
	Frontend string
	// Source is the file that puts the relay on the network when
	// Localguard can fix it there (package.json, vite.config.*), "".
	Source string
	// Answered holds the addresses a connect succeeded on, among those
	// ReachableAddrs lists for Socket.
	Answered map[netip.Addr]bool
	// Firewall is the host firewall's decision for each network and
	// address it answered on.
	Firewall FirewallAnswers

	// start is the relay process's start time when it was found, to stop
	// only that process.
	start uint64
}

// relayScanner finds relays again and again. It reads each process's
// command line once, lists the kernel's established connections on every
// poll, and remembers a process seen connected to FlowMeter's port for as
// long as it lives: a proxy holds no connection between requests.
type relayScanner struct {
	mu    sync.Mutex
	sys   system.Reader
	procs map[int32]*relayProc
	// seen are processes the kernel showed connected to FlowMeter's port:
	// pid → what was seen, kept while the process (same start time) lives.
	seen map[int32]seenConnector
	// searched are connection inodes whose holder was looked for among
	// every process and not found (another user's), and when.
	searched map[uint64]time.Time
	lastFull time.Time
	// pending are connections to FlowMeter's port whose holder is not
	// known yet, seen in the last poll.
	pending map[uint64]bool
	// resolved keeps what a candidate that is no tunnel resolved to, while
	// the listening sockets stay the same: its descriptors are not read
	// again on every poll.
	resolved map[int32]resolvedRelay
	// lastProcs is when the process list was last read, and listenKey
	// the listening sockets then: a relay that listens shows as a new
	// socket, so the list is read again at once; otherwise (a tunnel, which
	// listens nowhere here) every procsEvery.
	lastProcs time.Time
	listenKey []uint64
	answers   map[system.Socket]identityAnswer
	connsErr  error
	selfPID   int32
	listening []system.Socket
	// servedID, when set, is what the sockets a neighbour can reach
	// answered this check (see servedScanner), so they are not asked again.
	servedID func(system.Socket) (Identity, bool)
	// polled is true once a find ran: connections seen from then on are
	// given a poll to prove they last.
	polled bool
}

// known is what a socket answered this check, when it was asked already.
func (r *relayScanner) known(s system.Socket) (Identity, bool) {
	if r.servedID == nil {
		return IdentityUnknown, false
	}
	return r.servedID(s)
}

// relayProc is a process as the relay scan keeps it.
type relayProc struct {
	args  []string
	line  relayLine
	start uint64
	// config are the ports an nginx configuration passes to.
	config []int
}

// resolvedRelay is a candidate's relays, as resolved.
type resolvedRelay struct {
	target int
	seen   SeenBy
	out    []RelayFacts
}

// seenConnector is a process seen connected to FlowMeter's port.
type seenConnector struct {
	start uint64
	port  int
}

// procsEvery is how often a steady relay scan reads the process list
// again while the listening sockets stay the same.
var procsEvery = 5 * time.Second

// fullSearchEvery is how often a connection to FlowMeter's port whose
// holder is unknown makes the scan read every process's descriptors: that
// costs as much as `ss -p`, and a browser makes new connections all the
// time.
var fullSearchEvery = 15 * time.Second

// relayCandidate is a process that may pass FlowMeter on.
type relayCandidate struct {
	pid    int32
	p      *relayProc
	target int    // FlowMeter's port it connects to, 0 when unknown
	seen   SeenBy // what showed it
}

// find returns the relays of FlowMeter's sockets fm, among the listening
// sockets listening, reading the machine through sys (the Scanner's: on
// systems other than Linux it knows which process holds which listening
// socket from the Scanner's last listing).
func (r *relayScanner) find(ctx context.Context, fm []FlowMeterSocket, listening []system.Socket, sys system.Reader, own func(netip.Addr) bool, known map[int32][]string) []RelayFacts {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.begin(sys, listening, known)
	targets, fmInodes, fmPIDs := flowMeterTargets(fm, r.selfPID)
	if len(targets) == 0 {
		r.connsErr = nil
		return nil
	}
	conns, err := system.Connections()
	r.connsErr = err
	r.noteConnectors(conns, targets, fmPIDs, own)
	r.polled = true
	out := r.prove(ctx, r.resolveAll(r.candidates(targets, fmPIDs), conns, fmInodes, own))
	slices.SortFunc(out, func(a, b RelayFacts) int {
		return cmp.Or(cmp.Compare(a.Owner.PID, b.Owner.PID), cmp.Compare(a.Socket.Port, b.Socket.Port), a.Socket.Addr.Compare(b.Socket.Addr))
	})
	return out
}

// begin readies a find: the reader, the listening sockets, and the
// processes, read again when the listening sockets changed or procsEvery
// passed (the relays resolved are forgotten when the sockets changed).
func (r *relayScanner) begin(sys system.Reader, listening []system.Socket, known map[int32][]string) {
	if sys == nil {
		sys = system.New()
	}
	r.sys = sys
	if r.procs == nil {
		r.procs = map[int32]*relayProc{}
		r.seen = map[int32]seenConnector{}
		r.searched = map[uint64]time.Time{}
		r.resolved = map[int32]resolvedRelay{}
		r.selfPID = int32(os.Getpid())
	}
	r.listening = listening
	key := make([]uint64, len(listening))
	for i, l := range listening {
		key[i] = l.Inode
	}
	if !slices.Equal(key, r.listenKey) {
		r.resolved = map[int32]resolvedRelay{}
	}
	if !slices.Equal(key, r.listenKey) || time.Since(r.lastProcs) >= procsEvery {
		r.refreshProcs(known)
		r.listenKey, r.lastProcs = key, time.Now()
	} else {
		r.dropGone()
	}
}

// flowMeterTargets are the ports, socket inodes and pids of the FlowMeters
// found (self, Localguard itself, among the pids): what a relay connects
// to, and what is never a relay.
func flowMeterTargets(fm []FlowMeterSocket, self int32) (ports map[int]bool, inodes map[uint64]bool, pids map[int32]bool) {
	ports, inodes, pids = map[int]bool{}, map[uint64]bool{}, map[int32]bool{self: true}
	for _, f := range fm {
		if f.Foreign || f.Unchecked {
			continue
		}
		ports[f.Port] = true
		inodes[f.Inode] = true
		if f.Owner != nil {
			pids[f.Owner.PID] = true
		}
	}
	return ports, inodes, pids
}

// resolveAll resolves every candidate, from memory while it stays the
// same (a tunnel or ssh -L is always resolved afresh, as its connections
// decide), once per process, socket and kind: a relay's children (socat's
// forks, nginx's workers) give the same relay again.
func (r *relayScanner) resolveAll(cands []relayCandidate, conns []system.Conn, fmInodes map[uint64]bool, own func(netip.Addr) bool) []RelayFacts {
	type relayKey struct {
		pid   int32
		inode uint64
		kind  RelayKind
	}
	var out []RelayFacts
	dup := map[relayKey]bool{}
	for _, c := range cands {
		var fs []RelayFacts
		if e, ok := r.resolved[c.pid]; ok && e.target == c.target && e.seen == c.seen {
			fs = e.out
		} else {
			fs = r.resolve(c, conns, fmInodes, own)
			if !c.p.line.tunnel && !c.p.line.localForward {
				r.resolved[c.pid] = resolvedRelay{target: c.target, seen: c.seen, out: fs}
			}
		}
		for _, f := range fs {
			k := relayKey{f.Owner.PID, f.Socket.Inode, f.Kind}
			if !dup[k] {
				dup[k] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// refreshProcs reads the command line of every process not seen before
// (known holds those the Scanner just read) and drops the processes gone.
func (r *relayScanner) refreshProcs(known map[int32][]string) {
	pids := r.sys.PIDs()
	alive := make(map[int32]bool, len(pids))
	for _, pid := range pids {
		alive[pid] = true
		args, ok := known[pid]
		old := r.procs[pid]
		switch {
		case old != nil && (!ok || slices.Equal(old.args, args)):
			continue // known already
		case old != nil || !ok:
			// The Scanner saw another command line under this pid (it
			// may have been reused), or did not read it: read it now.
			args = r.sys.Args(pid)
			if old != nil && slices.Equal(old.args, args) {
				continue
			}
		}
		r.procs[pid] = r.newProc(pid, args)
	}
	for pid := range r.procs {
		if !alive[pid] {
			delete(r.procs, pid)
		}
	}
	r.dropGone()
}

// newProc reads what the relay scan keeps of a process: its command line
// and, for a relay program, its start time and configuration.
func (r *relayScanner) newProc(pid int32, args []string) *relayProc {
	p := &relayProc{args: args}
	p.line = readRelayLine(p.args)
	if p.line.prog != "" {
		if st, err := r.sys.Stat(pid); err == nil {
			p.start = st.Start
		}
		switch p.line.prog {
		case "nginx":
			p.config = nginxTargets(p.args, r.sys.Cwd(pid))
		case "vite":
			p.config = viteTargets(r.sys.Cwd(pid))
		}
	}
	return p
}

// dropGone forgets the relay processes that ended (or whose pid now names
// another process): the ones seen connected, and the relay programs.
func (r *relayScanner) dropGone() {
	for pid, s := range r.seen {
		if st, err := r.sys.Stat(pid); err != nil || st.Start != s.start {
			delete(r.seen, pid)
		}
	}
	for pid := range r.resolved {
		if r.procs[pid] == nil {
			delete(r.resolved, pid)
		}
	}
	for pid, p := range r.procs {
		if p.line.prog == "" {
			continue
		}
		if st, err := r.sys.Stat(pid); err != nil || st.Start != p.start {
			delete(r.procs, pid)
		}
	}
}

// noteConnectors remembers the processes connected to FlowMeter's ports
// now. Their holders are found from the sockets' inodes: first among the
// processes already known, then, at most every fullSearchEvery, among all.
func (r *relayScanner) noteConnectors(conns []system.Conn, targets map[int]bool, fmPIDs map[int32]bool, own func(netip.Addr) bool) {
	want := r.unknownConnectors(conns, targets, fmPIDs, own)
	if len(want) == 0 {
		return
	}
	// Known connectors and relay programs first: cheap, and usually right.
	var first []int32
	for pid := range r.seen {
		first = append(first, pid)
	}
	for pid, p := range r.procs {
		if p.line.prog != "" {
			first = append(first, pid)
		}
	}
	r.match(first, want, fmPIDs)
	if len(want) > 0 {
		r.searchAll(want, fmPIDs)
	}
}

// unknownConnectors notes the connections to FlowMeter's ports whose
// process the system names, and returns the inodes of the others whose
// holder is to be looked for, with the port each connects to.
func (r *relayScanner) unknownConnectors(conns []system.Conn, targets map[int]bool, fmPIDs map[int32]bool, own func(netip.Addr) bool) map[uint64]int {
	want := map[uint64]int{}
	pending := map[uint64]bool{}
	for _, c := range conns {
		if !targets[int(c.Remote.Port())] || targets[int(c.Local.Port())] || !own(c.Remote.Addr()) {
			continue
		}
		if c.PID != 0 {
			r.note(c.PID, int(c.Remote.Port()), fmPIDs)
			continue
		}
		if t, ok := r.searched[c.Inode]; ok && time.Since(t) < time.Minute {
			continue
		}
		// Its holder is looked for once the connection lasted a poll: a
		// relay keeps its upstream connection for a whole request or
		// session, while clients come and go (a browser on FlowMeter, a
		// script), and each search reads many descriptors.
		// A one-shot check (the first poll) looks at once.
		if !r.pending[c.Inode] && r.polled {
			pending[c.Inode] = true
			continue
		}
		want[c.Inode] = int(c.Remote.Port())
	}
	r.pending = pending
	return want
}

// searchAll looks for the holders of the wanted inodes among all
// processes, at most every fullSearchEvery (until then they are asked
// again at the next one); an inode searched is not searched again for a
// minute.
func (r *relayScanner) searchAll(want map[uint64]int, fmPIDs map[int32]bool) {
	if time.Since(r.lastFull) < fullSearchEvery {
		for ino := range want {
			r.pending[ino] = true // asked again at the next full search
		}
		return
	}
	r.lastFull = time.Now()
	r.match(r.sys.PIDs(), want, fmPIDs)
	for ino := range want {
		r.searched[ino] = time.Now()
	}
	for ino, t := range r.searched {
		if time.Since(t) > time.Minute {
			delete(r.searched, ino)
		}
	}
}

// match finds the holders of the wanted inodes among pids, and removes
// the inodes found.
func (r *relayScanner) match(pids []int32, want map[uint64]int, fmPIDs map[int32]bool) {
	for _, pid := range pids {
		if len(want) == 0 {
			return
		}
		for _, ino := range r.sys.Sockets(pid) {
			if port, ok := want[ino]; ok {
				r.note(pid, port, fmPIDs)
				delete(want, ino)
			}
		}
	}
}

func (r *relayScanner) note(pid int32, port int, fmPIDs map[int32]bool) {
	if fmPIDs[pid] {
		return
	}
	st, err := r.sys.Stat(pid)
	if err != nil {
		return
	}
	r.seen[pid] = seenConnector{start: st.Start, port: port}
}

// candidates are the processes that may pass FlowMeter on: those seen
// connected to its port, relay programs whose command line or
// configuration names its port, and Vite dev servers (whose proxy is
// asked).
func (r *relayScanner) candidates(targets map[int]bool, fmPIDs map[int32]bool) []relayCandidate {
	var out []relayCandidate
	added := map[int32]bool{}
	for pid, s := range r.seen {
		p := r.procs[pid]
		if p == nil {
			// Started since the process list was read.
			p = r.newProc(pid, r.sys.Args(pid))
			r.procs[pid] = p
		}
		out = append(out, relayCandidate{pid: pid, p: p, target: s.port, seen: SeenConnection})
		added[pid] = true
	}
	only := 0
	if len(targets) == 1 {
		for t := range targets {
			only = t
		}
	}
	for pid, p := range r.procs {
		if added[pid] || fmPIDs[pid] || p.line.prog == "" {
			continue
		}
		if c, ok := programCandidate(pid, p, targets, only); ok {
			out = append(out, c)
		}
	}
	return out
}

// programCandidate is a relay program as a candidate when its command line
// or configuration names one of FlowMeter's ports (targets); a container
// port publisher and Vite or kubectl are asked through their own address
// (only is FlowMeter's port when there is one alone, else 0).
func programCandidate(pid int32, p *relayProc, targets map[int]bool, only int) (relayCandidate, bool) {
	c := relayCandidate{pid: pid, p: p}
	for _, t := range p.line.targets {
		if targets[t] {
			c.target, c.seen = t, SeenCommandLine
			break
		}
	}
	for _, t := range p.config {
		if c.target == 0 && targets[t] {
			c.target, c.seen = t, SeenConfig
		}
	}
	switch {
	case c.target != 0:
	case p.line.container:
		// A container's published port that is not FlowMeter's own
		// (those are its listeners): the web page server's container,
		// asked through its own address.
		if targets[p.line.hostPort] {
			return c, false
		}
		c.target, c.seen = p.line.containerPort, SeenCommandLine
	case p.line.prog == "vite" || p.line.prog == "kubectl":
		// Their target is in their config or elsewhere: asked through
		// their own address.
		c.target, c.seen = only, SeenCommandLine
	default:
		return c, false
	}
	return c, true
}

// resolve turns a candidate into relays: one per listening socket beyond
// loopback (a proxy), or a tunnel. A child of a relay (socat's fork, an
// nginx worker) is reported as the parent that holds the listening socket.
func (r *relayScanner) resolve(c relayCandidate, conns []system.Conn, fmInodes map[uint64]bool, own func(netip.Addr) bool) []RelayFacts {
	holder, p, socks := r.holder(c.pid, c.p)
	prog := cmp.Or(p.line.prog, c.p.line.prog)
	owner := r.owner(holder, p)
	if prog == "" {
		prog = owner.Name
	}
	remote, localPeer := farEnd(conns, socks, own, c.pid, holder)
	if p.line.localForward && c.seen == SeenCommandLine && remote.IsValid() && !localPeer {
		// ssh -L to another host: its target is that host's port.
		return nil
	}
	base := RelayFacts{Owner: owner, Program: prog, TargetPort: c.target, Seen: c.seen}
	if st, err := r.sys.Stat(holder); err == nil {
		base.start = st.Start
	}
	if prog == "vite" {
		base.Frontend = owner.Cwd
		if !strings.HasPrefix(r.sys.Root(holder), "/proc/") {
			base.Source = viteSource(owner.Cwd, p.line.hostSet)
		}
	}
	out := r.proxies(base, p.line, socks, fmInodes)
	if p.line.tunnel && remote.IsValid() && c.target != 0 {
		f := base
		f.Kind, f.Remote, f.ForwardedPort = RelayTunnel, remote.String(), p.line.forwards[c.target]
		f.Confirmed = true // a tunnel is proven by its connection to the far end
		out = append(out, f)
	}
	return out
}

// holder is the process that holds a relay's listening socket, and the
// sockets it holds. The listening socket may be the parent's (socat's fork
// handles one connection and holds no listening socket; an nginx worker
// holds the master's): the parent of the same name is the relay then. A
// child listening on its own (a forwarder started by another program of
// the same name) is the relay itself.
func (r *relayScanner) holder(pid int32, p *relayProc) (int32, *relayProc, map[uint64]bool) {
	socks := inodeSet(r.sys.Sockets(pid))
	st, err := r.sys.Stat(pid)
	if err != nil || st.PPID <= 1 || r.procs[st.PPID] == nil {
		return pid, p, socks
	}
	if pst, err := r.sys.Stat(st.PPID); err != nil || pst.Name != st.Name {
		return pid, p, socks
	}
	parent := inodeSet(r.sys.Sockets(st.PPID))
	for _, l := range r.listening {
		if socks[l.Inode] && !parent[l.Inode] {
			return pid, p, socks // it listens on its own
		}
	}
	for ino := range parent {
		socks[ino] = true
	}
	return st.PPID, r.procs[st.PPID], socks
}

// inodeSet is a set of socket inodes.
func inodeSet(inodes []uint64) map[uint64]bool {
	set := make(map[uint64]bool, len(inodes))
	for _, ino := range inodes {
		set[ino] = true
	}
	return set
}

// farEnd is where a relay's connections go that is not this computer
// (invalid when none does), and whether one goes to this computer.
func farEnd(conns []system.Conn, socks map[uint64]bool, own func(netip.Addr) bool, pids ...int32) (remote netip.AddrPort, localPeer bool) {
	for _, cn := range conns {
		if !(cn.Inode != 0 && socks[cn.Inode] || cn.PID != 0 && slices.Contains(pids, cn.PID)) {
			continue
		}
		if own(cn.Remote.Addr()) {
			localPeer = true
		} else if !remote.IsValid() {
			remote = cn.Remote
		}
	}
	return remote, localPeer
}

// proxies are a relay's listening sockets beyond loopback (a container's
// published port too), each a RelayFacts like base; FlowMeter's own
// sockets are not.
func (r *relayScanner) proxies(base RelayFacts, line relayLine, socks, fmInodes map[uint64]bool) []RelayFacts {
	var out []RelayFacts
	for _, s := range r.listening {
		published := line.container && s.Port == line.hostPort && (!line.hostSet || publisherAddr(line.host) == s.Addr.Unmap())
		if !socks[s.Inode] && !published || fmInodes[s.Inode] || s.Addr.IsLoopback() {
			continue
		}
		f := base
		f.Kind, f.Socket = RelayProxy, s
		if line.container {
			f.Kind = RelayContainer
		}
		out = append(out, f)
	}
	return out
}

// publisherAddr is a port publisher's -host-ip, invalid when unreadable.
func publisherAddr(h string) netip.Addr {
	a, _ := netip.ParseAddr(strings.Trim(h, "[]"))
	return a.Unmap()
}

// owner is the Owner of a relay process.
func (r *relayScanner) owner(pid int32, p *relayProc) *Owner {
	o := &Owner{PID: pid, Args: p.args, Cmdline: strings.Join(p.args, " "), Cwd: r.sys.Cwd(pid), Start: StartUnknown}
	if st, err := r.sys.Stat(pid); err == nil {
		o.Name = st.Name
	}
	if o.Name == "" && len(p.args) > 0 {
		o.Name = baseName(p.args[0])
	}
	if p.line.prog == "vite" {
		o.Start = StartVite
		o.HostFlag, o.HostFlagSet = p.line.host, p.line.hostSet
	}
	return o
}

// prove asks GET /api/info through each proxy's own address (only this
// computer's), all at once: a relay is FlowMeter's when the answer has
// FlowMeter's shape. A proxy that answers as something else is dropped;
// one that does not answer in time is kept unchecked when its connections
// or command line tie it to FlowMeter's port.
func (r *relayScanner) prove(ctx context.Context, in []RelayFacts) []RelayFacts {
	ids := r.ask(ctx, in)
	now := time.Now()
	var out []RelayFacts
	for i, f := range in {
		if f.Kind == RelayTunnel {
			out = append(out, f)
			continue
		}
		if _, ok := r.answers[f.Socket]; !ok && ids[i] != IdentityUnknown && ctx.Err() == nil {
			r.answers[f.Socket] = identityAnswer{id: ids[i], at: now}
		}
		switch {
		case ids[i] == IdentityFlowMeter:
			f.Confirmed = true
		case ids[i] == IdentityUnknown && f.TargetPort != 0:
			f.Unchecked = true
		default:
			continue
		}
		out = append(out, f)
	}
	return out
}

// ask is what each proxy answers (a tunnel is not asked): from memory
// when it answered as FlowMeter, or anything within recheckPending; the
// others are asked all at once. The answers of sockets no longer asked
// about are forgotten.
func (r *relayScanner) ask(ctx context.Context, in []RelayFacts) []Identity {
	ids := make([]Identity, len(in))
	kept := map[system.Socket]identityAnswer{}
	for _, f := range in {
		if a, ok := r.answers[f.Socket]; ok && f.Kind != RelayTunnel && (a.id == IdentityFlowMeter || time.Since(a.at) < recheckPending) {
			kept[f.Socket] = a
		}
	}
	r.answers = kept
	var wg sync.WaitGroup
	for i, f := range in {
		if f.Kind == RelayTunnel {
			continue
		}
		if a, ok := r.answers[f.Socket]; ok {
			ids[i] = a.id
			continue
		}
		if id, ok := r.known(f.Socket); ok {
			// Asked already, as every socket a neighbour can reach is.
			ids[i] = id
			continue
		}
		wg.Go(func() { ids[i] = IdentifyFlowMeter(ctx, probeAddr(f.Socket), f.Socket.Port, identifyRetryTimeout) })
	}
	wg.Wait()
	return ids
}

// err is why the last scan could not list the connections, nil when it
// could.
func (r *relayScanner) err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.connsErr
}

// ownAddrsOf is a test of whether an address is this computer's, from the
// interfaces a check already listed (loopback always is).
func ownAddrsOf(ifaces []Interface) func(netip.Addr) bool {
	set := map[netip.Addr]bool{}
	for _, it := range ifaces {
		for _, a := range it.Addrs {
			set[a.Prefix.Addr().Unmap().WithZone("")] = true
		}
	}
	return func(a netip.Addr) bool {
		a = a.Unmap().WithZone("")
		return a.IsLoopback() || set[a]
	}
}
