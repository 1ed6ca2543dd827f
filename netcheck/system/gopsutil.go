package system

import (
	"context"
	"hash/fnv"
	"net/netip"
	"path/filepath"
	"sync"
	"syscall"

	gnet "github.com/shirou/gopsutil/v4/net"
	"github.com/shirou/gopsutil/v4/process"
)

// Elsewhere than Linux (on Linux too, in tests, to check it): the system's
// listener table names the owning pid of every socket (Windows:
// GetExtendedTcpTable, listentable_windows.go; macOS: lsof through
// gopsutil), so there is no descriptor to read, and only those processes
// are looked at; gopsutil reads the processes. Whether an
// IPv6 wildcard is dual-stack is not shown; a scan finds out with a connect.

// gopsutilSystem reads the live machine through gopsutil.
type gopsutilSystem struct {
	mu sync.Mutex
	// held maps the pids seen in the last listing to their sockets.
	held map[int32][]uint64
}

func (g *gopsutilSystem) Listeners(ctx context.Context) ([]Socket, error) {
	table, err := listenTable(ctx)
	if err != nil {
		return nil, err
	}
	held := map[int32][]uint64{}
	seen := map[uint64]bool{}
	var out []Socket
	for _, l := range table {
		a := l.addr.Unmap()
		s := Socket{Addr: a, Port: int(l.port), Inode: socketID(a, uint32(l.port)), DualKnown: a.Is4(), PID: l.pid}
		// Wine, and Windows for sockets of the System process, name pid 0:
		// no process to read, the socket stands on its answers alone.
		if l.pid > 0 {
			held[l.pid] = append(held[l.pid], s.Inode)
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

// ownedListener is a row of the system's listener table.
type ownedListener struct {
	addr netip.Addr
	port uint16
	pid  int32
}

// fromGopsutil keeps the listening sockets of gopsutil's connection list.
// lsof (macOS) names a wildcard address "*".
func fromGopsutil(conns []gnet.ConnectionStat) []ownedListener {
	var out []ownedListener
	for _, c := range conns {
		if c.Status != "LISTEN" {
			continue
		}
		a, err := netip.ParseAddr(c.Laddr.IP)
		switch {
		case c.Laddr.IP == "*" && c.Family == syscall.AF_INET6:
			a = netip.IPv6Unspecified()
		case c.Laddr.IP == "*":
			a = netip.IPv4Unspecified()
		case err != nil:
			continue
		}
		out = append(out, ownedListener{addr: a, port: uint16(c.Laddr.Port), pid: c.Pid})
	}
	return out
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
func (g *gopsutilSystem) PIDs() []int32 {
	g.mu.Lock()
	defer g.mu.Unlock()
	out := make([]int32, 0, len(g.held))
	for pid := range g.held {
		out = append(out, pid)
	}
	return out
}

func (g *gopsutilSystem) Stat(pid int32) (ProcStat, error) {
	p, err := process.NewProcess(pid)
	if err != nil {
		return ProcStat{}, err
	}
	ppid, _ := p.Ppid()
	start, err := p.CreateTime()
	if err != nil {
		// A process of another user or a protected one (Windows) may hide
		// its start time: it degrades to unknown (0) while it exists.
		if alive, _ := process.PidExists(pid); !alive {
			return ProcStat{}, err
		}
		start = 0
	}
	name, _ := p.Name()
	return ProcStat{PPID: ppid, Start: uint64(start), Name: name}, nil
}

func (g *gopsutilSystem) Args(pid int32) []string {
	p := &process.Process{Pid: pid}
	a, err := p.CmdlineSlice()
	if err != nil || len(a) == 0 {
		return nil
	}
	return a
}

// cwd is cleaned: Windows keeps a process's current directory with a
// trailing backslash (C:\FlowMeter\backend\).
func (g *gopsutilSystem) Cwd(pid int32) string {
	p := &process.Process{Pid: pid}
	c, _ := p.Cwd()
	if c == "" {
		return ""
	}
	return filepath.Clean(c)
}

// uid: the connection list names every socket's owner, so a socket's
// user is never needed to find it.
func (g *gopsutilSystem) UID(int32) (uint32, bool) { return 0, false }

// root: other systems show no mount namespaces.
func (g *gopsutilSystem) Root(int32) string { return "" }

func (g *gopsutilSystem) Environ(pid int32) []string {
	p := &process.Process{Pid: pid}
	e, err := p.Environ()
	if err != nil {
		return nil
	}
	return e
}

func (g *gopsutilSystem) Sockets(pid int32) []uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.held[pid]
}

// Gopsutil is the Reader of Windows and macOS (gopsutil, with the system's
// listener table naming each socket's owner), on every system, so that a
// test on Linux can set its reading beside procfs's. Use New otherwise.
func Gopsutil() Reader { return &gopsutilSystem{} }
