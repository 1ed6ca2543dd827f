package netcheck

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/windows"

	"localguard/netcheck/system"
)

// underWine reports whether the tests run under Wine, which names pid 0 as
// the owner of every socket (wineserver holds them).
func underWine() bool {
	return windows.NewLazySystemDLL("ntdll.dll").NewProc("wine_get_version").Find() == nil
}

// TestMain lets the test binary act as a FlowMeter stand-in, for
// TestWindowsScan.
func TestMain(m *testing.M) {
	if os.Getenv("LOCALGUARD_TEST_STANDIN") != "" {
		standIn()
		return
	}
	os.Exit(m.Run())
}

// standIn answers GET /api/info as FlowMeter on 0.0.0.0:$PORT.
func standIn() {
	l, err := net.Listen("tcp4", "0.0.0.0:"+os.Getenv("PORT"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	http.Serve(l, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/info" {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"name":"FlowMeter API","version":"0.0-test","docs":"/docs","health":"/health"}`))
	}))
}

// TestWindowsScan: a FlowMeter stand-in started from its backend folder as
// `python.exe -m app.main` on 0.0.0.0 is found by the Windows scan; its
// process is read through gopsutil (name, command line, working folder,
// environment, start time). Under Wine the socket has no owner (pid 0), so
// it is found by its answers alone and the process is read by its pid.
func TestWindowsScan(t *testing.T) {
	port := unusedPort(t)
	backend := filepath.Join(t.TempDir(), "FlowMeter", "backend")
	if err := os.MkdirAll(backend, 0o755); err != nil {
		t.Fatal(err)
	}
	pid := startStandIn(t, backend, port)

	sys := system.New()
	found := scanUntilFound(t, sys, backend, port)
	if len(found) != 1 || !found[0].Addr.IsUnspecified() || found[0].Port != port {
		t.Fatalf("found %+v, want the stand-in on 0.0.0.0:%d", found, port)
	}
	checkStandInOwner(t, found[0], pid, backend)
	checkStandInProcess(t, sys, pid, backend, port, found[0].Owner)
}

// startStandIn copies the test binary beside backend as python.exe and
// starts it from backend as `python.exe -m app.main`, a FlowMeter stand-in
// on 0.0.0.0:port (stopped when the test ends); it returns its pid.
func startStandIn(t *testing.T, backend string, port int) int32 {
	t.Helper()
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	exe := filepath.Join(filepath.Dir(backend), "python.exe")
	b, err := os.ReadFile(self)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(exe, b, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, "-m", "app.main")
	cmd.Dir = backend
	cmd.Env = append(os.Environ(), "LOCALGUARD_TEST_STANDIN=1", fmt.Sprintf("PORT=%d", port), "HOST=0.0.0.0")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	return int32(cmd.Process.Pid)
}

// scanUntilFound scans for the FlowMeter of backend on port until it finds
// a socket, 20 s at most, and returns what the last scan found.
func scanUntilFound(t *testing.T, sys system.Reader, backend string, port int) []FlowMeterSocket {
	t.Helper()
	var err error
	var found []FlowMeterSocket
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if found, err = (&Scanner{sys: sys}).Scan(context.Background(), Hint{BackendDir: backend, Port: port}); err != nil {
			t.Fatal(err)
		}
		if len(found) > 0 {
			break
		}
	}
	return found
}

// checkStandInOwner wants the stand-in's socket f owned by pid in backend
// where Windows names the owner; only under Wine (pid 0 owns every socket)
// may it have none, and then it must have answered as FlowMeter.
func checkStandInOwner(t *testing.T, f FlowMeterSocket, pid int32, backend string) {
	t.Helper()
	if o := f.Owner; o != nil {
		if o.PID != pid || o.Cwd != backend {
			t.Errorf("owner %+v, want pid %d in %s", o, pid, backend)
		}
	} else if !underWine() {
		t.Errorf("no owner for the stand-in's socket: Windows names it")
	} else if !f.Confirmed {
		t.Errorf("an ownerless socket reported without answering as FlowMeter: %+v", f)
	}
}

// checkStandInProcess wants the stand-in (pid) read through gopsutil as
// python.exe with a start time, its command line, its working folder
// backend and PORT=port in its environment; owner is its socket's, logged.
func checkStandInProcess(t *testing.T, sys system.Reader, pid int32, backend string, port int, owner *Owner) {
	t.Helper()
	st, err := sys.Stat(pid)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("as gopsutil reads it: name %q, command line %q, working folder %q, owner of the socket %+v", st.Name, sys.Args(pid), sys.Cwd(pid), owner)
	if !strings.EqualFold(st.Name, "python.exe") || st.Start == 0 {
		t.Errorf("stat %+v, want python.exe with a start time", st)
	}
	if args := sys.Args(pid); len(args) != 3 || !strings.EqualFold(filepath.Base(args[0]), "python.exe") || args[1] != "-m" || args[2] != "app.main" {
		t.Errorf("command line %q", args)
	}
	if cwd := sys.Cwd(pid); !strings.EqualFold(cwd, backend) {
		t.Errorf("working folder %q, want %q", cwd, backend)
	}
	if env := sys.Environ(pid); !slices.Contains(env, fmt.Sprintf("PORT=%d", port)) {
		t.Errorf("environment %q has no PORT=%d", env, port)
	}
}
