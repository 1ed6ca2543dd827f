package ui

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Two monitors side by side, the primary on the left (1920×1080 with a
// 40 px taskbar at the bottom), a 1280×1024 one to its right, and one
// above-left at negative coordinates.
var (
	primaryArea = screenRect{0, 0, 1920, 1040}
	rightArea   = screenRect{1920, 0, 1280, 1024}
	leftAbove   = screenRect{-1600, -900, 1600, 900}
)

// TestPlaceWindow: a window goes back where it was when a monitor shows
// it whole; is moved by the least that brings it inside the monitor that
// shows most of it; is centred on the primary monitor when none shows any
// of it; keeps its title bar in view when bigger than the monitor.
func TestPlaceWindow(t *testing.T) {
	two := []screenRect{primaryArea, rightArea}
	for _, c := range []struct {
		name  string
		frame screenRect
		areas []screenRect
		want  screenRect
		ok    bool
	}{
		{"whole on the primary", screenRect{100, 80, 800, 600}, two, screenRect{100, 80, 800, 600}, true},
		{"whole on the second", screenRect{2000, 300, 800, 600}, two, screenRect{2000, 300, 800, 600}, true},
		{"at a negative origin, whole", screenRect{-1500, -800, 800, 600}, []screenRect{primaryArea, leftAbove}, screenRect{-1500, -800, 800, 600}, true},
		{"under the taskbar", screenRect{100, 700, 800, 600}, two, screenRect{100, 440, 800, 600}, true},
		{"off the right edge", screenRect{2900, 100, 800, 600}, two, screenRect{2400, 100, 800, 600}, true},
		{"above the top", screenRect{300, -50, 800, 600}, two, screenRect{300, 0, 800, 600}, true},
		{"across both, mostly on the second", screenRect{1800, 100, 800, 600}, two, screenRect{1920, 100, 800, 600}, true},
		{"across both, mostly on the primary", screenRect{1500, 100, 800, 600}, two, screenRect{1120, 100, 800, 600}, true},
		{"its monitor unplugged: centred on the primary", screenRect{2000, 300, 800, 600}, []screenRect{primaryArea}, screenRect{560, 220, 800, 600}, true},
		{"far off every monitor", screenRect{50000, -40000, 800, 600}, two, screenRect{560, 220, 800, 600}, true},
		{"the resolution lowered past it", screenRect{1300, 900, 800, 600}, []screenRect{{0, 0, 1024, 768}}, screenRect{112, 84, 800, 600}, true},
		{"bigger than the monitor: top-left in it", screenRect{200, 100, 1100, 900}, []screenRect{{0, 0, 1024, 768}}, screenRect{0, 0, 1100, 900}, true},
		{"bigger, off every monitor", screenRect{5000, 5000, 1100, 900}, []screenRect{{0, 0, 1024, 768}}, screenRect{0, 0, 1100, 900}, true},
		{"an empty area is no monitor", screenRect{2000, 300, 800, 600}, []screenRect{{}, primaryArea}, screenRect{560, 220, 800, 600}, true},
		{"no monitor known", screenRect{2000, 300, 800, 600}, nil, screenRect{2000, 300, 800, 600}, false},
		{"no size", screenRect{2000, 300, 0, 0}, two, screenRect{2000, 300, 0, 0}, false},
	} {
		got, ok := placeWindow(c.frame, c.areas)
		if got != c.want || ok != c.ok {
			t.Errorf("%s: placeWindow(%v) = %v, %v; want %v, %v", c.name, c.frame, got, ok, c.want, c.ok)
		}
	}
}

// TestPlaceContent: the decorations count. A window whose title bar
// would stand above the screen comes down by the title bar's height; a
// window in view stays exactly where it was (no creep by the decorations
// from one opening to the next).
func TestPlaceContent(t *testing.T) {
	deco := frameExtents{Left: 2, Right: 2, Top: 30, Bottom: 2}
	areas := []screenRect{{0, 0, 1280, 1024}}
	for _, c := range []struct {
		name         string
		x, y         int
		e            frameExtents
		wantX, wantY int
		wantOK       bool
		noMonitor    bool
	}{
		{name: "in view, decorated", x: 200, y: 150, e: deco, wantX: 200, wantY: 150, wantOK: true},
		{name: "in view, no window manager", x: 0, y: 0, wantX: 0, wantY: 0, wantOK: true},
		{name: "title bar above the top", x: 200, y: 10, e: deco, wantX: 200, wantY: 30, wantOK: true},
		{name: "left border off the left", x: 0, y: 100, e: deco, wantX: 2, wantY: 100, wantOK: true},
		{name: "bottom border off the bottom", x: 100, y: 1024 - 600, e: deco, wantX: 100, wantY: 1024 - 600 - 2, wantOK: true},
		{name: "off-screen: the frame centred", x: 5000, y: 5000, e: deco, wantX: (1280-804)/2 + 2, wantY: (1024-632)/2 + 30, wantOK: true},
		{name: "no monitor known", x: 5000, y: 5000, e: deco, wantX: 5000, wantY: 5000, noMonitor: true},
	} {
		a := areas
		if c.noMonitor {
			a = nil
		}
		x, y, ok := placeContent(c.x, c.y, 800, 600, c.e, a)
		if x != c.wantX || y != c.wantY || ok != c.wantOK {
			t.Errorf("%s: placeContent(%d, %d) = %d, %d, %v; want %d, %d, %v", c.name, c.x, c.y, x, y, ok, c.wantX, c.wantY, c.wantOK)
		}
	}
}

// TestWorkAreas: each monitor loses what the desktop's work area keeps
// for panels; a monitor the work area misses, or no work area at all,
// stays whole.
func TestWorkAreas(t *testing.T) {
	monitors := []screenRect{{0, 0, 1920, 1080}, {1920, 0, 1280, 1024}}
	for _, c := range []struct {
		name string
		work screenRect
		want []screenRect
	}{
		{"no window manager", screenRect{}, monitors},
		{"a panel at the top of everything", screenRect{0, 32, 3200, 1048}, []screenRect{{0, 32, 1920, 1048}, {1920, 32, 1280, 992}}},
		{"a taskbar on the primary only", screenRect{0, 0, 1920, 1040}, []screenRect{{0, 0, 1920, 1040}, {1920, 0, 1280, 1024}}},
	} {
		got := workAreas(monitors, c.work)
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", c.name, got, c.want)
				break
			}
		}
	}
}

// TestWindowPositionKept: the position is kept in settings.json beside
// the size, read back as written; an unchanged position writes nothing;
// a file from before (no position) loads with none, and keeps its other
// settings.
func TestWindowPositionKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	old := "{\n  \"interval_seconds\": 30,\n  \"window_width\": 700,\n  \"window_height\": 500\n}\n"
	if err := os.WriteFile(path, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	pr := loadPrefs(path)
	if _, ok := pr.windowPosition(); ok || pr.interval().Seconds() != 30 {
		t.Fatalf("an older file: position kept %v, interval %v", ok, pr.interval())
	}
	if err := pr.setWindowPosition(windowPos{X: -1200, Y: 45}); err != nil {
		t.Fatal(err)
	}
	again := loadPrefs(path)
	if pos, ok := again.windowPosition(); !ok || pos != (windowPos{X: -1200, Y: 45}) {
		t.Errorf("read back %v, %v", pos, ok)
	}
	if s := again.windowSize(); s.Width != 700 || s.Height != 500 {
		t.Errorf("the size became %v", s)
	}
	b, _ := os.ReadFile(path)
	if !strings.Contains(string(b), `"window_position": {`) {
		t.Errorf("settings.json:\n%s", b)
	}
	os.Remove(path)
	if err := again.setWindowPosition(windowPos{X: -1200, Y: 45}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err == nil {
		t.Error("an unchanged position wrote the file again")
	}
}

// TestSavePositionEvery: the open window's position is saved again and
// again, on the UI thread (through do), until the window's run ends.
func TestSavePositionEvery(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	var saves, onUI atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		savePositionEvery(ctx, time.Millisecond, func(f func()) { onUI.Add(1); f() }, func() { saves.Add(1) })
	}()
	for saves.Load() < 3 {
		time.Sleep(time.Millisecond)
	}
	cancel()
	<-done
	n := saves.Load()
	if onUI.Load() != n {
		t.Errorf("%d saves, %d of them through do", n, onUI.Load())
	}
	time.Sleep(10 * time.Millisecond)
	if saves.Load() != n {
		t.Error("saving went on after the window's run ended")
	}
}
