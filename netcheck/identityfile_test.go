package netcheck

import (
	"context"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync/atomic"
	"testing"

	"localguard/netcheck/system"
)

// countingFlowMeter serves FlowMeter's /api/info on a free loopback port
// while flowMeter is set, 404 otherwise, and counts the requests.
func countingFlowMeter(t *testing.T, flowMeter *atomic.Bool, asked *atomic.Int32) int {
	t.Helper()
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		asked.Add(1)
		if !flowMeter.Load() || r.URL.Path != "/api/info" {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(`{"name": "FlowMeter API", "version": "1", "docs": "/docs", "health": "/health"}`))
	})}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return l.Addr().(*net.TCPAddr).Port
}

// TestKeptFlowMeterAnswers: a one-shot check keeps the sockets that
// answered as FlowMeter for the next one, which takes the same socket as
// FlowMeter without asking; a socket reopened on the same port (another
// cookie), an answer of another boot, and answers that are not FlowMeter
// are never trusted from the file.
func TestKeptFlowMeterAnswers(t *testing.T) {
	var isFM atomic.Bool
	var asked atomic.Int32
	port := countingFlowMeter(t, &isFM, &asked)
	file := filepath.Join(t.TempDir(), "localguard", "flowmeter-sockets.json")
	sock := system.Socket{Addr: netip.MustParseAddr("127.0.0.1"), Port: port, Inode: 9, Cookie: 77, DualKnown: true}
	scan := func(s system.Socket) []FlowMeterSocket {
		t.Helper()
		sc := &Scanner{sys: &fakeSystem{socks: []system.Socket{s}, procs: map[int32]*fakeProc{1: {st: system.ProcStat{Start: 1}, cmdline: "/sbin/init"}}}}
		sc.keep(file)
		found, err := sc.Scan(context.Background(), Hint{BackendDir: osPath("/srv/FlowMeter/backend"), Port: port})
		if err != nil {
			t.Fatal(err)
		}
		return found
	}
	isFM.Store(true)
	if found := scan(sock); len(found) != 1 || !found[0].Confirmed || asked.Load() != 1 {
		t.Fatalf("first check: found %+v after %d questions, want FlowMeter after 1", found, asked.Load())
	}
	// The same socket, a later check: kept, not asked (it would answer 404
	// now, which shows whether it was asked).
	isFM.Store(false)
	if found := scan(sock); len(found) != 1 || !found[0].Confirmed || asked.Load() != 1 {
		t.Fatalf("later check: found %+v after %d questions, want the kept FlowMeter, not asked", found, asked.Load())
	}
	// Another socket on the same port (closed and opened again): asked,
	// and its 404 makes it not FlowMeter.
	reopened := sock
	reopened.Cookie, reopened.Inode = 78, 10
	if found := scan(reopened); len(found) != 0 || asked.Load() != 2 {
		t.Fatalf("reopened socket: found %+v after %d questions, want it asked and not FlowMeter", found, asked.Load())
	}
	// An answer that is not FlowMeter is never kept (the first socket's
	// identity may stay until the next write: its cookie never returns).
	var k keptIdentities
	k.file = file
	k.load()
	if got := k.keptSockets(); slices.Contains(got, "c 78") {
		t.Fatalf("kept %v, want the 404 socket (c 78) not kept", got)
	}
	checkReplacedKept(t, file, sock, scan, &isFM)
	checkOtherBoot(t, file, sock, scan, &isFM, &asked)
}

// checkReplacedKept: a new FlowMeter socket is written, and the sockets
// gone are dropped with that write.
func checkReplacedKept(t *testing.T, file string, sock system.Socket, scan func(system.Socket) []FlowMeterSocket, isFM *atomic.Bool) {
	t.Helper()
	isFM.Store(true)
	next := sock
	next.Cookie, next.Inode = 79, 11
	if found := scan(next); len(found) != 1 || !found[0].Confirmed {
		t.Fatalf("a new FlowMeter socket: found %+v", found)
	}
	var k keptIdentities
	k.file = file
	k.load()
	if got := k.keptSockets(); !slices.Equal(got, []string{"c 79"}) {
		t.Fatalf("kept %v, want only the new socket [c 79]", got)
	}
}

// checkOtherBoot writes the socket as FlowMeter for another boot: a check
// asks it again.
func checkOtherBoot(t *testing.T, file string, sock system.Socket, scan func(system.Socket) []FlowMeterSocket, isFM *atomic.Bool, asked *atomic.Int32) {
	t.Helper()
	if err := os.WriteFile(file, []byte(`{"boot":"another boot","flowmeter":{"c 77":"2026-01-01T00:00:00Z"}}`), 0o600); err != nil {
		t.Fatal(err)
	}
	isFM.Store(false)
	n := asked.Load()
	if found := scan(sock); len(found) != 0 || asked.Load() != n+1 {
		t.Fatalf("another boot's file: found %+v after %d questions, want the socket asked and not FlowMeter", found, asked.Load()-n)
	}
	var k keptIdentities
	k.file = file
	k.load()
	if got := k.keptSockets(); len(got) != 0 {
		t.Fatalf("kept %v after another boot's file, want nothing", got)
	}
}
