package main

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	_ "embed"
)

// flowMeterApp is the FlowMeter-like backend, written to backend/app/main.py.
//
//go:embed flowmeter_app.py
var flowMeterApp []byte

// python is the interpreter FlowMeter-like listeners run on.
const python = "/usr/bin/python3"

// startLoad starts n holder processes, each holding files open files: `sleep`
// given the same files as inherited descriptors, the cheapest process that
// surely keeps them. It checks the counts in /proc/PID/fd.
func (h *harness) startLoad(n, files int) error {
	dir := filepath.Join(h.dir, "held")
	open, err := openFiles(dir, files)
	defer closeAll(open)
	if err != nil {
		return err
	}
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		return err
	}
	h.logf("starting %d processes holding %d open files each", n, files)
	pids := make([]int, 0, n)
	for range n {
		cmd := exec.Command(sleep, "86400")
		cmd.ExtraFiles = open
		cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
		if err := cmd.Start(); err != nil {
			return fmt.Errorf("starting holder %d: %v", len(pids)+1, err)
		}
		h.onCleanup(func() { cmd.Process.Kill(); cmd.Wait() })
		pids = append(pids, cmd.Process.Pid)
		if h.ctx.Err() != nil {
			return h.ctx.Err()
		}
	}
	least, most := heldRange(pids, dir)
	if least < files {
		return fmt.Errorf("a holder has only %d open files, not %d", least, files)
	}
	held := fmt.Sprint(least)
	if most != least {
		held = fmt.Sprintf("%d-%d", least, most)
	}
	h.report("load: %d extra processes holding %s open files each (counted in /proc/PID/fd)", n, held)
	return nil
}

// openFiles creates dir and opens n distinct files in it.
func openFiles(dir string, n int) ([]*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	open := make([]*os.File, 0, n)
	for i := range n {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("file-%02d", i)))
		if err != nil {
			return open, err
		}
		open = append(open, f)
	}
	return open, nil
}

// closeAll closes files.
func closeAll(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// heldRange is the least and the most files of dir that the processes
// pids hold open, read from the links in /proc/PID/fd.
func heldRange(pids []int, dir string) (least, most int) {
	least = -1
	for _, pid := range pids {
		n := 0
		fds := fmt.Sprintf("/proc/%d/fd", pid)
		entries, _ := os.ReadDir(fds)
		for _, e := range entries {
			target, err := os.Readlink(filepath.Join(fds, e.Name()))
			if err == nil && strings.HasPrefix(target, dir+string(filepath.Separator)) {
				n++
			}
		}
		if least < 0 || n < least {
			least = n
		}
		most = max(most, n)
	}
	return max(least, 0), most
}

// flowMeter is a FlowMeter-like checkout in the run's folder: its backend
// runs as `python3 -m app.main` there and listens where backend/.env says.
type flowMeter struct {
	backend string // FlowMeter/backend
	envPath string // FlowMeter/backend/.env
	port    int
	cmd     *exec.Cmd
}

// newFlowMeter writes the checkout with HOST=0.0.0.0 and a free port.
func (h *harness) newFlowMeter() (*flowMeter, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	fm := &flowMeter{backend: filepath.Join(h.dir, "FlowMeter", "backend"), port: port}
	fm.envPath = filepath.Join(fm.backend, ".env")
	app := filepath.Join(fm.backend, "app")
	if err := os.MkdirAll(app, 0o755); err != nil {
		return nil, err
	}
	files := map[string][]byte{
		filepath.Join(app, "__init__.py"): nil,
		filepath.Join(app, "main.py"):     flowMeterApp,
		fm.envPath:                        fmt.Appendf(nil, "HOST=0.0.0.0\nPORT=%d\n", port),
	}
	for name, data := range files {
		if err := os.WriteFile(name, data, 0o644); err != nil {
			return nil, err
		}
	}
	h.onCleanup(fm.stop)
	return fm, nil
}

// start runs the backend and returns once it accepts connections.
func (fm *flowMeter) start(h *harness) error {
	_, err := fm.startTimed(h)
	if err == nil {
		h.logf("FlowMeter-like listener on 0.0.0.0:%d (pid %d)", fm.port, fm.cmd.Process.Pid)
	}
	return err
}

// startTimed runs the backend and returns the moment it said it listens.
func (fm *flowMeter) startTimed(h *harness) (time.Time, error) {
	cmd := exec.Command(python, "-m", "app.main")
	cmd.Dir = fm.backend
	cmd.Env = h.env
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return time.Time{}, err
	}
	if err := cmd.Start(); err != nil {
		return time.Time{}, fmt.Errorf("starting the FlowMeter-like listener: %v", err)
	}
	fm.cmd = cmd
	ready := make(chan time.Time, 1)
	go func() {
		r := bufio.NewReader(out)
		if _, err := r.ReadString('\n'); err == nil {
			ready <- time.Now()
		}
		close(ready)
	}()
	select {
	case at, ok := <-ready:
		if !ok {
			fm.stop()
			return time.Time{}, errors.New("the FlowMeter-like listener exited before listening")
		}
		return at, nil
	case <-time.After(10 * time.Second):
		fm.stop()
		return time.Time{}, errors.New("the FlowMeter-like listener did not listen within 10 s")
	case <-h.ctx.Done():
		return time.Time{}, h.ctx.Err()
	}
}

// stop ends the backend, if it runs, and waits for it to exit, which
// closes its socket.
func (fm *flowMeter) stop() {
	if fm.cmd == nil {
		return
	}
	fm.cmd.Process.Kill()
	fm.cmd.Wait()
	fm.cmd = nil
}

// freePort is a TCP port no one listens on now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
