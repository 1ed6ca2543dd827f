package ui

import (
	"context"
	"time"

	"fyne.io/fyne/v2"
)

// The window's position between openings. Fyne has no window position to
// read or set, so it is read and set with the system's own calls, through
// Fyne's driver.NativeWindow (winpos_x11.go, winpos_windows.go; elsewhere,
// and on Wayland, where a program cannot place its windows, nothing is
// done). What is kept is a point in the system's own terms:
//   - X11: the top-left corner of the window's content (inside the
//     decorations) on the root window, which is what XMoveWindow sets for
//     a window of StaticGravity, as GLFW makes Fyne's. Reading and setting
//     the same point, the window never creeps by its title bar's height
//     from one opening to the next, with or without a window manager.
//   - Windows: the top-left corner of the window's normal (restored) rect
//     in workspace coordinates, as GetWindowPlacement gives it and
//     SetWindowPlacement takes it, minimized or maximized alike.
// Before the window goes there, the place is checked against the work
// areas the monitors show now (placeWindow): a monitor unplugged or a
// resolution lowered never leaves the window out of sight.

// screenRect is a rectangle in the desktop's pixels.
type screenRect struct{ X, Y, W, H int }

func (r screenRect) empty() bool { return r.W <= 0 || r.H <= 0 }

// intersect is the part r and o share (empty when none).
func (r screenRect) intersect(o screenRect) screenRect {
	x0, y0 := max(r.X, o.X), max(r.Y, o.Y)
	x1, y1 := min(r.X+r.W, o.X+o.W), min(r.Y+r.H, o.Y+o.H)
	if x1 <= x0 || y1 <= y0 {
		return screenRect{}
	}
	return screenRect{x0, y0, x1 - x0, y1 - y0}
}

func (r screenRect) area() int {
	if r.empty() {
		return 0
	}
	return r.W * r.H
}

// placeWindow is where a window whose frame (decorations included) would
// stand at frame is put, given the work areas of the monitors there are
// now, the primary one first:
//   - inside the area that shows the most of it, moved by the least that
//     brings it whole into that area (a window wider or taller than the
//     area keeps its left or top edge, and so its title bar, in it);
//   - centred on the first area when no area shows any of it (its monitor
//     is gone, or the resolution shrank past it).
//
// ok is false when there is no area to go by (nothing known of the
// monitors): the window is then left where the system put it.
func placeWindow(frame screenRect, areas []screenRect) (to screenRect, ok bool) {
	best, shown := -1, 0
	for i, a := range areas {
		if a.empty() {
			continue
		}
		if best < 0 {
			best = i // the first usable area, for a window none shows
		}
		if s := frame.intersect(a).area(); s > shown {
			best, shown = i, s
		}
	}
	if best < 0 || frame.empty() {
		return frame, false
	}
	a := areas[best]
	if shown == 0 {
		frame.X = a.X + (a.W-frame.W)/2
		frame.Y = a.Y + (a.H-frame.H)/2
	}
	frame.X = clampSpan(frame.X, frame.W, a.X, a.W)
	frame.Y = clampSpan(frame.Y, frame.H, a.Y, a.H)
	return frame, true
}

// clampSpan moves a span of length n starting at p into the span of
// length size starting at lo; one longer than that starts at lo.
func clampSpan(p, n, lo, size int) int {
	if p+n > lo+size {
		p = lo + size - n
	}
	return max(p, lo)
}

// workAreas are the monitors without what the desktop keeps for its
// panels: each monitor cut to the desktop's work area (X11's
// _NET_WORKAREA is one rectangle over all monitors); a monitor the work
// area misses, or an empty work area (no window manager), leaves the
// monitor whole.
func workAreas(monitors []screenRect, work screenRect) []screenRect {
	out := make([]screenRect, 0, len(monitors))
	for _, m := range monitors {
		if in := m.intersect(work); !in.empty() {
			m = in
		}
		out = append(out, m)
	}
	return out
}

// frameExtents are the widths of the decorations a window manager draws
// around a window's content (_NET_FRAME_EXTENTS on X11); zero without one.
type frameExtents struct{ Left, Right, Top, Bottom int }

// placeContent is placeWindow for a window whose content, of size w×h,
// had its top-left corner at (x, y), with decorations e around it: the
// whole frame is brought into view, and the content's new corner is
// returned.
func placeContent(x, y, w, h int, e frameExtents, areas []screenRect) (nx, ny int, ok bool) {
	frame := screenRect{x - e.Left, y - e.Top, w + e.Left + e.Right, h + e.Top + e.Bottom}
	to, ok := placeWindow(frame, areas)
	return to.X + e.Left, to.Y + e.Top, ok
}

// windowPos is a window's position as the system reads and sets it (see
// above), kept in settings.json.
type windowPos struct {
	X int `json:"x"`
	Y int `json:"y"`
}

// keepWindowPosition puts the shown window w where it was last closed
// (clamped to what the monitors show now), and returns what keeps its
// position for the next opening: called as it closes and before
// Localguard quits (after the quit, the native window is gone).
func keepWindowPosition(w fyne.Window, pr *prefs) (save func()) {
	if pos, ok := pr.windowPosition(); ok {
		setNativePosition(w, pos)
	}
	return func() {
		if pos, ok := nativePosition(w); ok {
			pr.setWindowPosition(pos)
		}
	}
}

// positionSaveEvery is how often the open window's position is saved
// besides as it closes: Fyne tells no move, and a window that ends
// without closing (the session ending, the process killed) opens next
// time where it stood at most that long before. An unchanged position
// writes nothing.
const positionSaveEvery = 30 * time.Second

// savePositionEvery calls save through do (onto the UI thread) every
// period until ctx ends.
func savePositionEvery(ctx context.Context, period time.Duration, do func(func()), save func()) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			do(save)
		}
	}
}
