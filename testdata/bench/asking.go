package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// timed is one timed run: its wall time and its CPU time (user and system).
type timed struct{ wall, cpu time.Duration }

// compareAsking times `localguard check` asking every socket a neighbour
// can reach (a fresh cache folder each time: nothing kept) and a later one
// (the answers kept by a run before it) against `ss -tlnp`, alternating,
// wall and CPU time each (issue 18's figures: each ≤ 0.5× ss -tlnp).
func (h *harness) compareAsking(bin string, fm *flowMeter, rounds int) error {
	kept := filepath.Join(h.dir, "cache-kept")
	argv := []string{bin, "check", "--env", fm.envPath, "--json"}
	if _, err := h.timeEnv(argv, h.cacheEnv(kept)); err != nil { // fills the kept answers
		return err
	}
	var first, later, ss []timed
	for i := range rounds {
		fresh := filepath.Join(h.dir, fmt.Sprintf("cache-%d", i))
		steps := []func() error{
			func() error { r, err := h.timeEnv(argv, h.cacheEnv(fresh)); first = append(first, r); return err },
			func() error { r, err := h.timeEnv(argv, h.cacheEnv(kept)); later = append(later, r); return err },
			func() error { r, err := h.timeEnv([]string{"ss", "-tlnp"}, h.env); ss = append(ss, r); return err },
		}
		for j := range steps {
			if err := steps[(i+j)%len(steps)](); err != nil {
				return err
			}
		}
		os.RemoveAll(fresh)
	}
	h.reportRatio("first check (every socket asked)", first, ss)
	h.reportRatio("later check (answers kept)", later, ss)
	return nil
}

// reportRatio reports a peer's medians against ss -tlnp's, wall and CPU.
func (h *harness) reportRatio(name string, runs, ss []timed) {
	w, c := medians(runs)
	sw, sc := medians(ss)
	h.report("%s vs ss -tlnp: wall median %s vs %s, ratio %.2f; CPU median %s vs %s, ratio %.2f (target ≤ 0.5)",
		name, ms(w), ms(sw), float64(w)/float64(sw), ms(c), ms(sc), float64(c)/float64(sc))
}

func medians(runs []timed) (wall, cpu time.Duration) {
	var ws, cs []time.Duration
	for _, r := range runs {
		ws, cs = append(ws, r.wall), append(cs, r.cpu)
	}
	return median(ws), median(cs)
}

// cacheEnv is the children's environment with the cache folder dir.
func (h *harness) cacheEnv(dir string) []string {
	return append(append([]string{}, h.env...), "XDG_CACHE_HOME="+dir)
}

// timeEnv runs argv with env to its end and returns its wall and CPU time.
func (h *harness) timeEnv(argv, env []string) (timed, error) {
	ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = env
	start := time.Now()
	err := cmd.Run()
	r := timed{wall: time.Since(start)}
	if _, exited := err.(*exec.ExitError); err != nil && (!exited || ctx.Err() != nil) {
		return r, fmt.Errorf("%s: %v", argv[0], err)
	}
	r.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	return r, nil
}
