package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// peer is one command timed in the alternating rounds.
type peer struct {
	name  string
	argv  []string
	times []time.Duration
}

// compareCheck times a whole `localguard check --json` process against
// `ss -tlnp` (and the gopsutil peer when built), alternating in rounds and
// rotating who goes first, so that the machine's noise hits all alike.
func (h *harness) compareCheck(bin string, fm *flowMeter, gopsutilPeer string, rounds int) error {
	check := &peer{name: "localguard check --env", argv: []string{bin, "check", "--env", fm.envPath, "--json"}}
	// Without --env: discovery over every install, then the verdict over
	// every FlowMeter on the machine (what the window does).
	discover := &peer{name: "localguard check (discovery)", argv: []string{bin, "check", "--json"}}
	ss := &peer{name: "ss -tlnp", argv: []string{"ss", "-tlnp"}}
	peers := []*peer{check, discover, ss}
	if gopsutilPeer != "" {
		peers = append(peers, &peer{name: `gopsutil net.Connections("tcp")`, argv: []string{gopsutilPeer}})
	}
	if err := h.describeCheck(check.argv); err != nil {
		return err // and a warm-up of check
	}
	if err := h.describeCheck(discover.argv); err != nil {
		return err
	}
	for _, p := range peers[2:] { // their warm-up
		if _, err := h.timeRun(p.argv); err != nil {
			return fmt.Errorf("%s: %v", p.name, err)
		}
	}
	h.logf("timing %d rounds of: %s", rounds, names(peers))
	for round := range rounds {
		for i := range peers {
			p := peers[(round+i)%len(peers)]
			d, err := h.timeRun(p.argv)
			if err != nil {
				return fmt.Errorf("%s: %v", p.name, err)
			}
			p.times = append(p.times, d)
		}
	}
	h.report("check --env vs ss -tlnp: median %s vs %s, ratio %.2f (target ≤ 1.0)",
		ms(median(check.times)), ms(median(ss.times)),
		float64(median(check.times))/float64(median(ss.times)))
	h.report("check with discovery vs ss -tlnp: median %s vs %s, ratio %.2f (target ≤ 0.35)",
		ms(median(discover.times)), ms(median(ss.times)),
		float64(median(discover.times))/float64(median(ss.times)))
	for _, p := range peers {
		h.report("  %s: median %s, p90 %s over %d runs (whole process)", p.name, ms(median(p.times)), ms(p90(p.times)), len(p.times))
	}
	return nil
}

// describeCheck runs check once, untimed, and reports what it found, so the
// reader knows whether the live scan attributed the listener.
func (h *harness) describeCheck(argv []string) error {
	cmd := exec.CommandContext(h.ctx, argv[0], argv[1:]...)
	cmd.Env = h.env
	var out bytes.Buffer
	cmd.Stdout = &out
	cmd.Run() // the exit code is the status; the JSON says more
	var v struct {
		Status    string `json:"status"`
		Message   string `json:"message"`
		Listeners []struct {
			PID int `json:"pid"`
		} `json:"listeners"`
	}
	if err := json.Unmarshal(out.Bytes(), &v); err != nil {
		return fmt.Errorf("localguard check --json printed no verdict: %v", err)
	}
	if v.Status == "error" {
		return fmt.Errorf("localguard check could not decide: %s", v.Message)
	}
	h.report("check's verdict on the load: status %s, %d FlowMeter listener(s) attributed", v.Status, len(v.Listeners))
	return nil
}

// timeRun runs argv to its end, output discarded, and returns its wall time.
// A non-zero exit is fine (check's code is its status); not running is not.
func (h *harness) timeRun(argv []string) (time.Duration, error) {
	ctx, cancel := context.WithTimeout(h.ctx, 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Env = h.env
	start := time.Now()
	err := cmd.Run()
	d := time.Since(start)
	if _, exited := err.(*exec.ExitError); err != nil && (!exited || ctx.Err() != nil) {
		return 0, err
	}
	return d, nil
}

// names lists the peers' names.
func names(peers []*peer) string {
	var s []string
	for _, p := range peers {
		s = append(s, p.name)
	}
	return strings.Join(s, ", ")
}

// median is the middle of ds (the mean of the two middles when even).
func median(ds []time.Duration) time.Duration {
	s := sorted(ds)
	n := len(s)
	if n == 0 {
		return 0
	}
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// p90 is the 90th percentile of ds, by nearest rank.
func p90(ds []time.Duration) time.Duration {
	s := sorted(ds)
	if len(s) == 0 {
		return 0
	}
	return s[(len(s)*9+9)/10-1]
}

func sorted(ds []time.Duration) []time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s
}

// ms formats d in milliseconds with one decimal.
func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}
