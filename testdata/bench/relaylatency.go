package main

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

// relayLatency puts FlowMeter on 127.0.0.1, then starts the reverse proxy
// on 0.0.0.0 reps times and times from its socket listening to watch
// printing "exposed" (issue 18: within 1.5 s).
func (h *harness) relayLatency(w *watcher, fm *flowMeter, reps int) error {
	fm.stop()
	if err := os.WriteFile(fm.envPath, fmt.Appendf(nil, "HOST=127.0.0.1\nPORT=%d\n", fm.port), 0o644); err != nil {
		return err
	}
	if err := fm.start(h); err != nil {
		return err
	}
	h.nextLine(w, time.Now().Add(quietAfterStop), func(s string) bool { return s != "exposed" })
	// A relay on no list of Localguard's, the same the tests use.
	script := filepath.Join(h.root, "netcheck", "testdata", "reverse_proxy.py")
	var times []time.Duration
	for i := range reps {
		if err := h.sleep(phase(i, reps)); err != nil {
			return err
		}
		w.drain()
		d, err := h.timeRelay(w, script, fm.port)
		if err != nil {
			h.logf("relay latency %d/%d: %v", i+1, reps, err)
			continue
		}
		h.logf("relay latency %d/%d: %s", i+1, reps, ms(d))
		times = append(times, d)
	}
	if len(times) == 0 {
		h.report("watch latency of a relay on no list: none reported within %s in %d starts (target ≤ 1500 ms)", latencyTimeout, reps)
		return nil
	}
	h.report("watch latency of a relay on no list (a Python reverse proxy on 0.0.0.0): median %.0f ms, max %.0f ms over %d starts (target ≤ 1500 ms)",
		millis(median(times)), millis(slicesMax(times)), len(times))
	return nil
}

// timeRelay starts one proxy, returns how long watch took to say
// "exposed" after it listened, and stops it (waiting for watch to see it
// gone).
func (h *harness) timeRelay(w *watcher, script string, fmPort int) (time.Duration, error) {
	port, err := freePort()
	if err != nil {
		return 0, err
	}
	cmd := exec.Command(python, script, fmt.Sprint(port), fmt.Sprint(fmPort))
	cmd.Env = h.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	defer func() {
		cmd.Process.Kill()
		cmd.Wait()
		h.nextLine(w, time.Now().Add(quietAfterStop), func(s string) bool { return s != "exposed" })
	}()
	listening, err := waitListen(port)
	if err != nil {
		return 0, err
	}
	line, err := h.nextLine(w, listening.Add(latencyTimeout), func(s string) bool { return s == "exposed" })
	if err != nil {
		return 0, fmt.Errorf("no \"exposed\" line within %s (%v)", latencyTimeout, err)
	}
	return line.at.Sub(listening), nil
}

// waitListen returns the moment port on 127.0.0.1 accepts a connection.
func waitListen(port int) (time.Time, error) {
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if c, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", port), time.Second); err == nil {
			c.Close()
			return time.Now(), nil
		}
	}
	return time.Time{}, fmt.Errorf("the proxy does not listen on port %d", port)
}
