package relay

import (
	"cmp"
	"net/netip"
	"os"
	"regexp"
	"slices"
	"sync"
	"time"

	"localguard/netcheck/system"
)

// Scanner finds relays again and again. It reads each process's command
// line once, lists the kernel's established connections on every poll, and
// remembers a process seen connected to FlowMeter's port for as long as it
// lives: a proxy holds no connection between requests. The zero Scanner is
// ready; it is not safe for concurrent use.
type Scanner struct {
	// NotAsked, when set, says which ports are never connected to, and
	// why: a listener there beyond loopback is a relay when its holder's
	// command line or configuration names FlowMeter's port (see
	// quietRelays).
	NotAsked func(port int) (reason string, never bool)
	// Listed, when set before a Find, are the processes running, as the
	// caller listed them a moment ago: taken instead of listing /proc
	// again when the process list is read. Find clears it.
	Listed []int32

	sys   system.Reader
	own   func(netip.Addr) bool
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
	selfPID   int32
	listening []system.Socket
	// quiet are the holders of listeners on NotAsked ports, by inode.
	quiet map[uint64]quietHolder
	// polled is true once a find ran: connections seen from then on are
	// given a poll to prove they last.
	polled bool
}

// relayProc is a process as the relay scan keeps it.
type relayProc struct {
	args  []string
	line  relayLine
	start uint64
	// config are the ports an nginx or Vite configuration passes to.
	config []int
}

// resolvedRelay is a candidate's relays, as resolved.
type resolvedRelay struct {
	target int
	seen   Seen
	out    []Found
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
	target int  // FlowMeter's port it connects to, 0 when unknown
	seen   Seen // what showed it
}

// Find returns what may relay FlowMeter's sockets fm, among the listening
// sockets listening, reading the machine through sys (nil: this
// computer's; elsewhere than Linux it should be the Reader that listed
// listening, which knows their holders). own tells this computer's
// addresses; known holds command lines read already, by pid. The error
// says why the kernel's connections could not be listed (the relays found
// by their programs are still returned).
func (r *Scanner) Find(sys system.Reader, fm []Target, listening []system.Socket, own func(netip.Addr) bool, known map[int32][]string) ([]Found, error) {
	r.begin(sys, listening, own, known)
	r.Listed = nil
	targets, fmInodes, fmPIDs := targetSets(fm, r.selfPID)
	if len(targets) == 0 {
		return nil, nil
	}
	conns, err := system.Connections()
	r.noteConnectors(conns, targets, fmPIDs)
	r.polled = true
	out := r.resolveAll(r.candidates(targets, fmPIDs), conns, fmInodes)
	for _, q := range r.quietRelays(targets, fmInodes) {
		if !slices.ContainsFunc(out, func(f Found) bool { return f.Kind != Tunnel && f.Socket.Inode == q.Socket.Inode }) {
			out = append(out, q)
		}
	}
	slices.SortFunc(out, func(a, b Found) int {
		return cmp.Or(cmp.Compare(a.PID, b.PID), cmp.Compare(a.Socket.Port, b.Socket.Port), a.Socket.Addr.Compare(b.Socket.Addr))
	})
	return out, err
}

// begin readies a find: the reader, the listening sockets, and the
// processes, read again when the listening sockets changed or procsEvery
// passed (the relays resolved are forgotten when the sockets changed).
func (r *Scanner) begin(sys system.Reader, listening []system.Socket, own func(netip.Addr) bool, known map[int32][]string) {
	if sys == nil {
		sys = system.New()
	}
	if own == nil {
		own = netip.Addr.IsLoopback
	}
	r.sys, r.own = sys, own
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

// targetSets are the ports, socket inodes and pids of the FlowMeters
// found (self, Localguard itself, among the pids): what a relay connects
// to, and what is never a relay.
func targetSets(fm []Target, self int32) (ports map[int]bool, inodes map[uint64]bool, pids map[int32]bool) {
	ports, inodes, pids = map[int]bool{}, map[uint64]bool{}, map[int32]bool{self: true}
	for _, f := range fm {
		ports[f.Port] = true
		inodes[f.Inode] = true
		if f.PID != 0 {
			pids[f.PID] = true
		}
	}
	return ports, inodes, pids
}

// resolveAll resolves every candidate, from memory while it stays the
// same (a tunnel or ssh -L is always resolved afresh, as its connections
// decide), once per process, socket and kind: a relay's children (socat's
// forks, nginx's workers) give the same relay again.
func (r *Scanner) resolveAll(cands []relayCandidate, conns []system.Conn, fmInodes map[uint64]bool) []Found {
	type relayKey struct {
		pid   int32
		inode uint64
		kind  Kind
	}
	var out []Found
	dup := map[relayKey]bool{}
	for _, c := range cands {
		var fs []Found
		if e, ok := r.resolved[c.pid]; ok && e.target == c.target && e.seen == c.seen {
			fs = e.out
		} else {
			fs = r.resolve(c, conns, fmInodes)
			if !c.p.line.tunnel && !c.p.line.localForward {
				r.resolved[c.pid] = resolvedRelay{target: c.target, seen: c.seen, out: fs}
			}
		}
		for _, f := range fs {
			k := relayKey{f.PID, f.Socket.Inode, f.Kind}
			if !dup[k] {
				dup[k] = true
				out = append(out, f)
			}
		}
	}
	return out
}

// refreshProcs reads the command line of every process not seen before
// (known holds those the caller just read) and drops the processes gone.
func (r *Scanner) refreshProcs(known map[int32][]string) {
	pids := r.Listed
	if pids == nil {
		pids = r.sys.PIDs()
	}
	alive := make(map[int32]bool, len(pids))
	for _, pid := range pids {
		alive[pid] = true
		args, ok := known[pid]
		old := r.procs[pid]
		switch {
		case old != nil && (!ok || slices.Equal(old.args, args)):
			continue // known already
		case old != nil || !ok:
			// The caller saw another command line under this pid (it
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
func (r *Scanner) newProc(pid int32, args []string) *relayProc {
	p := &relayProc{args: args}
	p.line = readLine(p.args, r.own)
	if p.line.prog != "" {
		if st, err := r.sys.Stat(pid); err == nil {
			p.start = st.Start
		}
		switch p.line.prog {
		case "nginx":
			p.config = nginxTargets(p.args, r.sys.Cwd(pid), r.own)
		case "vite":
			p.config = viteTargets(r.sys.Cwd(pid))
		}
	}
	return p
}

// dropGone forgets the relay processes that ended (or whose pid now names
// another process): the ones seen connected, and the relay programs.
func (r *Scanner) dropGone() {
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

// lazyRE is a regular expression compiled on its first use: most checks
// read no configuration, and compiling them all when the program starts
// was most of this package's start-up.
func lazyRE(expr string) func() *regexp.Regexp {
	return sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })
}
