package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"localguard/testdata/bench/module"
)

// bench holds what one run started, to stop it all at the end.
type bench struct {
	ctx      context.Context
	root     string
	dir      string
	env      []string // the children's environment
	tray     *trayHost
	envPath  string // the FlowMeter-like server's .env
	started  int    // programs started, to name their logs
	cleanups []func()
	summary  []string
}

func newBench(ctx context.Context) (*bench, error) {
	root, err := module.Root()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "localguard-bench-window-")
	if err != nil {
		return nil, err
	}
	dir, _ = filepath.EvalSymlinks(dir) // as /proc/PID/cwd shows it
	b := &bench{ctx: ctx, root: root, dir: dir}
	b.onCleanup(func() { os.RemoveAll(dir) })
	home := filepath.Join(dir, "home")
	for _, kv := range os.Environ() {
		switch strings.SplitN(kv, "=", 2)[0] {
		case "HOST", "PORT", "UVICORN_HOST", "DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "HOME", "XDG_CONFIG_HOME":
			continue
		}
		b.env = append(b.env, kv)
	}
	// A fresh home: no remembered install, no trusted network.
	b.env = append(b.env, "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
	return b, os.MkdirAll(home, 0o755)
}

func (b *bench) onCleanup(f func()) { b.cleanups = append(b.cleanups, f) }

// showLogs prints what the programs started said, when a step failed.
func (b *bench) showLogs() {
	logs, _ := filepath.Glob(filepath.Join(b.dir, "*.log"))
	for _, l := range logs {
		if out, err := os.ReadFile(l); err == nil && len(bytes.TrimSpace(out)) > 0 {
			fmt.Fprintf(os.Stderr, "--- %s\n%s\n", filepath.Base(l), out)
		}
	}
}

func (b *bench) cleanup() {
	for i := len(b.cleanups) - 1; i >= 0; i-- {
		b.cleanups[i]()
	}
	b.cleanups = nil
}

func (b *bench) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench window: "+format+"\n", args...)
}

func (b *bench) report(format string, args ...any) {
	b.summary = append(b.summary, fmt.Sprintf(format, args...))
}

func (b *bench) print() {
	if len(b.summary) == 0 {
		return
	}
	fmt.Println("== localguard window bench ==")
	for _, line := range b.summary {
		fmt.Println(line)
	}
}

// sleep waits d, or less when the run is interrupted.
func (b *bench) sleep(d time.Duration) {
	select {
	case <-time.After(d):
	case <-b.ctx.Done():
	}
}

// build builds pkg with cgo (the real desktop driver) into the run's folder.
func (b *bench) build(pkg, name string) (string, error) {
	out := filepath.Join(b.dir, "bin", name)
	b.logf("building %s: CGO_ENABLED=1 go build %s", name, pkg)
	cmd := exec.CommandContext(b.ctx, "go", "build", "-o", out, pkg)
	cmd.Dir = b.root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=1")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building %s: %v: %s", pkg, err, strings.TrimSpace(stderr.String()))
	}
	return out, nil
}

// start starts a program with the children's environment; it is killed
// at the end, and with this program (PR_SET_PDEATHSIG).
func (b *bench) start(path string, args ...string) (*exec.Cmd, error) {
	cmd := exec.Command(path, args...)
	cmd.Env = b.env
	cmd.Dir = b.dir
	b.started++
	log, err := os.Create(filepath.Join(b.dir, fmt.Sprintf("%d-%s.log", b.started, filepath.Base(path))))
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		log.Close()
		return nil, fmt.Errorf("starting %s: %w", path, err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); log.Close(); close(done) }()
	b.onCleanup(func() {
		cmd.Process.Kill()
		<-done
	})
	return cmd, nil
}

// stopProcess ends a program started with start.
func (b *bench) stopProcess(cmd *exec.Cmd) {
	cmd.Process.Kill()
	for i := 0; i < 50 && alive(cmd.Process.Pid); i++ {
		time.Sleep(20 * time.Millisecond)
	}
}

// startX starts Xvfb on a display it picks itself (-displayfd), and stops
// it with SIGTERM at the end, so that it removes its lock and socket.
func (b *bench) startX() error {
	r, w, err := os.Pipe()
	if err != nil {
		return err
	}
	defer r.Close()
	cmd := exec.Command(lookPath("Xvfb"), "-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
	cmd.Env = b.env
	cmd.ExtraFiles = []*os.File{w} // fd 3
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGTERM}
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("starting Xvfb: %w", err)
	}
	w.Close()
	b.onCleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	// Xvfb writes the display's number once it accepts connections.
	line, err := bufio.NewReader(r).ReadString('\n')
	n, convErr := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || convErr != nil {
		return fmt.Errorf("Xvfb did not start: %q %v", line, err)
	}
	display := fmt.Sprintf(":%d", n)
	b.env = append(b.env, "DISPLAY="+display)
	if err := b.x("xwininfo", "-root"); err != nil {
		return fmt.Errorf("Xvfb on %s does not answer: %w", display, err)
	}
	return nil
}

// x runs an X11 tool on the run's display.
func (b *bench) x(name string, args ...string) error {
	cmd := exec.CommandContext(b.ctx, lookPath(name), args...)
	cmd.Env = b.env
	return cmd.Run()
}

// xOutput runs an X11 tool on the run's display and returns its stdout.
func (b *bench) xOutput(name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(b.ctx, lookPath(name), args...)
	cmd.Env = b.env
	return cmd.Output()
}

// waitWindow waits for a top-level window whose title starts with title
// and returns its id.
func (b *bench) waitWindow(title string, limit time.Duration) (string, error) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) && b.ctx.Err() == nil {
		out, _ := b.xOutput("xwininfo", "-root", "-tree")
		for _, line := range strings.Split(string(out), "\n") {
			if strings.Contains(line, `"`+title) {
				return strings.Fields(line)[0], nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return "", fmt.Errorf("no window %q within %v", title, limit)
}

// colorWatch watches the screen's top-left corner, where the status
// shield is, for a shield's colour, from before the window shows.
type colorWatch struct {
	cmd *exec.Cmd
	out *bufio.Reader
}

// watchColor starts waitcolor.py for the colour rgb (RRGGBB) and waits
// until it is connected.
func (b *bench) watchColor(rgb string, limit time.Duration) (*colorWatch, error) {
	cmd := exec.CommandContext(b.ctx, python(), filepath.Join(b.root, "testdata", "bench", "window", "waitcolor.py"),
		rgb, "120", fmt.Sprint(limit.Seconds()))
	cmd.Env = b.env
	cmd.Stderr = os.Stderr
	pipe, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting waitcolor.py: %w", err)
	}
	b.onCleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	w := &colorWatch{cmd: cmd, out: bufio.NewReader(pipe)}
	if line, err := w.out.ReadString('\n'); err != nil || strings.TrimSpace(line) != "ready" {
		return nil, fmt.Errorf("waitcolor.py did not start: %q %v", line, err)
	}
	return w, nil
}

// first returns how long after started the colour first showed.
func (w *colorWatch) first(started time.Time) (time.Duration, error) {
	line, err := w.out.ReadString('\n')
	if err != nil {
		return 0, errors.New("the shield's colour did not show on screen in time")
	}
	ns, err := strconv.ParseInt(strings.TrimSpace(line), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("waitcolor.py: %q", line)
	}
	return time.Unix(0, ns).Sub(started), nil
}

// closeWindow asks the window to close, as a window manager's close
// button does.
func (b *bench) closeWindow(win string) error {
	cmd := exec.CommandContext(b.ctx, python(), filepath.Join(b.root, "testdata", "bench", "window", "wmclose.py"), win)
	cmd.Env = b.env
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("closing the window: %v: %s", err, out)
	}
	return nil
}

// waitUnmapped waits until the window is no longer shown.
func (b *bench) waitUnmapped(win string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		out, err := b.xOutput("xwininfo", "-id", win)
		if err != nil || bytes.Contains(out, []byte("IsUnMapped")) {
			return nil
		}
		time.Sleep(50 * time.Millisecond)
	}
	return fmt.Errorf("the window is still shown %v after it was closed", limit)
}

// waitMapped waits until the window is shown.
func (b *bench) waitMapped(win string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		out, err := b.xOutput("xwininfo", "-id", win)
		if err == nil && bytes.Contains(out, []byte("IsViewable")) {
			return nil
		}
		time.Sleep(10 * time.Millisecond)
	}
	return fmt.Errorf("the window is not shown again %v after Open was clicked", limit)
}

// startFlowMeter starts the bench's FlowMeter-like server as `python3 -m
// app.main` in a FlowMeter/backend whose .env (b.envPath) says
// HOST=0.0.0.0.
func (b *bench) startFlowMeter() (*exec.Cmd, error) {
	backend := filepath.Join(b.dir, "FlowMeter", "backend")
	if err := os.MkdirAll(filepath.Join(backend, "app"), 0o755); err != nil {
		return nil, err
	}
	src, err := os.ReadFile(filepath.Join(b.root, "testdata", "bench", "flowmeter_app.py"))
	if err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(backend, "app", "main.py"), src, 0o644); err != nil {
		return nil, err
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	env := filepath.Join(backend, ".env")
	if err := os.WriteFile(env, fmt.Appendf(nil, "HOST=0.0.0.0\nPORT=%d\n", port), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(python(), "-m", "app.main")
	cmd.Dir, cmd.Env = backend, b.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting the FlowMeter-like server: %w", err)
	}
	b.onCleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, _ := bufio.NewReader(out).ReadString('\n')
	if strings.TrimSpace(line) != "listening" {
		return nil, fmt.Errorf("the FlowMeter-like server did not start")
	}
	b.logf("FlowMeter-like server on 0.0.0.0:%d", port)
	b.envPath = env
	return cmd, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// python is Debian's python3 where present.
func python() string {
	if _, err := os.Stat("/usr/bin/python3"); err == nil {
		return "/usr/bin/python3"
	}
	return lookPath("python3")
}

func lookPath(name string) string {
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	return name
}

// alive reports whether pid runs (a zombie, ended but not yet waited
// for, does not).
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i > 0 && len(s) > i+2 && s[i+2] != 'Z'
}

// waitGone waits until pid has ended.
func waitGone(pid int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for alive(pid) {
		if time.Now().After(deadline) {
			return fmt.Errorf("process %d still runs after %v", pid, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return nil
}

// children are the running child processes of pid.
func children(pid int) []int {
	var kids []int
	tasks, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/children", pid))
	for _, t := range tasks {
		b, _ := os.ReadFile(t)
		for _, f := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(f); err == nil && alive(n) {
				kids = append(kids, n)
			}
		}
	}
	return kids
}

// rss is the resident memory of pid in KiB (VmRSS).
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 && f[0] == "VmRSS:" {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			return n
		}
	}
	return 0
}

// rssParts says what pid's resident memory is: its own (heap and stacks),
// and pages of files (the program's code and data, libraries).
func rssParts(pid int) string {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	parts := map[string]int64{}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) >= 2 {
			n, _ := strconv.ParseInt(f[1], 10, 64)
			parts[strings.TrimSuffix(f[0], ":")] = n
		}
	}
	return fmt.Sprintf("%.1f MiB its own, %.1f MiB of files: code, libraries", mib(parts["RssAnon"]), mib(parts["RssFile"]+parts["RssShmem"]))
}

// cpuTicks is the CPU time pid used (utime+stime), in clock ticks.
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+2:])
	// After the name: state is field 3, utime 14, stime 15.
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return u + st
}

// cpuNanos is the CPU time pid's threads used, in nanoseconds, from the
// scheduler's own accounting (/proc/PID/task/*/schedstat), exact where
// utime and stime count whole 10 ms ticks; 0 when it cannot be read.
func cpuNanos(pid int) int64 {
	files, _ := filepath.Glob(fmt.Sprintf("/proc/%d/task/*/schedstat", pid))
	var sum int64
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if fields := strings.Fields(string(b)); len(fields) > 0 {
			n, _ := strconv.ParseInt(fields[0], 10, 64)
			sum += n
		}
	}
	return sum
}

// cpuShare is the percentage of one core pid uses over d: from the
// scheduler's accounting where the system keeps it, else from ticks.
func cpuShare(pid int, d time.Duration, sleep func(time.Duration)) float64 {
	const ticksPerSecond = 100 // USER_HZ on Linux
	ns0, before, t0 := cpuNanos(pid), cpuTicks(pid), time.Now()
	sleep(d)
	ns1, used := cpuNanos(pid), cpuTicks(pid)-before
	if ns0 > 0 && ns1 >= ns0 {
		return 100 * float64(ns1-ns0) / float64(time.Since(t0).Nanoseconds())
	}
	return 100 * float64(used) / ticksPerSecond / time.Since(t0).Seconds()
}

// listensOn counts the listening TCP sockets of pid in `ss -tlnp`.
func listensOn(pid int) (int, error) {
	out, err := exec.Command(lookPath("ss"), "-tlnpH").Output()
	if err != nil {
		return 0, err
	}
	return strings.Count(string(out), fmt.Sprintf("pid=%d,", pid)), nil
}
