//go:build linux

package ui

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestWindowPositionX11 runs the real desktop window (the cgo build, as
// shipped) under Xvfb, as the tray runs it: a window process of its own
// (WindowFlag) per opening, talking to the tray on its standard input.
// It moves the window with XMoveWindow (xdotool), closes it as a window
// manager's close button does, opens it again and finds it where it was;
// the same through the tray's Quit; and a position no monitor shows any
// more (saved in settings.json) opens in view. Then the same under a
// reparenting window manager (openbox, when installed): the title bar
// kept in view, and no creep by the decorations from one opening to the
// next.
func TestWindowPositionX11(t *testing.T) {
	x := newXSession(t)
	t.Run("no window manager", func(t *testing.T) {
		x.checkReopens(t, 321, 234)
		x.checkQuitKeeps(t, 77, 55)
		x.checkClamped(t, 4000, 3000, 240, 212) // centred on 1280×1024
		x.checkClamped(t, 1000, 900, 480, 424)  // pulled in by the least
		x.checkClamped(t, -300, 100, 0, 100)
	})
	t.Run("openbox", func(t *testing.T) {
		x.startWindowManager(t)
		w := x.open(t)
		e := w.frameExtents(t)
		w.close(t)
		// The content at y=0 would put the title bar above the screen.
		x.checkClamped(t, 400, 0, 400, e[2])
		x.checkReopens(t, 150, 200)
		x.checkReopens(t, 150, 200) // twice: no creep
		x.checkQuitKeeps(t, 500, 300)
	})
}

// xSession is an X server of the test's own, and Localguard's desktop
// binary with a configuration folder of its own.
type xSession struct {
	bin, display, home string
	wmclose            string // the close button's message, sent by a script
}

// needTool finds a program the test needs: a skip without it, a failure
// in CI (.ci/run installs it).
func needTool(t *testing.T, name, pkg string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI needs %s (Debian's %s) for the real window under X", name, pkg)
		}
		t.Skipf("the real window under X needs %s (Debian's %s)", name, pkg)
	}
	return p
}

func newXSession(t *testing.T) *xSession {
	for name, pkg := range map[string]string{"gcc": "gcc", "Xvfb": "xvfb", "xwininfo": "x11-utils", "xprop": "x11-utils", "xdotool": "xdotool", "python3": "python3"} {
		needTool(t, name, pkg)
	}
	x := &xSession{home: t.TempDir(), wmclose: filepath.Join("..", "testdata", "bench", "window", "wmclose.py")}
	x.bin = buildDesktop(t)
	x.display = startXvfb(t)
	return x
}

// buildDesktop is Localguard as shipped (cgo, Fyne's GL driver): the
// binary LOCALGUARD_DESKTOP names (.ci/run builds it before the tests),
// or one built here, which the first time compiles Fyne's C parts
// (minutes); the build is given at most half the time the test has left.
func buildDesktop(t *testing.T) string {
	if bin := os.Getenv("LOCALGUARD_DESKTOP"); bin != "" {
		return bin
	}
	bin := filepath.Join(t.TempDir(), "localguard")
	limit := 8 * time.Minute
	if end, ok := t.Deadline(); ok {
		limit = time.Until(end) / 2
	}
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	build.Dir = ".."
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the desktop binary (at most %v): %v\n%s", limit.Round(time.Second), err, out)
	}
	return bin
}

// startXvfb starts an X server on a display it chooses, 1280×1024.
func startXvfb(t *testing.T) string {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	xvfb := exec.Command("Xvfb", "-displayfd", "3", "-screen", "0", "1280x1024x24", "-nolisten", "tcp")
	xvfb.ExtraFiles = []*os.File{w}
	if err := xvfb.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { xvfb.Process.Kill(); xvfb.Wait() })
	line, err := readLineWithin(r, 20*time.Second)
	if err != nil {
		t.Fatalf("Xvfb gave no display: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

func readLineWithin(r io.Reader, limit time.Duration) (string, error) {
	got := make(chan string, 1)
	go func() {
		line, _ := bufio.NewReader(r).ReadString('\n')
		got <- line
	}()
	select {
	case line := <-got:
		if strings.TrimSpace(line) == "" {
			return "", io.ErrUnexpectedEOF
		}
		return line, nil
	case <-time.After(limit):
		return "", fmt.Errorf("nothing within %v", limit)
	}
}

// x runs an X client on the session's display.
func (x *xSession) x(name string, args ...string) (string, error) {
	cmd := exec.Command(name, args...)
	cmd.Env = append(os.Environ(), "DISPLAY="+x.display)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// startWindowManager starts openbox, and waits until it manages the
// screen; without openbox, the test skips (outside CI).
func (x *xSession) startWindowManager(t *testing.T) {
	needTool(t, "openbox", "openbox")
	wm := exec.Command("openbox", "--sm-disable")
	wm.Env = append(os.Environ(), "DISPLAY="+x.display, "HOME="+x.home)
	if err := wm.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { wm.Process.Kill(); wm.Wait() })
	waitFor(t, 20*time.Second, "openbox to manage the screen", func() bool {
		out, _ := x.x("xprop", "-root", "_NET_SUPPORTING_WM_CHECK")
		return strings.Contains(out, "window id")
	})
}

// waitFor polls ok until it holds, or fails saying what did not happen.
func waitFor(t *testing.T, limit time.Duration, what string, ok func() bool) {
	t.Helper()
	for end := time.Now().Add(limit); ; time.Sleep(100 * time.Millisecond) {
		if ok() {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("waited %v for %s", limit, what)
		}
	}
}

// realWindow is one opening of the window: its process, as the tray
// starts it, and its X window.
type realWindow struct {
	x      *xSession
	cmd    *exec.Cmd
	tray   io.WriteCloser // the tray's end of the window's standard input
	id     string
	exited chan struct{}
	mu     sync.Mutex
	log    bytes.Buffer
}

// open starts a window process as the tray does, and waits for its
// window.
func (x *xSession) open(t *testing.T) *realWindow {
	t.Helper()
	w := &realWindow{x: x, exited: make(chan struct{})}
	w.cmd = exec.Command(x.bin, WindowFlag)
	w.cmd.Env = append(withoutEnv(os.Environ(), "DBUS_SESSION_BUS_ADDRESS", "WAYLAND_DISPLAY"),
		"DISPLAY="+x.display, "HOME="+x.home, "XDG_CONFIG_HOME="+filepath.Join(x.home, ".config"))
	var err error
	if w.tray, err = w.cmd.StdinPipe(); err != nil {
		t.Fatal(err)
	}
	w.cmd.Stdout = io.Discard // the window's messages to the tray
	w.cmd.Stderr = w
	if err := w.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { w.cmd.Wait(); close(w.exited) }()
	t.Cleanup(func() { w.cmd.Process.Kill(); <-w.exited })
	waitFor(t, 60*time.Second, "the window to show", func() bool {
		out, _ := x.x("xwininfo", "-root", "-tree")
		if m := localguardWindow.FindStringSubmatch(out); m != nil {
			w.id = m[1]
		}
		return w.id != "" && w.viewable()
	})
	w.settle(t)
	return w
}

// settle waits until the window stood still for a moment: it is put in
// its place just after it shows, and a move before would be undone.
func (w *realWindow) settle(t *testing.T) {
	t.Helper()
	var lastX, lastY, still int
	waitFor(t, 30*time.Second, "the window to stand still", func() bool {
		x, y, ok := w.at()
		if ok && x == lastX && y == lastY {
			still++
		} else {
			still = 0
		}
		lastX, lastY = x, y
		return still >= 5 // 0.5 s
	})
}

func (w *realWindow) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log.Write(b)
}

func withoutEnv(env []string, names ...string) []string {
	var out []string
	for _, kv := range env {
		if name, _, _ := strings.Cut(kv, "="); !slices.Contains(names, name) {
			out = append(out, kv)
		}
	}
	return out
}

func (w *realWindow) info() string {
	out, _ := w.x.x("xwininfo", "-id", w.id)
	return out
}

func (w *realWindow) viewable() bool { return strings.Contains(w.info(), "IsViewable") }

// localguardWindow finds Localguard's window in `xwininfo -root -tree`.
var localguardWindow = regexp.MustCompile(`(?m)^\s*(0x[0-9a-f]+) "Localguard`)

var absolute = regexp.MustCompile(`Absolute upper-left X:\s+(-?\d+)\s+Absolute upper-left Y:\s+(-?\d+)`)

// at is where the window's content stands on the root window.
func (w *realWindow) at() (x, y int, ok bool) {
	m := absolute.FindStringSubmatch(w.info())
	if m == nil {
		return 0, 0, false
	}
	x, _ = strconv.Atoi(m[1])
	y, _ = strconv.Atoi(m[2])
	return x, y, true
}

// waitAt waits until the window's content stands at (x, y).
func (w *realWindow) waitAt(t *testing.T, x, y int) {
	t.Helper()
	var gx, gy int
	for end := time.Now().Add(30 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var ok bool
		if gx, gy, ok = w.at(); ok && gx == x && gy == y {
			return
		}
		if time.Now().After(end) {
			t.Fatalf("the window stands at %d,%d, want %d,%d\n%s", gx, gy, x, y, w.logText())
		}
	}
}

func (w *realWindow) logText() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.log.String()
}

// moveTo moves the window with XMoveWindow, as a person dragging it
// would (xdotool windowmove).
func (w *realWindow) moveTo(t *testing.T, x, y int) {
	t.Helper()
	if out, err := w.x.x("xdotool", "windowmove", w.id, strconv.Itoa(x), strconv.Itoa(y)); err != nil {
		t.Fatalf("xdotool windowmove: %v %s", err, out)
	}
	w.waitAt(t, x, y)
}

// close closes the window as a window manager's close button does
// (WM_DELETE_WINDOW), and waits for its process to end.
func (w *realWindow) close(t *testing.T) {
	t.Helper()
	cmd := exec.Command("python3", w.x.wmclose, w.id)
	cmd.Env = append(os.Environ(), "DISPLAY="+w.x.display)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("closing the window: %v %s", err, out)
	}
	w.waitExit(t, "closed")
}

// tell sends the window what the tray's menu asks.
func (w *realWindow) tell(t *testing.T, op string) {
	t.Helper()
	b, _ := json.Marshal(message{Op: op})
	if _, err := w.tray.Write(append(b, '\n')); err != nil {
		t.Fatal(err)
	}
}

// quit is the tray's Quit: the tray tells its window to quit.
func (w *realWindow) quit(t *testing.T) {
	t.Helper()
	w.tell(t, opQuit)
	w.waitExit(t, "told to quit")
}

func (w *realWindow) waitExit(t *testing.T, how string) {
	t.Helper()
	select {
	case <-w.exited:
	case <-time.After(60 * time.Second):
		t.Fatalf("the window process still runs 60 s after it was %s\n%s", how, w.logText())
	}
}

// frameExtents are the window manager's _NET_FRAME_EXTENTS of the window
// (left, right, top, bottom), once it set them.
func (w *realWindow) frameExtents(t *testing.T) (e [4]int) {
	t.Helper()
	waitFor(t, 10*time.Second, "_NET_FRAME_EXTENTS", func() bool {
		out, _ := w.x.x("xprop", "-id", w.id, "_NET_FRAME_EXTENTS")
		_, list, ok := strings.Cut(out, "=")
		n, _ := fmt.Sscanf(strings.ReplaceAll(list, ",", " "), "%d %d %d %d", &e[0], &e[1], &e[2], &e[3])
		return ok && n == 4
	})
	return e
}

// settings is the settings file the window keeps.
func (x *xSession) settings() string {
	return filepath.Join(x.home, ".config", "localguard", "settings.json")
}

// savedPosition is the position settings.json holds.
func (x *xSession) savedPosition(t *testing.T) windowPos {
	t.Helper()
	pos, ok := loadPrefs(x.settings()).windowPosition()
	if !ok {
		b, _ := os.ReadFile(x.settings())
		t.Fatalf("no position saved:\n%s", b)
	}
	return pos
}

// checkReopens moves the window, closes it and opens it again: it is
// where it was left.
func (x *xSession) checkReopens(t *testing.T, px, py int) {
	t.Helper()
	w := x.open(t)
	w.moveTo(t, px, py)
	w.close(t)
	if got := x.savedPosition(t); got != (windowPos{px, py}) {
		t.Errorf("closed at %d,%d, saved %v", px, py, got)
	}
	again := x.open(t)
	again.waitAt(t, px, py)
	again.close(t)
}

// checkQuitKeeps: the tray's Open, while the window is open, leaves it
// where it stands; the tray's Quit keeps that place.
func (x *xSession) checkQuitKeeps(t *testing.T, px, py int) {
	t.Helper()
	w := x.open(t)
	w.moveTo(t, px, py)
	// A moment, as a person takes: Fyne shows a window again where GLFW
	// last told it the window went, and GLFW reads the X server's news
	// at its next frame.
	w.settle(t)
	w.tell(t, opRaise)
	w.settle(t)
	w.waitAt(t, px, py)
	w.quit(t)
	if got := x.savedPosition(t); got != (windowPos{px, py}) {
		t.Errorf("quit at %d,%d, saved %v", px, py, got)
	}
}

// checkClamped: a window saved at (sx, sy) opens at (wx, wy).
func (x *xSession) checkClamped(t *testing.T, sx, sy, wx, wy int) {
	t.Helper()
	v := loadPrefs(x.settings()).values()
	v.WindowWidth, v.WindowHeight = 800, 600
	v.WindowPosition = &windowPos{sx, sy}
	b, _ := json.Marshal(v)
	if err := os.MkdirAll(filepath.Dir(x.settings()), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(x.settings(), b, 0o600); err != nil {
		t.Fatal(err)
	}
	w := x.open(t)
	w.waitAt(t, wx, wy)
	w.close(t)
}
