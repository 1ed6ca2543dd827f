package netcheck

import (
	"context"
	"hash/fnv"
	"net/netip"
	"sync"

	gnet "github.com/shirou/gopsutil/v4/net"
	"github.com/shirou/gopsutil/v4/process"
)

// Elsewhere than Linux, gopsutil (on Linux too, in tests, to check it): its connection list names the owning pid
// of every socket (Windows: GetExtendedTcpTable; macOS: lsof), so there is
// no descriptor to read, and only those processes are looked at. Whether an
// IPv6 wildcard is dual-stack is not shown; a scan finds out with a connect.

// gopsutilSystem reads the live machine through gopsutil.
type gopsutilSystem struct {
	mu sync.Mutex
	// held maps the pids seen in the last listing to their sockets.
	held map[int32][]uint64
}

func (g *gopsutilSystem) listeners(ctx context.Context) ([]Socket, error) {
	conns, err := gnet.ConnectionsWithoutUidsWithContext(ctx, "tcp")
	if err != nil {
		return nil, err
	}
	held := map[int32][]uint64{}
	seen := map[uint64]bool{}
	var out []Socket
	for _, c := range conns {
		if c.Status != "LISTEN" {
			continue
		}
		a, err := netip.ParseAddr(c.Laddr.IP)
		if err != nil {
			continue
		}
		s := Socket{Addr: a, Port: int(c.Laddr.Port), Inode: socketID(a, c.Laddr.Port), dualKnown: a.Is4()}
		if c.Pid > 0 {
			held[c.Pid] = append(held[c.Pid], s.Inode)
		}
		if !seen[s.Inode] {
			seen[s.Inode] = true
			out = append(out, s)
		}
	}
	g.mu.Lock()
	g.held = held
	g.mu.Unlock()
	return out, nil
}

// socketID is a stable identity for a listening address.
func socketID(a netip.Addr, port uint32) uint64 {
	h := fnv.New64a()
	b, _ := a.MarshalBinary()
	h.Write(b)
	h.Write([]byte{byte(port >> 8), byte(port)})
	return h.Sum64()
}

// pids are only the processes holding listening sockets: the system names
// them, and no other process can own one of FlowMeter's.
func (g *gopsutilSystem) pids() []int32 {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]int32, 0, len(g.held))
	for pid := range g.held {
		out = append(out, pid)
	}
	return out
}

func (g *gopsutilSystem) stat(pid int32) (procStat, error) {
	p, err := process.NewProcess(pid)
	if err != nil {
		return procStat{}, err
	}
	ppid, _ := p.Ppid()
	start, err := p.CreateTime()
	if err != nil {
		return procStat{}, err
	}
	name, _ := p.Name()
	return procStat{ppid: ppid, start: uint64(start), name: name}, nil
}

func (g *gopsutilSystem) args(pid int32) []string {
	p := &process.Process{Pid: pid}
	a, err := p.CmdlineSlice()
	if err != nil || len(a) == 0 {
		return nil
	}
	return a
}

func (g *gopsutilSystem) cwd(pid int32) string {
	p := &process.Process{Pid: pid}
	c, _ := p.Cwd()
	return c
}

// uid: the connection list names every socket's owner, so a socket's
// user is never needed to find it.
func (g *gopsutilSystem) uid(int32) (uint32, bool) { return 0, false }

// root: other systems show no mount namespaces.
func (g *gopsutilSystem) root(int32) string { return "" }

func (g *gopsutilSystem) environ(pid int32) []string {
	p := &process.Process{Pid: pid}
	e, err := p.Environ()
	if err != nil {
		return nil
	}
	return e
}

func (g *gopsutilSystem) sockets(pid int32) []uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held[pid]
}
