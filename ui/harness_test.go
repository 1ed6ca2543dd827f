package ui

import (
	"context"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"localguard/netcheck"
)

// harness runs the real window and engine on Fyne's test app. The engine's
// results wait in a queue that the test's goroutine drains (pump), so that
// every widget is touched on one goroutine, as fyne.Do does in the app.
type harness struct {
	t     *testing.T
	app   fyne.App
	u     *window
	queue chan func()
	ctx   context.Context
	sent  []*fyne.Notification
	// changes counts what the window told the tray changed (from the
	// engine's goroutine too).
	changes atomic.Int32
}

// harnessPeer is the harness's peer: the window's own notifier (as
// without a tray), recording what it sends, and counting changes.
type harnessPeer struct {
	notesPeer
	h *harness
}

func (p *harnessPeer) changed() { p.h.changes.Add(1) }

// isolate gives the test its own configuration folder (the store, the
// autostart entry) and home, both there as a user's are, and an
// environment without HOST and PORT.
func isolate(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"config", "home"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o700); err != nil {
			t.Fatal(err)
		}
	}
	t.Setenv("XDG_CONFIG_HOME", filepath.Join(dir, "config"))
	t.Setenv("APPDATA", filepath.Join(dir, "config")) // the store on Windows
	t.Setenv("HOME", filepath.Join(dir, "home"))
	for _, name := range []string{"HOST", "PORT", "UVICORN_HOST"} {
		t.Setenv(name, "")
		os.Unsetenv(name)
	}
	return dir
}

// newHarness starts the window and its engine on envPath.
func newHarness(t *testing.T, envPath string) *harness {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	h := &harness{t: t, app: test.NewTempApp(t), queue: make(chan func(), 64), ctx: ctx}
	t.Cleanup(cancel)
	p := &harnessPeer{h: h}
	pr := loadPrefs(prefsFile())
	p.notes = notifier{send: func(n *fyne.Notification) { h.sent = append(h.sent, n) }, enabled: pr.notifications}
	h.u = start(ctx, h.app, newMainWindow(h.app), envPath, h.enqueue, p, pr)
	h.u.now = fixedNow
	h.u.win.Resize(fyne.NewSize(760, 680))
	return h
}

// enqueue is the harness's fyne.Do.
func (h *harness) enqueue(f func()) {
	select {
	case h.queue <- f:
	case <-h.ctx.Done():
	}
}

// until runs the queued results until cond holds, or fails the test.
func (h *harness) until(what string, cond func() bool) {
	h.t.Helper()
	deadline := time.After(20 * time.Second)
	for !cond() {
		select {
		case f := <-h.queue:
			f()
		case <-deadline:
			h.t.Fatalf("waited 20 s for %s; the window says %q: %q (notice %q)", what, h.u.title.Text, h.u.message.Text, h.u.notice.Text)
		}
	}
}

// status waits for a verdict with status s.
func (h *harness) status(s netcheck.Status) {
	h.t.Helper()
	h.until("a verdict "+string(s), func() bool { return h.u.known && h.u.verdict.Status == s })
}

// fixedNow keeps "Checked at" the same in every golden.
func fixedNow() time.Time { return time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC) }

// install writes a FlowMeter checkout's backend/.env with content and
// returns its path.
func install(t *testing.T, content string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "FlowMeter", "backend")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	dir, _ = filepath.EvalSymlinks(dir)
	path := filepath.Join(dir, ".env")
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
