package ui

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"localguard/netcheck"
)

// TestEngineRunsRequestsInOrder: requests made one after another (interval
// changes, trust, plan, checks) are carried out in the order they were
// made, while the engine watches a real install.
func TestEngineRunsRequestsInOrder(t *testing.T) {
	isolate(t)
	env := filepath.Join(t.TempDir(), ".env")
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	verdicts := make(chan netcheck.Verdict, 1000)
	e := newEngine(ctx, func(v netcheck.Verdict) { verdicts <- v }, func(err error) { t.Errorf("no install: %v", err) })
	go e.run(env, time.Hour)
	select {
	case <-verdicts:
	case <-time.After(30 * time.Second):
		t.Fatal("no first verdict")
	}
	const n = 300
	var order []int
	var intervals []time.Duration
	done := make(chan struct{})
	for i := range n {
		if i%10 == 0 {
			e.setInterval(time.Duration(i+1) * time.Second)
		}
		e.do(func(s *engineState) {
			order = append(order, i)
			intervals = append(intervals, s.interval)
		})
	}
	e.do(func(*engineState) { close(done) })
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatalf("only %d of %d requests ran", len(order), n)
	}
	if !slices.IsSorted(order) || len(order) != n {
		t.Fatalf("requests ran out of order: %v", order)
	}
	for i, d := range intervals {
		if want := time.Duration(i/10*10+1) * time.Second; d != want {
			t.Fatalf("request %d saw interval %v, want %v: an interval change ran out of turn", i, d, want)
		}
	}
}
