package netcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"localguard/netcheck/system"
	"localguard/testdata/need"
)

// python is the interpreter with Debian's python3-uvicorn, python3-fastapi
// and python3-dotenv (another python3 may come first on PATH).
const python = "/usr/bin/python3"

// ciInstalls is what CI installs for these tests, named when one fails
// there for want of something.
const ciInstalls = "python3-uvicorn, python3-fastapi, python3-dotenv and iproute2"

// missing skips the test, saying what is missing, or fails it under CI,
// which installs everything the tests use.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	need.Missing(t, ciInstalls, format, args...)
}

var uvicornOnce = sync.OnceValue(func() error {
	out, err := exec.Command(python, "-c", "import uvicorn, fastapi, dotenv").CombinedOutput()
	if err != nil {
		return fmt.Errorf("%v: %s", err, bytes.TrimSpace(out))
	}
	return nil
})

// needUvicorn skips the test when Debian's uvicorn is not installed.
func needUvicorn(t testing.TB) {
	t.Helper()
	if err := uvicornOnce(); err != nil {
		missing(t, "%s with uvicorn, fastapi and dotenv is needed for a real FlowMeter-like listener (%v)", python, err)
	}
}

// needNoFlowMeter skips the test (fails it in CI) while a FlowMeter runs
// on this machine outside the test: discovery puts a running install
// first, so the order the test expects cannot hold.
func needNoFlowMeter(t testing.TB) {
	t.Helper()
	found, _ := Discover(context.Background(), &Store{}, t.TempDir())
	for _, in := range found {
		if in.How == FoundRunning {
			missing(t, "a FlowMeter runs on this machine (%s): stop it to run this test", in.EnvPath)
		}
	}
}

// needRoot skips the test when not root.
func needRoot(t testing.TB) {
	t.Helper()
	need.Root(t, ciInstalls, "needs root (network namespaces, other users' processes)")
}

// checkout copies testdata/flowmeter into a new temporary folder as
// FlowMeter/{backend,frontend}, world-readable (processes of other users run
// in it), writes backend/.env when dotenv is not "", and returns the
// backend folder with symbolic links resolved, as /proc shows it.
func checkout(t testing.TB, dotenv string) string {
	t.Helper()
	root, err := os.MkdirTemp("", "netcheck-*")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(root) })
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	root, _ = filepath.EvalSymlinks(root)
	dst := filepath.Join(root, "FlowMeter")
	err = filepath.WalkDir("testdata/flowmeter", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel("testdata/flowmeter", p)
		if d.Name() == "__pycache__" {
			return filepath.SkipDir
		}
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	backend := filepath.Join(dst, "backend")
	if dotenv != "" {
		if err := os.WriteFile(filepath.Join(backend, ".env"), []byte(dotenv), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return backend
}

// pyForwarder is a TCP forwarder in Python, a program on no list of
// Localguard's, for python3 -c: it listens on addr:port and passes every
// connection on to port target on 127.0.0.1.
func pyForwarder(addr string, port, target int) string {
	return fmt.Sprintf(`import socket, threading
def pipe(a, b):
    try:
        while True:
            d = a.recv(65536)
            if not d: break
            b.sendall(d)
    except OSError: pass
    for s in (a, b):
        try: s.shutdown(socket.SHUT_RDWR)
        except OSError: pass
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind((%q, %d)); s.listen()
while True:
    c, _ = s.accept()
    u = socket.create_connection(("127.0.0.1", %d))
    threading.Thread(target=pipe, args=(c, u), daemon=True).start()
    threading.Thread(target=pipe, args=(u, c), daemon=True).start()`, addr, port, target)
}

// freePort returns a TCP port free on every address, IPv4 and IPv6.
func freePort(t testing.TB) int {
	t.Helper()
	for range 50 {
		l, err := net.Listen("tcp4", "0.0.0.0:0")
		if err != nil {
			t.Fatal(err)
		}
		port := l.Addr().(*net.TCPAddr).Port
		l6, err := net.Listen("tcp6", fmt.Sprintf("[::]:%d", port))
		l.Close()
		if err == nil {
			l6.Close()
			return port
		}
	}
	t.Fatal("no free port")
	return 0
}

// child is a process started by a test, killed with its process group at
// the end of the test.
type child struct {
	cmd *exec.Cmd
	out *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// childEnv is a clean environment: nothing of the test's own HOST, PORT or
// UVICORN_* leaks into FlowMeter.
func childEnv(extra ...string) []string {
	return append([]string{"PATH=/usr/bin:/bin:/usr/sbin:/sbin", "HOME=/nonexistent", "LANG=C.UTF-8",
		"PYTHONDONTWRITEBYTECODE=1"}, extra...)
}

// start starts argv in dir; argv[0] is looked up on PATH unless it is a
// path. With path set, argv[0] is only what the process sees as its name.
func start(t testing.TB, dir, path string, env []string, argv ...string) *child {
	t.Helper()
	if path == "" {
		var err error
		if path, err = exec.LookPath(argv[0]); err != nil {
			t.Fatal(err)
		}
	}
	cmd := &exec.Cmd{Path: path, Args: argv, Dir: dir, Env: env}
	out := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting %q: %v", argv, err)
	}
	c := &child{cmd: cmd, out: out}
	t.Cleanup(c.stop)
	return c
}

// stop kills the child's whole process group (uvicorn's reloader has
// children) and waits for the child.
func (c *child) stop() {
	if c.cmd.Process == nil {
		return
	}
	syscall.Kill(-c.cmd.Process.Pid, syscall.SIGKILL)
	c.cmd.Wait()
	// The group's other members die with the signal, but may take a moment
	// to close their sockets.
	for range 100 {
		if syscall.Kill(-c.cmd.Process.Pid, 0) != nil {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (c *child) pid() int32 { return int32(c.cmd.Process.Pid) }

// waitListening waits until every address in want listens on port (seen in
// the kernel's socket list), failing the test with the child's output after
// a while.
func (c *child) waitListening(t testing.TB, port int, want ...netip.Addr) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		socks, err := system.New().Listeners(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, w := range want {
			for _, s := range socks {
				if s.Port == port && s.Addr == w {
					n++
					break
				}
			}
		}
		if n == len(want) {
			return
		}
		if c.cmd.ProcessState != nil || time.Now().After(deadline) || syscall.Kill(c.cmd.Process.Pid, 0) != nil {
			t.Fatalf("%q does not listen on %v port %d; its output:\n%s", c.cmd.Args, want, port, c.out)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitFlowMeter waits until FlowMeter answers on addr:port.
func (c *child) waitFlowMeter(t testing.TB, addr netip.Addr, port int) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for IdentifyFlowMeter(context.Background(), addr, port, time.Second) != IdentityFlowMeter {
		if time.Now().After(deadline) || syscall.Kill(c.cmd.Process.Pid, 0) != nil {
			t.Fatalf("%q does not answer as FlowMeter on %v; its output:\n%s", c.cmd.Args, netip.AddrPortFrom(addr, uint16(port)), c.out)
		}
		time.Sleep(30 * time.Millisecond)
	}
}

// sub replaces {port} and {backend} in each string.
func sub(ss []string, port int, backend string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		s = strings.ReplaceAll(s, "{port}", strconv.Itoa(port))
		out[i] = strings.ReplaceAll(s, "{backend}", backend)
	}
	return out
}

var (
	any4 = netip.IPv4Unspecified()
	any6 = netip.IPv6Unspecified()
	lo4  = netip.MustParseAddr("127.0.0.1")
	lo6  = netip.IPv6Loopback()
	lo4b = netip.MustParseAddr("127.0.0.2")
)

// hostAddr is this machine's first non-loopback IPv4 address, for a
// listener on one specific address; connects to it stay on this machine.
func hostAddr(t testing.TB) (netip.Addr, string) {
	t.Helper()
	ifs, err := Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range ifs {
		for _, a := range it.Addrs {
			if a.Kind != KindLoopback && a.Prefix.Addr().Is4() {
				return a.Prefix.Addr(), it.Name
			}
		}
	}
	return netip.Addr{}, ""
}

// TestHelperProcess is not a test. Started by other tests as a child, with
// NETCHECK_HELPER set and its own arguments after "--", it plays a program
// those tests need:
//
//   - proxy: docker-proxy (-host-ip, -host-port, -container-ip,
//     -container-port), forwarding connections as Docker's does;
//   - scan BACKEND PORT: FindFlowMeter, printed as JSON (run as another user);
//   - check [ENVPATH]: the verdict, printed as JSON (run as another user).
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv("NETCHECK_HELPER")
	if mode == "" {
		t.Skip("a helper started by other tests")
	}
	args := os.Args
	if i := slices.Index(args, "--"); i >= 0 {
		args = args[i+1:]
	}
	var err error
	switch mode {
	case "proxy":
		err = runProxy(args)
	case "scan":
		err = runScan(args)
	case "check":
		err = runCheck(args)
	default:
		err = fmt.Errorf("unknown helper %q", mode)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	os.Exit(0)
}

// runProxy forwards host-ip:host-port to container-ip:container-port.
func runProxy(args []string) error {
	fs := flag.NewFlagSet("docker-proxy", flag.ContinueOnError)
	fs.String("proto", "tcp", "")
	hostIP := fs.String("host-ip", "0.0.0.0", "")
	hostPort := fs.Int("host-port", 0, "")
	ctrIP := fs.String("container-ip", "", "")
	ctrPort := fs.Int("container-port", 0, "")
	if err := fs.Parse(args); err != nil {
		return err
	}
	// "tcp" would make 0.0.0.0 a dual-stack ::, as Go does.
	network := "tcp4"
	if strings.Contains(*hostIP, ":") {
		network = "tcp6"
	}
	l, err := net.Listen(network, net.JoinHostPort(*hostIP, strconv.Itoa(*hostPort)))
	if err != nil {
		return err
	}
	for {
		c, err := l.Accept()
		if err != nil {
			return err
		}
		go func() {
			defer c.Close()
			up, err := net.Dial("tcp", net.JoinHostPort(*ctrIP, strconv.Itoa(*ctrPort)))
			if err != nil {
				return
			}
			defer up.Close()
			go io.Copy(up, c)
			io.Copy(c, up)
		}()
	}
}

// runScan prints what FindFlowMeter finds for BACKEND PORT, as JSON.
func runScan(args []string) error {
	if len(args) != 2 {
		return errors.New("scan BACKEND PORT")
	}
	port, err := strconv.Atoi(args[1])
	if err != nil {
		return err
	}
	found, err := FindFlowMeter(context.Background(), args[0], port)
	if err != nil {
		return err
	}
	return json.NewEncoder(os.Stdout).Encode(found)
}
