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
	procSetWindowPos       = user32.NewProc("SetWindowPos")
	procMonitorFromRect    = user32.NewProc("MonitorFromRect")
	procMonitorFromPoint   = user32.NewProc("MonitorFromPoint")
	procGetMonitorInfoW    = user32.NewProc("GetMonitorInfoW")
)

const (
	monitorDefaultToNull    = 0
	monitorDefaultToPrimary = 1
	swpNoSize               = 0x0001
	swpNoZOrder             = 0x0004
	swpNoActivate           = 0x0010
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
// show state, with SetWindowPlacement (which itself brings back a window
// that would be wholly off every monitor); then, in screen coordinates,
// brings it whole into the work area of the monitor that shows most of
// it, or centres it on the primary monitor when none shows any.
func placeHWND(hwnd uintptr, pos windowPos) {
	wp, ok := placement(hwnd)
	if !ok {
		return
	}
	n := &wp.NormalPosition
	w, h := n.Right-n.Left, n.Bottom-n.Top
	n.Left, n.Top = int32(pos.X), int32(pos.Y)
	n.Right, n.Bottom = n.Left+w, n.Top+h
	wp.Flags = 0
	procSetWindowPlacement.Call(hwnd, uintptr(unsafe.Pointer(&wp)))

	var r windows.Rect
	if ok, _, _ := procGetWindowRect.Call(hwnd, uintptr(unsafe.Pointer(&r))); ok == 0 {
		return
	}
	frame := screenRect{int(r.Left), int(r.Top), int(r.Right - r.Left), int(r.Bottom - r.Top)}
	to, ok := placeWindow(frame, monitorWorkAreas(r))
	if ok && (to.X != frame.X || to.Y != frame.Y) {
		procSetWindowPos.Call(hwnd, 0, uintptr(to.X), uintptr(to.Y), 0, 0, swpNoSize|swpNoZOrder|swpNoActivate)
	}
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
