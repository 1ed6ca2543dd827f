package relay

import (
	"context"
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"testing"

	"localguard/netcheck/system"
)

// fakeProc is a process as fakeReader shows it.
type fakeProc struct {
	ppid    int32
	name    string
	args    []string
	cwd     string
	sockets []uint64
}

// fakeReader is a system.Reader of a few processes, counting how often
// descriptors are read.
type fakeReader struct {
	procs map[int32]fakeProc
	reads int
}

func (f *fakeReader) Listeners(context.Context) ([]system.Socket, error) { return nil, nil }
func (f *fakeReader) PIDs() []int32 {
	var out []int32
	for pid := range f.procs {
		out = append(out, pid)
	}
	return out
}
func (f *fakeReader) Stat(pid int32) (system.ProcStat, error) {
	p, ok := f.procs[pid]
	if !ok {
		return system.ProcStat{}, errors.New("gone")
	}
	return system.ProcStat{PPID: p.ppid, Start: 1, Name: p.name}, nil
}
func (f *fakeReader) Args(pid int32) []string    { return f.procs[pid].args }
func (f *fakeReader) Cwd(pid int32) string       { return f.procs[pid].cwd }
func (f *fakeReader) UID(int32) (uint32, bool)   { return 0, false }
func (f *fakeReader) Root(int32) string          { return "" }
func (f *fakeReader) Environ(int32) []string     { return nil }
func (f *fakeReader) Sockets(pid int32) []uint64 { f.reads++; return f.procs[pid].sockets }

// TestQuietRelays: among listeners on never-asked ports, the one whose
// holder (the parent that holds it too, not a forked child) names
// FlowMeter's port on its command line or in its config is a proxy to it;
// the spooler naming nothing, one on loopback and one on an asked port are
// not; the holders are looked for once while their sockets live.
func TestQuietRelays(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "rinetd.conf")
	if err := os.WriteFile(cfg, []byte("0.0.0.0 9101 127.0.0.1 8000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	sys := &fakeReader{procs: map[int32]fakeProc{
		100: {ppid: 1, name: "portbridge", args: []string{"/opt/portbridge", "TCP-LISTEN:9100,fork", "TCP:127.0.0.1:8000"}, cwd: "/", sockets: []uint64{1}},
		101: {ppid: 100, name: "portbridge", args: []string{"/opt/portbridge", "TCP-LISTEN:9100,fork", "TCP:127.0.0.1:8000"}, cwd: "/", sockets: []uint64{1}},
		200: {ppid: 1, name: "rinetd", args: []string{"rinetd", "-f", "-c", "rinetd.conf"}, cwd: dir, sockets: []uint64{2}},
		300: {ppid: 1, name: "spoold", args: []string{"spoold", "--port", "9102"}, cwd: "/", sockets: []uint64{3}},
		400: {ppid: 1, name: "lo-relay", args: []string{"lo-relay", "127.0.0.1:8000"}, cwd: "/", sockets: []uint64{4}},
		500: {ppid: 1, name: "web", args: []string{"web", "127.0.0.1:8000"}, cwd: "/", sockets: []uint64{5}},
	}}
	any4 := netip.IPv4Unspecified()
	listening := []system.Socket{
		{Addr: any4, Port: 9100, Inode: 1}, {Addr: any4, Port: 9101, Inode: 2}, {Addr: any4, Port: 9102, Inode: 3},
		{Addr: netip.MustParseAddr("127.0.0.1"), Port: 9103, Inode: 4}, {Addr: any4, Port: 8080, Inode: 5},
	}
	never := func(port int) (string, bool) { return "raw printing", port >= 9100 && port <= 9103 }
	r := &Scanner{NotAsked: never}
	r.begin(sys, listening, nil, nil)
	got := r.quietRelays(map[int]bool{8000: true}, map[uint64]bool{})
	want := map[int]Found{
		9100: {PID: 100, Program: "portbridge", TargetPort: 8000, Seen: ByCommandLine, Kind: Proxy},
		9101: {PID: 200, Program: "rinetd", TargetPort: 8000, Seen: ByConfig, Kind: Proxy},
	}
	if len(got) != len(want) {
		t.Fatalf("found %+v, want the relays on 9100 and 9101 only", got)
	}
	for _, f := range got {
		w := want[f.Socket.Port]
		if f.PID != w.PID || f.Program != w.Program || f.TargetPort != w.TargetPort || f.Seen != w.Seen || f.Kind != w.Kind {
			t.Errorf("port %d: %+v, want %+v", f.Socket.Port, f, w)
		}
	}
	reads := sys.reads
	r.quietRelays(map[int]bool{8000: true}, map[uint64]bool{})
	if sys.reads != reads {
		t.Errorf("a second poll read descriptors %d times, want none while the sockets live", sys.reads-reads)
	}
	if got := r.quietRelays(map[int]bool{8001: true}, map[uint64]bool{}); len(got) != 0 {
		t.Errorf("FlowMeter on another port: %+v, want none", got)
	}
}
