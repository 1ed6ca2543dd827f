package relay

import (
	"cmp"
	"net/netip"
	"slices"
	"strings"

	"localguard/netcheck/internal/argv"
	"localguard/netcheck/system"
)

// candidates are the processes that may pass FlowMeter on: those seen
// connected to its port, relay programs whose command line or
// configuration names its port, and Vite dev servers (whose proxy is
// asked).
func (r *Scanner) candidates(targets map[int]bool, fmPIDs map[int32]bool) []relayCandidate {
	var out []relayCandidate
	added := map[int32]bool{}
	for pid, s := range r.seen {
		p := r.procs[pid]
		if p == nil {
			// Started since the process list was read.
			p = r.newProc(pid, r.sys.Args(pid))
			r.procs[pid] = p
		}
		out = append(out, relayCandidate{pid: pid, p: p, target: s.port, seen: ByConnection})
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
			c.target, c.seen = t, ByCommandLine
			break
		}
	}
	for _, t := range p.config {
		if c.target == 0 && targets[t] {
			c.target, c.seen = t, ByConfig
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
		c.target, c.seen = p.line.containerPort, ByCommandLine
	case p.line.prog == "vite" || p.line.prog == "kubectl":
		// Their target is in their config or elsewhere: asked through
		// their own address.
		c.target, c.seen = only, ByCommandLine
	default:
		return c, false
	}
	return c, true
}

// resolve turns a candidate into relays: one per listening socket beyond
// loopback (a proxy), or a tunnel. A child of a relay (socat's fork, an
// nginx worker) is reported as the parent that holds the listening socket.
func (r *Scanner) resolve(c relayCandidate, conns []system.Conn, fmInodes map[uint64]bool) []Found {
	holder, p, socks := r.holder(c.pid, c.p)
	remote, localPeer := farEnd(conns, socks, r.own, c.pid, holder)
	if p.line.localForward && c.seen == ByCommandLine && remote.IsValid() && !localPeer {
		// ssh -L to another host: its target is that host's port.
		return nil
	}
	base := r.found(holder, p)
	base.Program = cmp.Or(p.line.prog, c.p.line.prog, base.Name)
	base.TargetPort, base.Seen = c.target, c.seen
	out := r.proxies(base, p.line, socks, fmInodes)
	if p.line.tunnel && remote.IsValid() && c.target != 0 {
		f := base
		f.Kind, f.Remote, f.ForwardedPort = Tunnel, remote.String(), p.line.forwards[c.target]
		f.Confirmed = true // a tunnel is proven by its connection to the far end
		out = append(out, f)
	}
	return out
}

// found is what the system shows of a relay's holder.
func (r *Scanner) found(pid int32, p *relayProc) Found {
	f := Found{PID: pid, Args: p.args, Cwd: r.sys.Cwd(pid)}
	if st, err := r.sys.Stat(pid); err == nil {
		f.Name, f.Start = st.Name, st.Start
	}
	if f.Name == "" && len(p.args) > 0 {
		f.Name = argv.Base(p.args[0])
	}
	if p.line.prog == "vite" {
		f.Vite, f.HostFlag, f.HostFlagSet = true, p.line.host, p.line.hostSet
	}
	f.OtherRoot = strings.HasPrefix(r.sys.Root(pid), "/proc/")
	return f
}

// holder is the process that holds a relay's listening socket, and the
// sockets it holds. The listening socket may be the parent's (socat's fork
// handles one connection and holds no listening socket; an nginx worker
// holds the master's): the parent of the same name is the relay then. A
// child listening on its own (a forwarder started by another program of
// the same name) is the relay itself.
func (r *Scanner) holder(pid int32, p *relayProc) (int32, *relayProc, map[uint64]bool) {
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
// published port too), each a Found like base; FlowMeter's own sockets are
// not.
func (r *Scanner) proxies(base Found, line relayLine, socks, fmInodes map[uint64]bool) []Found {
	var out []Found
	for _, s := range r.listening {
		published := line.container && s.Port == line.hostPort && (!line.hostSet || publisherAddr(line.host) == s.Addr.Unmap())
		if !socks[s.Inode] && !published || fmInodes[s.Inode] || s.Addr.IsLoopback() {
			continue
		}
		f := base
		f.Kind, f.Socket = Proxy, s
		if line.container {
			f.Kind = Container
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
