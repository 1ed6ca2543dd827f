// Command bench is Localguard's benchmark harness, run by `make bench`
// (`go run ./testdata/bench` from the module root; Linux only).
//
// It builds the load of issues 3 and 4 itself (400 extra processes holding
// 50 open files each, and a FlowMeter-like listener on 0.0.0.0) and issue
// 18's (30 listeners on 0.0.0.0 that are not FlowMeter, a third of them
// silent), then prints:
//
//   - the wall time of a whole `localguard check --json` process against
//     `ss -tlnp` (and a gopsutil net.Connections("tcp") program when
//     gopsutil v4 is in go.mod), run alternately in rounds;
//   - a first `check` (every socket asked: an empty cache folder) and a
//     later one (the answers kept) against `ss -tlnp`, wall and CPU time;
//   - when `localguard watch` exists, its CPU share at --interval 1s while
//     nothing changes, next to running `ss -tlnp` once a second, and the
//     time it takes to report a FlowMeter that starts on 0.0.0.0.
//
// It asserts nothing: the machine is shared and noisy. It exits non-zero
// only when it could not measure. Everything it starts is stopped, and its
// temporary folder removed, also on Ctrl-C.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"localguard/testdata/bench/module"
)

// config is what a run measures; the defaults are the issues' figures.
type config struct {
	holders   int  // extra processes
	files     int  // open files each holder holds
	rounds    int  // alternating rounds of check / ss / gopsutil
	latencies int  // FlowMeter starts timed against watch
	hold      bool // set up the load, print how to reach it, wait for Ctrl-C
}

func main() {
	var c config
	flag.IntVar(&c.holders, "holders", 400, "extra processes to start as load")
	flag.IntVar(&c.files, "files", 50, "open files each extra process holds")
	flag.IntVar(&c.rounds, "rounds", 30, "alternating rounds of check and ss -tlnp")
	flag.IntVar(&c.latencies, "latencies", 5, "FlowMeter starts to time against watch")
	flag.BoolVar(&c.hold, "hold", false, "set up the load, print how to run check against it, and wait for Ctrl-C (to profile by hand)")
	flag.Parse()
	os.Exit(run(c))
}

// harness holds what one run started, to stop it all at the end.
type harness struct {
	ctx      context.Context
	root     string   // module root, where go.mod is
	dir      string   // temporary folder of this run
	env      []string // environment of the children, without HOST and PORT
	cleanups []func()
	summary  []string
}

// run measures everything and prints the summary; it returns the exit code.
func run(c config) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	h, err := newHarness(ctx)
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		return 1
	}
	defer h.cleanup()
	err = h.measure(c)
	h.printSummary()
	if err != nil {
		if ctx.Err() != nil {
			err = errors.New("interrupted")
		}
		fmt.Fprintf(os.Stderr, "bench: could not measure: %v\n", err)
		return 1
	}
	return 0
}

// newHarness finds the module root and makes the run's temporary folder.
func newHarness(ctx context.Context) (*harness, error) {
	root, err := module.Root()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "localguard-bench-")
	if err != nil {
		return nil, err
	}
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real // as /proc/PID/fd and /proc/PID/cwd show it
	}
	h := &harness{ctx: ctx, root: root, dir: dir, env: childEnv()}
	h.onCleanup(func() { os.RemoveAll(dir) })
	return h, nil
}

// measure runs every step in order; a step that cannot measure stops it.
func (h *harness) measure(c config) error {
	bin, err := h.buildLocalguard()
	if err != nil {
		return err
	}
	peer := h.buildPeer()
	if err := h.startLoad(c.holders, c.files); err != nil {
		return err
	}
	fm, err := h.newFlowMeter()
	if err != nil {
		return err
	}
	if err := fm.start(h); err != nil {
		return err
	}
	if err := h.startRelay(fm); err != nil {
		return err
	}
	if err := h.startServices(30); err != nil {
		return err
	}
	if c.hold {
		fmt.Printf("load ready; in another shell, with this environment:\n  XDG_CACHE_HOME=%s %s check --env %s --json\nCtrl-C stops it\n", filepath.Join(h.dir, "cache"), bin, fm.envPath)
		<-h.ctx.Done()
		return nil
	}
	if err := h.compareCheck(bin, fm, peer, c.rounds); err != nil {
		return err
	}
	if err := h.compareAsking(bin, fm, c.rounds); err != nil {
		return err
	}
	return h.measureWatch(bin, fm, c.latencies)
}

// onCleanup registers f to run at the end, last registered first.
func (h *harness) onCleanup(f func()) { h.cleanups = append(h.cleanups, f) }

// cleanup stops everything the run started and removes its folder.
func (h *harness) cleanup() {
	for i := len(h.cleanups) - 1; i >= 0; i-- {
		h.cleanups[i]()
	}
	h.cleanups = nil
}

// logf prints a progress line on stderr.
func (h *harness) logf(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
}

// report adds one figure to the summary printed at the end.
func (h *harness) report(format string, args ...any) {
	h.summary = append(h.summary, fmt.Sprintf(format, args...))
}

func (h *harness) printSummary() {
	if len(h.summary) == 0 {
		return
	}
	fmt.Println("== localguard bench ==")
	for _, line := range h.summary {
		fmt.Println(line)
	}
}

// childEnv is this process's environment without HOST and PORT, so that a
// variable in the caller's shell does not change FlowMeter's or the
// verdict's address.
func childEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "HOST=") || strings.HasPrefix(kv, "PORT=") {
			continue
		}
		env = append(env, kv)
	}
	return env
}
