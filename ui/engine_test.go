package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

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

// TestWindowSaysItCannotRemember: with HOME and the settings folder's
// parent missing, the window says Localguard cannot remember, a network
// ticked as trusted stays trusted for the run, and no folder is created.
func TestWindowSaysItCannotRemember(t *testing.T) {
	dir := isolate(t)
	gone := filepath.Join(dir, "gone")
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(gone, "config"))
	t.Setenv("HOME", filepath.Join(gone, "home"))
	t.Setenv("APPDATA", filepath.Join(gone, "appdata")) // the settings folder on Windows
	t.Setenv("XDG_CACHE_HOME", "")
	os.Unsetenv("XDG_CACHE_HOME")
	os.Unsetenv("XDG_CONFIG_HOME")
	defer spareMissingHome()() // as Run does
	h := newHarness(t, install(t, "HOST=127.0.0.1\n"))
	h.until("the note that nothing is remembered", func() bool {
		return strings.Contains(h.u.notice.Text, "cannot remember")
	})
	h.status(netcheck.StatusSafe)
	e := hostExposure(t)
	v := verdicts["exposed"]
	l := v.Listeners[0]
	l.ExposedOn = []netcheck.Exposure{e}
	v.Listeners = []netcheck.Listener{l}
	h.u.render(v)
	h.u.notice.SetText("")
	test.Tap(h.u.trust[0].check)
	if h.u.trustAnswer != nil { // a public address or a VPN asks first
		h.u.trustAnswer(true)
	}
	h.until("the trust to be kept for the run", func() bool {
		return strings.Contains(h.u.notice.Text, "cannot remember")
	})
	if !h.u.trust[0].check.Checked {
		t.Error("the network was unticked: trust should hold for this run")
	}
	if _, err := os.Stat(gone); !os.IsNotExist(err) {
		filepath.Walk(gone, func(p string, _ os.FileInfo, _ error) error { t.Log(p); return nil })
		t.Errorf("Localguard created %s: %v", gone, err)
	}
}
