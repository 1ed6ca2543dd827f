package netcheck

import (
	"cmp"
	"context"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"localguard/envfix"
	"localguard/netcheck/ask"
	fmrelay "localguard/netcheck/relay"
	"localguard/netcheck/system"
)

// FlowMeterSocket is a listening socket that is FlowMeter's, or may be,
// and the process that holds it.
type FlowMeterSocket struct {
	system.Socket
	// Owner is the process that holds the socket, nil when this user may
	// not see it (a process of another user).
	Owner *Owner
	// Confirmed is true when GET /api/info on the socket answered with
	// FlowMeter's shape.
	Confirmed bool
	// Evidence is true when the owner is FlowMeter by how it was started
	// and where it runs (its entry point run in a FlowMeter backend, the
	// released FlowMeter, a container publishing an install's port): it
	// counts as FlowMeter even when it does not answer.
	Evidence bool
	// Unchecked is true when the socket may be FlowMeter's but neither its
	// owner nor its answers (none came, even with a longer deadline) tell.
	Unchecked bool
	// Foreign is true when the socket is bound to an address this computer
	// does not have (IP_FREEBIND): it is never probed.
	Foreign bool
	// Backend is the backend folder of the install the socket belongs to,
	// "" when that cannot be known.
	Backend string
	// SettingsDir is the folder whose .env the owner read at its start
	// (its working folder), "" when unknown: FlowMeter reads ".env"
	// relative to its working folder, whatever the install.
	SettingsDir string
	// CwdGone is true when the owner's working folder was deleted or
	// replaced after it started.
	CwdGone bool
	// SeenBy is what showed the socket: its answer, its command line, its
	// folder, an install's port, a container, a relay's connection to it.
	SeenBy []SeenBy
}

// Hint is an install Localguard knows of: any listener on its port is asked
// whether it is FlowMeter, even when no visible process holds it, and a
// process running in its backend folder (by any path: a bind mount, a
// container's volume) is attributed to it.
type Hint struct {
	BackendDir string
	Port       int
}

// FindFlowMeter returns the listening TCP sockets (IPv4 and IPv6) of the
// FlowMeter install whose backend folder is backendDir and whose port is
// port, and never another program's; with backendDir "", every FlowMeter
// on this computer. See Scanner.Scan for what makes a socket FlowMeter's.
func FindFlowMeter(ctx context.Context, backendDir string, port int) ([]FlowMeterSocket, error) {
	all, err := new(Scanner).Scan(ctx, Hint{BackendDir: backendDir, Port: port})
	if err != nil || backendDir == "" {
		return all, err
	}
	dir := resolveDir(backendDir)
	var out []FlowMeterSocket
	for _, f := range all {
		if f.Backend == dir || f.Backend == "" && f.Owner == nil {
			out = append(out, f)
		}
	}
	return out, nil
}

// Scanner finds FlowMeter's sockets again and again, cheaply: while the set
// of listening sockets and the processes that own FlowMeter's stay the same,
// a Scan reads only the kernel's socket list and answers from memory. The
// zero Scanner is ready to use; it is safe for concurrent use.
type Scanner struct {
	mu   sync.Mutex
	sys  system.Reader
	last *scan
	// answers remembers what sockets said they are: FlowMeter for as long
	// as the socket lives, not FlowMeter for recheckPending (a container's
	// publisher answers for FlowMeter only once the container is up); a
	// socket that did not answer is asked again at once.
	answers map[system.Socket]identityAnswer
	// args are the command lines the last full scan read, by pid, for the
	// relay scan to use rather than read them again (replaced, never
	// changed, by each full scan).
	args map[int32][]string
	// pids are the processes the last full scan listed, and when.
	pids   []int32
	pidsAt time.Time
	// kept are the FlowMeter answers kept between runs (see keep).
	kept keptIdentities
}

// identityAnswer is what a socket answered, and when.
type identityAnswer struct {
	id Identity
	// http is true when the socket answered HTTP.
	http bool
	at   time.Time
}

// scan is the result of a full scan, kept to answer the next ones.
type scan struct {
	raw     []Hint // the hints as given
	sockets []system.Socket
	// owners are the reported owners' start times, to notice a process
	// replaced under the same pid.
	owners map[int32]uint64
	found  []FlowMeterSocket
	// recheck is true when a candidate could not be checked or answered
	// as another program: it is asked again after recheckPending.
	recheck bool
	at      time.Time
}

// recheckPending is how often a steady Scan asks the sockets that did not
// answer again (a variable for tests).
var recheckPending = 5 * time.Second

// Deadlines of the two rounds of GET /api/info: a candidate that does not
// answer within the first is asked again with the second, all at once,
// before it is called unchecked.
var (
	identifyTimeout      = httpTimeout
	identifyRetryTimeout = 5 * time.Second
)

// Scan finds every FlowMeter listening on this computer, however it was
// started, and the sockets that may be FlowMeter's but could not be
// checked. A socket is FlowMeter's when its owner is FlowMeter by evidence
// (see FlowMeterSocket.Evidence) or when GET /api/info answers with
// FlowMeter's shape. The candidates asked are: sockets of FlowMeter's entry
// points anywhere (python -m app.main, uvicorn or gunicorn serving
// app.main:app, run.py, the released binary, a Vite dev server whose proxy
// answers for FlowMeter), of any Python process whose working folder,
// command line or PYTHONPATH holds a FlowMeter backend, of container port
// publishers, and any socket on a hinted install's port. Other programs on
// other ports are never asked. Only this computer's own addresses are
// probed.
//
// A process tree sharing one socket (uvicorn --reload, gunicorn workers)
// gives one FlowMeterSocket, owned by the process a person would stop: the
// one started as FlowMeter, topmost in the tree.
func (s *Scanner) Scan(ctx context.Context, hints ...Hint) ([]FlowMeterSocket, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sys == nil {
		s.sys = system.New()
	}
	var k *hintSet
	if last := s.last; last != nil && slices.Equal(last.raw, hints) {
		k = nil // resolving folders costs more than the rest of a steady Scan
	} else {
		k = newHintSet(hints)
	}
	socks, err := s.sys.Listeners(ctx)
	if err != nil {
		return nil, err
	}
	slices.SortFunc(socks, func(a, b system.Socket) int { return cmp.Compare(a.Inode, b.Inode) })
	if last := s.last; last != nil && k == nil && slices.EqualFunc(last.sockets, socks, sameSocket) &&
		s.ownersAlive(last) && (!last.recheck || time.Since(last.at) < recheckPending) {
		return cloneFound(last.found), nil
	}
	if k == nil {
		k = newHintSet(hints)
	}
	found, owners, recheck := s.attribute(ctx, k, socks)
	if err := ctx.Err(); err != nil {
		// Probes cut short prove nothing: keep nothing of this scan.
		return nil, err
	}
	s.last = &scan{raw: slices.Clone(hints), sockets: socks, owners: owners, found: found, recheck: recheck, at: time.Now()}
	return cloneFound(found), nil
}

// sameSocket reports whether two listings show the same socket.
func sameSocket(a, b system.Socket) bool {
	return a.Inode == b.Inode && a.Addr == b.Addr && a.Port == b.Port && a.UID == b.UID
}

// hintSet is the hints of a scan, their folders resolved.
type hintSet struct {
	backends []knownDir // backend folders, resolved
	ports    []int
	// portDirs maps an install's port to its backend folder, to attribute
	// a container publishing that port.
	portDirs map[int]string
}

// knownDir is a folder and its identity on disk, to recognise it through
// another path (a bind mount, a container's volume).
type knownDir struct {
	path string
	info os.FileInfo // nil when it cannot be read
}

func newHintSet(hints []Hint) *hintSet {
	k := &hintSet{ports: []int{envfix.DefaultPort}, portDirs: map[int]string{}}
	for _, h := range hints {
		if h.Port > 0 && !slices.Contains(k.ports, h.Port) {
			k.ports = append(k.ports, h.Port)
		}
		if h.BackendDir == "" {
			continue
		}
		d := resolveDir(h.BackendDir)
		if _, ok := k.portDirs[h.Port]; !ok && h.Port > 0 {
			k.portDirs[h.Port] = d
		}
		if slices.ContainsFunc(k.backends, func(b knownDir) bool { return b.path == d }) {
			continue
		}
		info, _ := os.Stat(d)
		k.backends = append(k.backends, knownDir{path: d, info: info})
	}
	return k
}

// hintedPort reports whether port is an install's port (or FlowMeter's
// default).
func (k *hintSet) hintedPort(port int) bool { return slices.Contains(k.ports, port) }

// known finds the hinted backend that dir is (or the checkout's frontend
// folder beside it), by identity on disk; root is where the process's
// files are seen from ("" for this mount namespace).
func (k *hintSet) known(root, dir string) (backend string, frontend bool) {
	if dir == "" {
		return "", false
	}
	var info os.FileInfo
	for _, b := range k.backends {
		if b.path == dir && root == "" {
			return b.path, false
		}
		if within(dir, filepath.Join(filepath.Dir(b.path), "frontend")) && root == "" {
			return b.path, true
		}
		if b.info == nil {
			continue
		}
		if info == nil {
			var err error
			if info, err = os.Stat(root + dir); err != nil {
				return "", false
			}
		}
		if os.SameFile(info, b.info) {
			return b.path, false
		}
	}
	return "", false
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
		st, err := s.sys.Stat(pid)
		if err != nil || st.Start != start {
			return false
		}
	}
	return true
}

// candidate is a socket that may be FlowMeter's.
type candidate struct {
	sock     system.Socket
	owner    *proc
	evidence bool // FlowMeter's by its owner, whatever it answers
	foreign  bool // bound to an address this computer does not have
}

// attribute is a full scan: it finds the candidate processes, the sockets
// they hold, and decides which sockets are FlowMeter's.
func (s *Scanner) attribute(ctx context.Context, k *hintSet, socks []system.Socket) (found []FlowMeterSocket, owners map[int32]uint64, recheck bool) {
	cands := s.candidateSockets(k, socks)
	ids := s.identify(ctx, cands)
	owners = map[int32]uint64{}
	for i, c := range cands {
		id := ids[i]
		if id.id != IdentityFlowMeter && !c.foreign {
			recheck = true
		}
		fs, owner, ok := s.flowMeterSocket(ctx, k, socks, c, id)
		if !ok {
			continue
		}
		if owner != nil {
			owners[owner.pid] = owner.stat.Start
		}
		found = append(found, fs)
	}
	slices.SortFunc(found, func(a, b FlowMeterSocket) int {
		return cmp.Or(cmp.Compare(a.Port, b.Port), a.Addr.Compare(b.Addr))
	})
	return found, owners, recheck
}

// candidateSockets are the listening sockets to ask, each with the
// candidate process that holds it (or publishes it, for a container):
// those of FlowMeter's candidate processes, and any on a hinted install's
// port or of a user whose FlowMeter's descriptors may not be read.
func (s *Scanner) candidateSockets(k *hintSet, socks []system.Socket) []candidate {
	procs := s.candidates(k)
	holders := map[uint64][]*proc{}
	// hidden are the users of FlowMeter processes whose descriptors may not
	// be read (another user's): their sockets are asked too.
	hidden := map[uint32]bool{}
	for _, p := range procs {
		inos := s.sys.Sockets(p.pid)
		for _, ino := range inos {
			holders[ino] = append(holders[ino], p)
		}
		if inos == nil && p.line.entry {
			if uid, ok := s.sys.UID(p.pid); ok {
				hidden[uid] = true
			}
		}
	}
	own := ownAddrs()
	var cands []candidate
	for _, sk := range socks {
		c := candidate{sock: sk}
		if hs := holders[sk.Inode]; len(hs) > 0 {
			c.owner = s.pickOwner(hs)
		} else if p := containerPublisher(procs, sk); p != nil {
			c.owner = p
		}
		if c.owner == nil && !k.hintedPort(sk.Port) && !hidden[sk.UID] {
			continue
		}
		if c.owner != nil && c.owner.line.start == StartVite {
			// Vite's dev server is a relay of FlowMeter, never one of its
			// own listeners (see relayScanner).
			continue
		}
		c.evidence = ownerEvidence(k, c)
		c.foreign = !sk.Addr.IsUnspecified() && !own(sk.Addr)
		cands = append(cands, c)
	}
	return cands
}

// ownerEvidence reports whether a candidate's owner makes it FlowMeter's
// whatever it answers: a container publishing an install's port, the
// released app, or one of FlowMeter's entry points run from a backend.
func ownerEvidence(k *hintSet, c candidate) bool {
	switch {
	case c.owner == nil:
		return false
	case c.owner.line.start == StartContainer:
		return k.hintedPort(c.sock.Port) || k.hintedPort(c.owner.line.containerPort)
	case c.owner.line.start == StartPackaged:
		return true
	}
	return c.owner.line.entry && c.owner.backend != ""
}

// flowMeterSocket is a candidate as FlowMeter's socket, given what it
// answered, and the process that holds it (nil when none is seen); false
// when it is not FlowMeter's, or is a relay's (reported by the relay scan).
func (s *Scanner) flowMeterSocket(ctx context.Context, k *hintSet, socks []system.Socket, c candidate, a identityAnswer) (FlowMeterSocket, *proc, bool) {
	id := a.id
	if rejected(c, a) {
		return FlowMeterSocket{}, nil, false
	}
	if c.owner != nil && c.owner.line.start == StartContainer && !c.evidence {
		// A published port that is not an install's (the web page
		// server's container, proxying /api): a relay, reported by the
		// relay scan.
		return FlowMeterSocket{}, nil, false
	}
	if c.owner == nil && id == IdentityFlowMeter {
		// FlowMeter answers on an install's port, held by no candidate:
		// look for the holder among all processes (rare, and slow as
		// `ss -p`).
		c.owner = s.holderOf(c.sock.Inode, k)
		if c.owner != nil && c.owner.line.start == StartUnknown && fmrelay.Program(c.owner.args) != "" {
			// A relay program (socat, ssh, nginx...) answers for
			// FlowMeter through its forward: the relay scan reports it.
			return FlowMeterSocket{}, nil, false
		}
	}
	fs := FlowMeterSocket{
		Socket:    resolveDualStack(ctx, socks, c.sock),
		Confirmed: id == IdentityFlowMeter,
		Evidence:  c.evidence,
		Unchecked: id == IdentityUnknown && !c.evidence && !c.foreign,
		Foreign:   c.foreign,
		SeenBy:    seenOf(k, c, id),
	}
	if c.owner != nil {
		s.setOwner(&fs, c.owner, k)
	}
	return fs, c.owner, true
}

// rejected reports whether a candidate's answer says it is not FlowMeter:
// an HTTP answer of another shape, whatever its command line and folder
// say (another FastAPI app's app.main:app in its own backend/), or, without
// evidence, any other answer or an address this computer does not have.
func rejected(c candidate, a identityAnswer) bool {
	switch {
	case a.id == IdentityOther && a.http:
		return true
	case !c.evidence && (a.id == IdentityOther || c.foreign):
		return true
	}
	return false
}

// seenOf is what showed a candidate: its answer, then the hints.
func seenOf(k *hintSet, c candidate, id Identity) []SeenBy {
	var out []SeenBy
	if id == IdentityFlowMeter {
		out = append(out, SeenAnswer)
	}
	if o := c.owner; o != nil {
		switch {
		case o.line.start == StartContainer:
			out = append(out, SeenContainer)
		case o.line.entry:
			out = append(out, SeenCommandLine)
		}
		if o.backend != "" {
			out = append(out, SeenFolder)
		}
	}
	if k.hintedPort(c.sock.Port) {
		out = append(out, SeenConfig)
	}
	return out
}

// askedOther reports whether the last scan asked l and it answered as
// another program (not FlowMeter, not silent).
func (s *Scanner) askedOther(l system.Socket) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.answers[l]
	return ok && a.id == IdentityOther
}

// servedFlowMeter is a socket that answered as FlowMeter though no hint
// led to it (a launcher Localguard does not recognise, a relay's far
// end), as a FlowMeterSocket held by holder (0: not seen), placed as the
// scan places its candidates.
func (s *Scanner) servedFlowMeter(ctx context.Context, l system.Socket, holder int32, seen ...SeenBy) FlowMeterSocket {
	s.mu.Lock()
	defer s.mu.Unlock()
	fs := FlowMeterSocket{Socket: resolveDualStack(ctx, s.lastSockets(), l), Confirmed: true, SeenBy: seen}
	if holder == 0 || s.sys == nil {
		return fs
	}
	var hints []Hint
	if s.last != nil {
		hints = s.last.raw
	}
	k := newHintSet(hints)
	p := &proc{pid: holder, args: s.sys.Args(holder)}
	s.fillStat(p)
	p.line = readCommandLine(p.stat.Name, p.args)
	s.place(p, k)
	s.setOwner(&fs, p, k)
	if fs.Backend != "" {
		fs.SeenBy = addSeen(fs.SeenBy, SeenFolder)
	}
	if ctr := containerOf(holder); ctr != "" {
		fs.SeenBy = addSeen(fs.SeenBy, SeenContainer)
		fs.Owner.Container = ctr
	}
	return fs
}

// lastSockets are the last Scan's listening sockets (s.mu held).
func (s *Scanner) lastSockets() []system.Socket {
	if s.last == nil {
		return nil
	}
	return s.last.sockets
}

// setOwner names the process p as the holder of a FlowMeter socket, and
// the install it runs from (for a container, the install whose port it
// publishes).
func (s *Scanner) setOwner(fs *FlowMeterSocket, p *proc, k *hintSet) {
	fs.Owner = s.ownerOf(p)
	fs.Backend, fs.SettingsDir, fs.CwdGone = p.backend, p.settingsDir, p.cwdGone
	if p.line.start == StartContainer {
		fs.Backend, fs.SettingsDir = cmp.Or(k.portDirs[p.line.containerPort], k.portDirs[fs.Port]), ""
	}
}

// identify asks GET /api/info of every candidate at once, then again, with
// a longer deadline, of those that did not answer in time. What a socket
// answered is remembered while it stays a candidate.
func (s *Scanner) identify(ctx context.Context, cands []candidate) []identityAnswer {
	ids := make([]identityAnswer, len(cands))
	kept := map[system.Socket]identityAnswer{}
	for _, c := range cands {
		if a, ok := s.answers[c.sock]; ok && (a.id == IdentityFlowMeter || time.Since(a.at) < recheckPending) {
			kept[c.sock] = a
		}
	}
	s.answers = kept
	s.recallKept(cands)
	for _, timeout := range []time.Duration{identifyTimeout, identifyRetryTimeout} {
		var wg sync.WaitGroup
		for i, c := range cands {
			if ids[i].id != IdentityUnknown || c.foreign {
				continue
			}
			if a, ok := s.answers[c.sock]; ok {
				ids[i] = a
				continue
			}
			wg.Go(func() {
				a := askInfo(ctx, probeAddr(c.sock), c.sock.Port, timeout, ask.Options{})
				ids[i] = identityAnswer{id: a.id, http: a.http}
			})
		}
		wg.Wait()
		if ctx.Err() != nil {
			break
		}
	}
	// Only now, with every question answered, is the map written.
	now := time.Now()
	for i, c := range cands {
		if _, ok := s.answers[c.sock]; !ok && ids[i].id != IdentityUnknown {
			ids[i].at = now
			s.answers[c.sock] = ids[i]
		}
	}
	if ctx.Err() == nil {
		s.saveKept(cands)
	}
	return ids
}

// ownAddrs returns a test of whether an address is this computer's, from
// one listing of its interfaces.
func ownAddrs() func(netip.Addr) bool {
	set := map[netip.Addr]bool{}
	if addrs, err := net.InterfaceAddrs(); err == nil {
		for _, ia := range addrs {
			if ipn, ok := ia.(*net.IPNet); ok {
				if a, ok := netip.AddrFromSlice(ipn.IP); ok {
					set[a.Unmap()] = true
				}
			}
		}
	}
	return func(a netip.Addr) bool {
		a = a.Unmap().WithZone("")
		return a.IsLoopback() || set[a]
	}
}

// probeAddr is where to ask a socket: loopback for a wildcard, else its own
// address.
func probeAddr(s system.Socket) netip.Addr {
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
func resolveDualStack(ctx context.Context, all []system.Socket, sk system.Socket) system.Socket {
	if sk.DualKnown || sk.Addr != netip.IPv6Unspecified() {
		return sk
	}
	v4 := slices.ContainsFunc(all, func(o system.Socket) bool {
		return o.Port == sk.Port && o.Addr.Is4() && (o.Addr.IsUnspecified() || o.Addr.IsLoopback())
	})
	sk.DualStack = !v4 && Probe(ctx, netip.AddrFrom4([4]byte{127, 0, 0, 1}), sk.Port)
	sk.DualKnown = true
	return sk
}

// system is what the Scanner reads the machine through (nil before the
// first Scan): the relay scan reads through the same one, which on other
// systems than Linux knows the sockets each process holds from the last
// listing.
func (s *Scanner) reader() system.Reader {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sys
}

// listedFresh is how long the processes a full scan listed stand for the
// processes running: the relay scan of the same check takes them rather
// than listing /proc again (a process started since is seen by the next
// listing, as one started just after the check would be).
const listedFresh = time.Second

// listedPIDs are the processes the last full scan listed, when it did
// within d; nil otherwise.
func (s *Scanner) listedPIDs(d time.Duration) []int32 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.pids == nil || time.Since(s.pidsAt) >= d {
		return nil
	}
	return s.pids
}

// commandLines are the command lines the last full scan read, by pid.
func (s *Scanner) commandLines() map[int32][]string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.args
}

// Sockets are the listening sockets the last Scan saw.
func (s *Scanner) Sockets() []system.Socket {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		return nil
	}
	return slices.Clone(s.last.sockets)
}

func cloneFound(in []FlowMeterSocket) []FlowMeterSocket {
	out := make([]FlowMeterSocket, len(in))
	for i, f := range in {
		out[i] = f
		out[i].SeenBy = slices.Clone(f.SeenBy)
		if f.Owner != nil {
			o := *f.Owner
			o.Args = slices.Clone(o.Args)
			o.Environ = slices.Clone(o.Environ)
			out[i].Owner = &o
		}
	}
	return out
}
