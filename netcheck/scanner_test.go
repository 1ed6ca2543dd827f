package netcheck

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"localguard/netcheck/system"
)

// fakeSystem is a machine described by the test; sockets are real only
// where the test listens itself.
type fakeSystem struct {
	mu       sync.Mutex
	socks    []system.Socket
	procs    map[int32]*fakeProc
	listings int
}

type fakeProc struct {
	st      system.ProcStat
	cmdline string // arguments separated by spaces
	cwd     string
	env     []string
	sockets []uint64
}

func (f *fakeSystem) Listeners(context.Context) ([]system.Socket, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]system.Socket(nil), f.socks...), nil
}

func (f *fakeSystem) PIDs() []int32 {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.listings++
	var out []int32
	for pid := range f.procs {
		out = append(out, pid)
	}
	return out
}

func (f *fakeSystem) proc(pid int32) *fakeProc {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.procs[pid]
}

func (f *fakeSystem) Stat(pid int32) (system.ProcStat, error) {
	if p := f.proc(pid); p != nil {
		return p.st, nil
	}
	return system.ProcStat{}, net.ErrClosed
}

func (f *fakeSystem) Args(pid int32) []string {
	if p := f.proc(pid); p != nil && p.cmdline != "" {
		return strings.Fields(p.cmdline)
	}
	return nil
}

func (f *fakeSystem) Cwd(pid int32) string {
	if p := f.proc(pid); p != nil {
		return p.cwd
	}
	return ""
}

func (f *fakeSystem) Root(int32) string { return "" }

func (f *fakeSystem) UID(int32) (uint32, bool) { return 0, false }

func (f *fakeSystem) Environ(pid int32) []string {
	if p := f.proc(pid); p != nil {
		return p.env
	}
	return nil
}

func (f *fakeSystem) Sockets(pid int32) []uint64 {
	if p := f.proc(pid); p != nil {
		return p.sockets
	}
	return nil
}

// osPath turns an absolute slash path into one of this OS (on Windows
// C:\home\ana for /home/ana), as a process's working folder reads here.
func osPath(p string) string {
	if runtime.GOOS == "windows" {
		return `C:` + filepath.FromSlash(p)
	}
	return p
}

// unusedPort is a loopback port nothing listens on (a connect is refused).
func unusedPort(t *testing.T) int {
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	return port
}

// TestSharedSocketOwner: a process tree sharing one socket gives one
// FlowMeterSocket, owned by the process a person would stop, whatever order
// the processes are listed in.
func TestSharedSocketOwner(t *testing.T) {
	backend := osPath("/home/ana/FlowMeter/backend")
	port := unusedPort(t)
	sock := system.Socket{Addr: netip.IPv4Unspecified(), Port: port, Inode: 5, DualKnown: true}
	for _, tc := range []struct {
		name  string
		procs map[int32]*fakeProc
		want  int32
	}{{
		name: "gunicorn master and workers",
		procs: map[int32]*fakeProc{
			12: {st: system.ProcStat{PPID: 10, Start: 3}, cmdline: "gunicorn app.main:app -k uvicorn.workers.UvicornWorker -b 0.0.0.0:8000", cwd: backend, sockets: []uint64{5}},
			10: {st: system.ProcStat{PPID: 1, Start: 1}, cmdline: "gunicorn app.main:app -k uvicorn.workers.UvicornWorker -b 0.0.0.0:8000", cwd: backend, sockets: []uint64{5}},
			11: {st: system.ProcStat{PPID: 10, Start: 2}, cmdline: "gunicorn app.main:app -k uvicorn.workers.UvicornWorker -b 0.0.0.0:8000", cwd: backend, sockets: []uint64{5}},
		},
		want: 10,
	}, {
		name: "uvicorn reloader and its server process",
		procs: map[int32]*fakeProc{
			21: {st: system.ProcStat{PPID: 20}, cmdline: "/usr/bin/python3 -c from multiprocessing.spawn import spawn_main; spawn_main(tracker_fd=5, pipe_handle=7) --multiprocessing-fork", cwd: backend, sockets: []uint64{5}},
			20: {st: system.ProcStat{PPID: 1}, cmdline: "/usr/bin/python3 -m uvicorn app.main:app --reload --host 0.0.0.0", cwd: backend, sockets: []uint64{5}},
		},
		want: 20,
	}, {
		name: "a helper above FlowMeter holding its socket too",
		procs: map[int32]*fakeProc{
			30: {st: system.ProcStat{PPID: 1}, cmdline: "python3 supervise.py", cwd: backend, sockets: []uint64{5}},
			31: {st: system.ProcStat{PPID: 30}, cmdline: "python3 -m app.main", cwd: backend, sockets: []uint64{5}},
		},
		want: 31,
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s := &Scanner{sys: &fakeSystem{socks: []system.Socket{sock}, procs: tc.procs}}
			found, err := s.Scan(context.Background(), Hint{BackendDir: backend, Port: port})
			if err != nil {
				t.Fatal(err)
			}
			if len(found) != 1 || found[0].Owner == nil || found[0].Owner.PID != tc.want {
				t.Fatalf("found %+v, want one socket owned by %d", found, tc.want)
			}
		})
	}
}

// TestScannerRechecks: a socket on FlowMeter's port whose owner cannot be
// seen is reported once it answers as FlowMeter (a container still
// starting), even while the socket list does not change; a process replaced
// under the same pid is noticed.
func TestScannerRechecks(t *testing.T) {
	var ready atomic.Bool
	port := lateFlowMeter(t, &ready)

	sys := &fakeSystem{socks: []system.Socket{{Addr: netip.MustParseAddr("127.0.0.1"), Port: port, Inode: 9, DualKnown: true}},
		procs: map[int32]*fakeProc{1: {st: system.ProcStat{Start: 1}, cmdline: "/sbin/init"}}}
	s := &Scanner{sys: sys}
	scan := func() []FlowMeterSocket {
		t.Helper()
		found, err := s.Scan(context.Background(), Hint{BackendDir: osPath("/srv/FlowMeter/backend"), Port: port})
		if err != nil {
			t.Fatal(err)
		}
		return found
	}
	if found := scan(); len(found) != 0 {
		t.Fatalf("found %+v before it answers as FlowMeter", found)
	}
	ready.Store(true)
	if found := scan(); len(found) != 0 || sys.listings != 1 {
		t.Fatalf("within the recheck pause: found %+v, %d listings", found, sys.listings)
	}
	old := recheckPending
	t.Cleanup(func() { recheckPending = old })
	recheckPending = 0
	found := scan()
	if len(found) != 1 || found[0].Owner != nil || !found[0].Confirmed {
		t.Fatalf("after the recheck pause: found %+v, want the socket, confirmed, no owner", found)
	}

	// An owner replaced under the same pid: a full scan again.
	checkOwnerReplaced(t, sys, scan)
}

// lateFlowMeter serves FlowMeter's /api/info on a free loopback port once
// ready is set (a container still starting), nothing before; it returns
// the port.
func lateFlowMeter(t *testing.T, ready *atomic.Bool) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !ready.Load() || r.URL.Path != "/api/info" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"name": "FlowMeter API", "version": "1", "docs": "/docs", "health": "/health"}`))
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

// checkOwnerReplaced gives the socket scan sees an owner (a full scan
// again), then wants steady scans to list no processes and an owner
// replaced under its pid noticed.
func checkOwnerReplaced(t *testing.T, sys *fakeSystem, scan func() []FlowMeterSocket) {
	t.Helper()
	sys.procs[2] = &fakeProc{st: system.ProcStat{PPID: 1, Start: 50}, cmdline: "python3 -m app.main", cwd: osPath("/srv/FlowMeter/backend"), sockets: []uint64{9}}
	sys.socks = append(sys.socks, system.Socket{Addr: netip.MustParseAddr("127.0.0.1"), Port: 1, Inode: 10, DualKnown: true})
	if found := scan(); len(found) != 1 || found[0].Owner == nil || found[0].Owner.PID != 2 {
		t.Fatalf("found %+v, want the socket owned by 2", found)
	}
	n := sys.listings
	scan()
	if sys.listings != n {
		t.Fatalf("a steady scan listed processes")
	}
	sys.mu.Lock()
	sys.procs[2].st.Start = 99
	sys.mu.Unlock()
	scan()
	if sys.listings != n+1 {
		t.Fatalf("an owner replaced under its pid was not noticed")
	}
}
