package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// The timings of issue 4's figures.
const (
	settle         = 3 * time.Second  // before the CPU window opens
	cpuWindow      = 20 * time.Second // CPU share measured over this
	latencyTimeout = 10 * time.Second // longest wait for a verdict line
	quietAfterStop = 3 * time.Second  // wait for watch to see FlowMeter gone
)

// measureWatch measures `watch --interval 1s` on the load: its CPU share
// while nothing changes, next to `ss -tlnp` once a second, and how soon it
// reports a FlowMeter starting on 0.0.0.0. It skips when watch is missing.
func (h *harness) measureWatch(bin string, fm *flowMeter, latencies int) error {
	if exec.Command(bin, "watch", "-h").Run() != nil {
		h.report("watch: not available yet (`localguard watch -h` fails); CPU share and latency not measured")
		return nil
	}
	w, err := h.startWatch(bin, fm)
	if err != nil {
		return err
	}
	defer w.stop()
	if err := h.watchCPU(w); err != nil {
		return err
	}
	if err := h.ssCPU(); err != nil {
		return err
	}
	if err := h.watchLatency(w, fm, latencies); err != nil {
		return err
	}
	return h.relayLatency(w, fm, latencies)
}

// verdictLine is one line watch printed, with when it was read.
type verdictLine struct {
	at     time.Time
	status string
}

// watcher is a running `localguard watch --json`.
type watcher struct {
	cmd   *exec.Cmd
	lines chan verdictLine // closed when watch's stdout ends
}

// startWatch starts watch on the checkout and waits for its first verdict.
func (h *harness) startWatch(bin string, fm *flowMeter) (*watcher, error) {
	cmd := exec.Command(bin, "watch", "--env", fm.envPath, "--interval", "1s", "--json")
	cmd.Env = h.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting watch: %v", err)
	}
	w := &watcher{cmd: cmd, lines: make(chan verdictLine, 64)}
	h.onCleanup(w.stop)
	go w.read(bufio.NewScanner(out))
	h.logf("watch started (pid %d); waiting for its first verdict", cmd.Process.Pid)
	if _, err := h.nextLine(w, time.Now().Add(latencyTimeout), nil); err != nil {
		return nil, fmt.Errorf("watch printed no verdict at start: %v", err)
	}
	return w, nil
}

// read sends each line of watch's output, timestamped, to w.lines.
func (w *watcher) read(sc *bufio.Scanner) {
	sc.Buffer(make([]byte, 64*1024), 4<<20)
	for sc.Scan() {
		var v struct {
			Status string `json:"status"`
		}
		line := verdictLine{at: time.Now(), status: "unparsed"}
		if json.Unmarshal(sc.Bytes(), &v) == nil {
			line.status = v.Status
		}
		w.lines <- line
	}
	close(w.lines)
}

// stop ends watch, once.
func (w *watcher) stop() {
	if w.cmd == nil {
		return
	}
	w.cmd.Process.Kill()
	w.cmd.Wait()
	w.cmd = nil
}

// nextLine waits until deadline for a line of watch whose status satisfies
// want (any line when want is nil).
func (h *harness) nextLine(w *watcher, deadline time.Time, want func(string) bool) (verdictLine, error) {
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	for {
		select {
		case line, ok := <-w.lines:
			if !ok {
				return verdictLine{}, errors.New("watch exited")
			}
			if want == nil || want(line.status) {
				return line, nil
			}
		case <-timer.C:
			return verdictLine{}, errors.New("timed out")
		case <-h.ctx.Done():
			return verdictLine{}, h.ctx.Err()
		}
	}
}

// drain discards the lines watch printed so far.
func (w *watcher) drain() {
	for {
		select {
		case _, ok := <-w.lines:
			if !ok {
				return
			}
		default:
			return
		}
	}
}

// watchCPU reports watch's CPU share over cpuWindow after settling.
func (h *harness) watchCPU(w *watcher) error {
	h.logf("letting watch settle %s, then reading its CPU time over %s", settle, cpuWindow)
	if err := h.sleep(settle); err != nil {
		return err
	}
	pid := w.cmd.Process.Pid
	before, err := cpuTime(pid)
	if err != nil {
		return err
	}
	start := time.Now()
	if err := h.sleep(cpuWindow); err != nil {
		return err
	}
	after, err := cpuTime(pid)
	if err != nil {
		return fmt.Errorf("watch is gone: %v", err)
	}
	share := percent(after-before, time.Since(start))
	h.report("watch CPU share over %.0f s: %.2f %% of one core (target ≤ 0.5 %%)", cpuWindow.Seconds(), share)
	return nil
}

// ssCPU reports the CPU share of running `ss -tlnp` once a second over
// cpuWindow: the children's user and system time, from their rusage.
func (h *harness) ssCPU() error {
	h.logf("running ss -tlnp once a second for %s", cpuWindow)
	var used time.Duration
	start := time.Now()
	for i := 1; ; i++ {
		cmd := exec.CommandContext(h.ctx, "ss", "-tlnp")
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("ss -tlnp: %v", err)
		}
		used += cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
		next := start.Add(time.Duration(i) * time.Second)
		if !next.Before(start.Add(cpuWindow)) {
			break
		}
		if err := h.sleep(time.Until(next)); err != nil {
			return err
		}
	}
	h.report("ss -tlnp once a second for %.0f s: %.2f %% of one core", cpuWindow.Seconds(), percent(used, cpuWindow))
	return nil
}

// watchLatency stops FlowMeter, lets watch see it gone, starts it again on
// 0.0.0.0 and times from its socket listening to watch printing "exposed".
func (h *harness) watchLatency(w *watcher, fm *flowMeter, reps int) error {
	var times []time.Duration
	missed := 0
	for i := range reps {
		fm.stop()
		h.nextLine(w, time.Now().Add(quietAfterStop), func(s string) bool { return s != "exposed" })
		if err := h.sleep(phase(i, reps)); err != nil {
			return err
		}
		w.drain()
		listening, err := fm.startTimed(h)
		if err != nil {
			return err
		}
		line, err := h.nextLine(w, listening.Add(latencyTimeout), func(s string) bool { return s == "exposed" })
		switch {
		case h.ctx.Err() != nil:
			return h.ctx.Err()
		case err != nil:
			h.logf("latency %d/%d: no \"exposed\" line within %s (%v)", i+1, reps, latencyTimeout, err)
			missed++
		default:
			d := line.at.Sub(listening)
			h.logf("latency %d/%d: %s", i+1, reps, ms(d))
			times = append(times, d)
		}
	}
	if len(times) == 0 {
		h.report("watch latency: no \"exposed\" line within %s in %d starts (target ≤ 1500 ms)", latencyTimeout, reps)
		return nil
	}
	note := ""
	if missed > 0 {
		note = fmt.Sprintf(", %d more starts not reported within %s", missed, latencyTimeout)
	}
	h.report("watch latency: median %.0f ms, max %.0f ms over %d starts%s (target ≤ 1500 ms)",
		millis(median(times)), millis(slicesMax(times)), len(times), note)
	return nil
}

// phase is how long start i of reps waits after watch saw FlowMeter gone:
// spread over watch's 1 s interval, so that the starts meet every part of
// its tick, the worst included.
func phase(i, reps int) time.Duration {
	return 100*time.Millisecond + time.Duration(i)*time.Second/time.Duration(reps)
}

// cpuTime is the user and system time of process pid and of its waited-for
// children, from /proc/PID/stat.
func cpuTime(pid int) (time.Duration, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The name, in parentheses, may hold spaces: count fields after it.
	rest := string(data[strings.LastIndexByte(string(data), ')')+1:])
	fields := strings.Fields(rest) // fields[0] is field 3, state
	if len(fields) < 15 {
		return 0, fmt.Errorf("short /proc/%d/stat", pid)
	}
	var ticks int64
	for _, f := range fields[11:15] { // utime, stime, cutime, cstime
		n, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / time.Duration(clockTicks()), nil
}

// clockTicks is the kernel's clock ticks per second (getconf CLK_TCK).
func clockTicks() int64 {
	out, err := exec.Command("getconf", "CLK_TCK").Output()
	if err == nil {
		if n, err := strconv.ParseInt(strings.TrimSpace(string(out)), 10, 64); err == nil && n > 0 {
			return n
		}
	}
	return 100
}

// sleep waits d, or less when the run is interrupted.
func (h *harness) sleep(d time.Duration) error {
	if d <= 0 {
		return h.ctx.Err()
	}
	select {
	case <-time.After(d):
		return nil
	case <-h.ctx.Done():
		return h.ctx.Err()
	}
}

// percent is used as a share of one core over wall.
func percent(used, wall time.Duration) float64 {
	return 100 * float64(used) / float64(wall)
}

func millis(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func slicesMax(ds []time.Duration) time.Duration { return sorted(ds)[len(ds)-1] }
