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
	// Seen says what showed the relay: "connection" (the kernel saw it
	// connect to FlowMeter's port), "command-line" or "config".
	Seen string
	// Frontend is Vite's folder (its working folder), "" for others.
	Frontend string
	// Source is the file that puts the relay on the network when
	// Localguard can fix it there (package.json, vite.config.*), "".
	Source string
	// Answered holds the addresses a connect succeeded on, among those
	// ReachableAddrs lists for Socket.
	Answered map[netip.Addr]bool

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
	seen   string
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
	seen   string // what showed it
}

// find returns the relays of FlowMeter's sockets fm, among the listening
// sockets listening, reading the machine through sys (the Scanner's: on
// systems other than Linux it knows which process holds which listening
// socket from the Scanner's last listing).
func (r *relayScanner) find(ctx context.Context, fm []FlowMeterSocket, listening []system.Socket, sys system.Reader, own func(netip.Addr) bool, known map[int32][]string) []RelayFacts {
	r.mu.Lock()
	defer r.mu.Unlock()
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
	targets := map[int]bool{}
	fmInodes := map[uint64]bool{}
	fmPIDs := map[int32]bool{r.selfPID: true}
	for _, f := range fm {
		if f.Foreign || f.Unchecked {
			continue
		}
		targets[f.Port] = true
		fmInodes[f.Inode] = true
		if f.Owner != nil {
			fmPIDs[f.Owner.PID] = true
		}
	}
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
	if len(targets) == 0 {
		r.connsErr = nil
		return nil
	}
	conns, err := system.Connections()
	r.connsErr = err
	r.noteConnectors(conns, targets, fmPIDs, own)

	cands := r.candidates(targets, fmPIDs)
	var out []RelayFacts
	type relayKey struct {
		pid   int32
		inode uint64
		kind  RelayKind
	}
	dup := map[relayKey]bool{}
	for _, c := range cands {
		var fs []RelayFacts
		if e, ok := r.resolved[c.pid]; ok && e.target == c.target && e.seen == c.seen {
			fs = e.out
		} else {
			fs = r.resolve(c, conns, fmInodes, targets, own)
			if !c.p.line.tunnel && !c.p.line.localForward {
				r.resolved[c.pid] = resolvedRelay{target: c.target, seen: c.seen, out: fs}
			}
		}
		for _, f := range fs {
			// A relay's children (socat's forks, nginx's workers) give
			// the same relay again.
			k := relayKey{f.Owner.PID, f.Socket.Inode, f.Kind}
			if !dup[k] {
				dup[k] = true
				out = append(out, f)
			}
		}
	}
	out = r.prove(ctx, out)
	slices.SortFunc(out, func(a, b RelayFacts) int {
		return cmp.Or(cmp.Compare(a.Owner.PID, b.Owner.PID), cmp.Compare(a.Socket.Port, b.Socket.Port), a.Socket.Addr.Compare(b.Socket.Addr))
	})
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
		if !r.pending[c.Inode] {
			pending[c.Inode] = true
			continue
		}
		want[c.Inode] = int(c.Remote.Port())
	}
	r.pending = pending
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
	if len(want) == 0 {
		return
	}
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
		out = append(out, relayCandidate{pid: pid, p: p, target: s.port, seen: "connection"})
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
		c := relayCandidate{pid: pid, p: p}
		for _, t := range p.line.targets {
			if targets[t] {
				c.target, c.seen = t, "command-line"
				break
			}
		}
		for _, t := range p.config {
			if c.target == 0 && targets[t] {
				c.target, c.seen = t, "config"
			}
		}
		switch {
		case c.target != 0:
		case p.line.container:
			// A container's published port that is not FlowMeter's own
			// (those are its listeners): the web page server's container,
			// asked through its own address.
			if targets[p.line.hostPort] {
				continue
			}
			c.target, c.seen = p.line.containerPort, "command-line"
		case p.line.prog == "vite" || p.line.prog == "kubectl":
			// Their target is in their config or elsewhere: asked
			// through their own address.
			c.target, c.seen = only, "command-line"
		default:
			continue
		}
		out = append(out, c)
	}
	return out
}

// resolve turns a candidate into relays: one per listening socket beyond
// loopback (a proxy), or a tunnel. A child of a relay (socat's fork, an
// nginx worker) is reported as the parent that holds the listening socket.
func (r *relayScanner) resolve(c relayCandidate, conns []system.Conn, fmInodes map[uint64]bool, targets map[int]bool, own func(netip.Addr) bool) []RelayFacts {
	pid, p := c.pid, c.p
	socks := map[uint64]bool{}
	for _, ino := range r.sys.Sockets(pid) {
		socks[ino] = true
	}
	// The listening socket may be the parent's (socat's fork handles one
	// connection and holds no listening socket; an nginx worker holds the
	// master's): the parent of the same name is the relay then. A child
	// listening on its own (a forwarder started by another program of the
	// same name) is the relay itself.
	holder := pid
	if st, err := r.sys.Stat(pid); err == nil {
		if pp := r.procs[st.PPID]; pp != nil && st.PPID > 1 {
			if pst, err := r.sys.Stat(st.PPID); err == nil && pst.Name == st.Name {
				parent := map[uint64]bool{}
				for _, ino := range r.sys.Sockets(st.PPID) {
					parent[ino] = true
				}
				inherited := true
				for _, l := range r.listening {
					if socks[l.Inode] && !parent[l.Inode] {
						inherited = false
					}
				}
				if inherited {
					holder, p = st.PPID, pp
					for ino := range parent {
						socks[ino] = true
					}
				}
			}
		}
	}
	prog := cmp.Or(p.line.prog, c.p.line.prog)
	owner := r.owner(holder, p)
	if prog == "" {
		prog = owner.Name
	}
	var remote netip.AddrPort
	localPeer := false
	for _, cn := range conns {
		if cn.Inode != 0 && socks[cn.Inode] || cn.PID != 0 && (cn.PID == pid || cn.PID == holder) {
			if own(cn.Remote.Addr()) {
				localPeer = true
			} else if !remote.IsValid() {
				remote = cn.Remote
			}
		}
	}
	if p.line.localForward && c.seen == "command-line" && remote.IsValid() && !localPeer {
		// ssh -L to another host: its target is that host's port.
		return nil
	}
	var out []RelayFacts
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
	for _, s := range r.listening {
		published := p.line.container && s.Port == p.line.hostPort && (!p.line.hostSet || publisherAddr(p.line.host) == s.Addr.Unmap())
		if !socks[s.Inode] && !published || fmInodes[s.Inode] || s.Addr.IsLoopback() {
			continue
		}
		f := base
		f.Kind, f.Socket = RelayProxy, s
		if p.line.container {
			f.Kind = RelayContainer
		}
		out = append(out, f)
	}
	if p.line.tunnel && remote.IsValid() && c.target != 0 {
		f := base
		f.Kind, f.Remote, f.ForwardedPort = RelayTunnel, remote.String(), p.line.forwards[c.target]
		f.Confirmed = true // a tunnel is proven by its connection to the far end
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
		wg.Go(func() { ids[i] = IdentifyFlowMeter(ctx, probeAddr(f.Socket), f.Socket.Port, identifyRetryTimeout) })
	}
	wg.Wait()
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
