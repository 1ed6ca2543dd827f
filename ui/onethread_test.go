package ui

import (
	"runtime"
	"testing"
)

// TestOneThread: the resident runs Go code on one thread, unless
// GOMAXPROCS is set in the environment.
func TestOneThread(t *testing.T) {
	before := runtime.GOMAXPROCS(0)
	t.Cleanup(func() { runtime.GOMAXPROCS(before) })
	for _, c := range []struct {
		env       string
		set, want int
	}{
		{"", 4, 1},
		{"3", 3, 3},
	} {
		t.Setenv("GOMAXPROCS", c.env)
		runtime.GOMAXPROCS(c.set)
		oneThread()
		if got := runtime.GOMAXPROCS(0); got != c.want {
			t.Errorf("GOMAXPROCS=%q in the environment: the resident runs on %d threads, want %d", c.env, got, c.want)
		}
	}
}
