package ui

import (
	"runtime"
	"testing"
	"unsafe"

	"golang.org/x/sys/windows"
)

var (
	procCreateWindowExW = user32.NewProc("CreateWindowExW")
	procDestroyWindow   = user32.NewProc("DestroyWindow")
	procShowWindow      = user32.NewProc("ShowWindow")
)

// testWindow is a plain top-level window (Fyne's is one too, made by
// GLFW), 640×480, shown.
func testWindow(t *testing.T) uintptr {
	t.Helper()
	const wsOverlappedWindow, wsVisible = 0x00CF0000, 0x10000000
	class, _ := windows.UTF16PtrFromString("STATIC")
	title, _ := windows.UTF16PtrFromString("Localguard position test")
	h, _, err := procCreateWindowExW.Call(0, uintptr(unsafe.Pointer(class)), uintptr(unsafe.Pointer(title)),
		wsOverlappedWindow|wsVisible, 100, 100, 640, 480, 0, 0, 0, 0)
	if h == 0 {
		t.Skipf("no window could be made here (no display?): %v", err)
	}
	t.Cleanup(func() { procDestroyWindow.Call(h) })
	return h
}

func windowRect(t *testing.T, h uintptr) screenRect {
	t.Helper()
	var r windows.Rect
	if ok, _, err := procGetWindowRect.Call(h, uintptr(unsafe.Pointer(&r))); ok == 0 {
		t.Fatalf("GetWindowRect: %v", err)
	}
	return screenRect{int(r.Left), int(r.Top), int(r.Right - r.Left), int(r.Bottom - r.Top)}
}

// TestPlaceHWND: the calls the window uses on Windows, on a real window
// (under Wine in CI): a position set is the position read back; one no
// monitor shows opens centred on the primary monitor's work area; one
// partly off is pulled in whole; a minimized window still gives the
// position it goes back to.
func TestPlaceHWND(t *testing.T) {
	runtime.LockOSThread() // a window is its thread's
	defer runtime.UnlockOSThread()
	h := testWindow(t)
	areas := monitorWorkAreas(windows.Rect{Left: 100, Top: 100, Right: 740, Bottom: 580})
	if len(areas) == 0 {
		t.Fatal("no monitor's work area")
	}
	work := areas[0]
	t.Logf("the primary monitor's work area: %v", work)

	placeHWND(h, windowPos{X: 150, Y: 120})
	if pos, ok := hwndPosition(h); !ok || pos != (windowPos{150, 120}) {
		t.Errorf("placed at 150,120, read back %v (%v)", pos, ok)
	}
	size := windowRect(t, h)

	placeHWND(h, windowPos{X: 40000, Y: 30000})
	got := windowRect(t, h)
	want := screenRect{work.X + (work.W-size.W)/2, work.Y + (work.H-size.H)/2, size.W, size.H}
	if got != want {
		t.Errorf("saved off every monitor, opened at %v, want centred at %v", got, want)
	}

	placeHWND(h, windowPos{X: work.X + work.W - 100, Y: work.Y + 50})
	if got := windowRect(t, h); got.X+got.W != work.X+work.W || got.Y != work.Y+50 {
		t.Errorf("saved partly off the right edge, opened at %v (work area %v)", got, work)
	}

	placeHWND(h, windowPos{X: 200, Y: 160})
	const swMinimize = 6
	procShowWindow.Call(h, swMinimize)
	if pos, ok := hwndPosition(h); !ok || pos != (windowPos{200, 160}) {
		t.Errorf("minimized, the window goes back to %v (%v), want 200,160", pos, ok)
	}
}
