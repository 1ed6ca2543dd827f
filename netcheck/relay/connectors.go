package relay

import (
	"time"

	"localguard/netcheck/system"
)

// noteConnectors remembers the processes connected to FlowMeter's ports
// now. Their holders are found from the sockets' inodes: first among the
// processes already known, then, at most every fullSearchEvery, among all.
func (r *Scanner) noteConnectors(conns []system.Conn, targets map[int]bool, fmPIDs map[int32]bool) {
	want := r.unknownConnectors(conns, targets, fmPIDs)
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
func (r *Scanner) unknownConnectors(conns []system.Conn, targets map[int]bool, fmPIDs map[int32]bool) map[uint64]int {
	want := map[uint64]int{}
	pending := map[uint64]bool{}
	for _, c := range conns {
		if !targets[int(c.Remote.Port())] || targets[int(c.Local.Port())] || !r.own(c.Remote.Addr()) {
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
func (r *Scanner) searchAll(want map[uint64]int, fmPIDs map[int32]bool) {
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
func (r *Scanner) match(pids []int32, want map[uint64]int, fmPIDs map[int32]bool) {
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

func (r *Scanner) note(pid int32, port int, fmPIDs map[int32]bool) {
	if fmPIDs[pid] {
		return
	}
	st, err := r.sys.Stat(pid)
	if err != nil {
		return
	}
	r.seen[pid] = seenConnector{start: st.Start, port: port}
}
