package ui

import (
	"context"
	"net"
	"os"
	"path/filepath"
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
	app   *trayApp
	u     *window
	queue chan func()
	ctx   context.Context
	sent  []*fyne.Notification
}

// trayApp is the test app with a tray, as a desktop app has one.
type trayApp struct {
	fyne.App
	menu *fyne.Menu
	icon fyne.Resource
}

func (a *trayApp) SetSystemTrayMenu(m *fyne.Menu)    { a.menu = m }
func (a *trayApp) SetSystemTrayIcon(r fyne.Resource) { a.icon = r }
func (a *trayApp) SetSystemTrayWindow(fyne.Window)   {}
func (a *trayApp) menuLabels() (labels []string) {
	for _, it := range a.menu.Items {
		labels = append(labels, it.Label)
	}
	return labels
}

// The tests' tray is trayApp's, not systray's.
func init() {
	trayTooltip = func(string) {}
	trayTapped = func(func()) {}
}

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
	canTray = func() bool { return true }
	t.Cleanup(func() { canTray = trayPossible })
	h := &harness{t: t, app: &trayApp{App: test.NewTempApp(t)}, queue: make(chan func(), 64), ctx: ctx}
	t.Cleanup(cancel)
	h.u = start(ctx, h.app, newMainWindow(h.app), envPath, newRest(ctx, h.enqueue, h.enqueueAndWait))
	h.u.now = fixedNow
	h.u.notes.send = func(n *fyne.Notification) { h.sent = append(h.sent, n) }
	h.u.win.Resize(fyne.NewSize(760, 680))
	return h
}

// enqueueAndWait is the harness's fyne.DoAndWait: f runs when the test
// pumps the queue.
func (h *harness) enqueueAndWait(f func()) {
	done := make(chan struct{})
	h.enqueue(func() { f(); close(done) })
	select {
	case <-done:
	case <-h.ctx.Done():
	}
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

// freePort is a TCP port no one listens on now.
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
