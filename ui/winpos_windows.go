//go:build windows

package ui

import (
	"unsafe"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
	"golang.org/x/sys/windows"
)

// user32's calls for the window's position (golang.org/x/sys/windows has
// none of them); no cgo.
var (
	user32                 = windows.NewLazySystemDLL("user32.dll")
	procGetWindowPlacement = user32.NewProc("GetWindowPlacement")
	procSetWindowPlacement = user32.NewProc("SetWindowPlacement")
	procGetWindowRect      = user32.NewProc("GetWindowRect")
	procMonitorFromRect    = user32.NewProc("MonitorFromRect")
	procMonitorFromPoint   = user32.NewProc("MonitorFromPoint")
	procGetMonitorInfoW    = user32.NewProc("GetMonitorInfoW")
)

const (
	monitorDefaultToNull    = 0
	monitorDefaultToPrimary = 1
	swShowNormal            = 1
)

// windowPlacement is WINDOWPLACEMENT (44 bytes).
type windowPlacement struct {
	Length         uint32
	Flags          uint32
	ShowCmd        uint32
	MinPosition    [2]int32
	MaxPosition    [2]int32
	NormalPosition windows.Rect
}

// monitorInfo is MONITORINFO.
type monitorInfo struct {
	Size    uint32
	Monitor windows.Rect
	Work    windows.Rect
	Flags   uint32
}

// hwndOf is w's window handle; 0 before it shows, or with a driver that
// has none (Fyne's software driver).
func hwndOf(w fyne.Window) (hwnd uintptr) {
	nw, ok := w.(driver.NativeWindow)
	if !ok {
		return 0
	}
	nw.RunNative(func(ctx any) {
		switch c := ctx.(type) {
		case driver.WindowsWindowContext:
			hwnd = c.HWND
		case *driver.WindowsWindowContext:
			hwnd = c.HWND
		}
	})
	return hwnd
}

func nativePosition(w fyne.Window) (windowPos, bool) {
	if h := hwndOf(w); h != 0 {
		return hwndPosition(h)
	}
	return windowPos{}, false
}

func setNativePosition(w fyne.Window, pos windowPos) {
	if h := hwndOf(w); h != 0 {
		placeHWND(h, pos)
	}
}

// placement is the window's WINDOWPLACEMENT.
func placement(hwnd uintptr) (windowPlacement, bool) {
	wp := windowPlacement{Length: uint32(unsafe.Sizeof(windowPlacement{}))}
	r, _, _ := procGetWindowPlacement.Call(hwnd, uintptr(unsafe.Pointer(&wp)))
	return wp, r != 0
}

// hwndPosition is the corner of the window's normal (restored) rect, in
// workspace coordinates: where it goes back to, minimized or maximized
// as it may be now.
func hwndPosition(hwnd uintptr) (windowPos, bool) {
	wp, ok := placement(hwnd)
	if !ok {
		return windowPos{}, false
	}
	return windowPos{X: int(wp.NormalPosition.Left), Y: int(wp.NormalPosition.Top)}, true
}

// placeHWND moves the window's normal rect to pos, keeping its size and
// show state, with SetWindowPlacement. While the window shows normally
// (as it does once Fyne showed it) the place is first brought whole into
// the work area of the monitor that shows most of it, or centred on the
// primary monitor's when none shows any: in screen coordinates, which
// differ from the placement's workspace ones by what the window's rect
// says now. Otherwise SetWindowPlacement's own check (a window wholly off
// every monitor is brought back, if only partly) is all.
func placeHWND(hwnd uintptr, pos windowPos) {
	wp, ok := placement(hwnd)
	if !ok {
		return
	}
	n := &wp.NormalPosition
	w, h := n.Right-n.Left, n.Bottom-n.Top
	x, y := int32(pos.X), int32(pos.Y)
	var r windows.Rect
	if ok, _, _ := procGetWindowRect.Call(hwnd, uintptr(unsafe.Pointer(&r))); ok != 0 && wp.ShowCmd == swShowNormal {
		dx, dy := r.Left-n.Left, r.Top-n.Top
		at := windows.Rect{Left: x + dx, Top: y + dy, Right: x + dx + w, Bottom: y + dy + h}
		frame := screenRect{int(at.Left), int(at.Top), int(w), int(h)}
		if to, ok := placeWindow(frame, monitorWorkAreas(at)); ok {
			x, y = int32(to.X)-dx, int32(to.Y)-dy
		}
	}
	n.Left, n.Top, n.Right, n.Bottom = x, y, x+w, y+h
	wp.Flags = 0
	procSetWindowPlacement.Call(hwnd, uintptr(unsafe.Pointer(&wp)))
}

// monitorWorkAreas are the work areas (the monitor without the taskbar)
// of the primary monitor and of the one that shows most of r, if any.
func monitorWorkAreas(r windows.Rect) []screenRect {
	var areas []screenRect
	// POINT{0, 0} by value: the primary monitor's origin.
	primary, _, _ := procMonitorFromPoint.Call(0, monitorDefaultToPrimary)
	on, _, _ := procMonitorFromRect.Call(uintptr(unsafe.Pointer(&r)), monitorDefaultToNull)
	for _, m := range []uintptr{primary, on} {
		if m == 0 {
			continue
		}
		mi := monitorInfo{Size: uint32(unsafe.Sizeof(monitorInfo{}))}
		if ok, _, _ := procGetMonitorInfoW.Call(m, uintptr(unsafe.Pointer(&mi))); ok != 0 {
			w := mi.Work
			areas = append(areas, screenRect{int(w.Left), int(w.Top), int(w.Right - w.Left), int(w.Bottom - w.Top)})
		}
	}
	return areas
}
