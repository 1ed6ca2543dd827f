//go:build linux && cgo && !ci && !wayland

package ui

/*
#cgo LDFLAGS: -lX11 -lXinerama
#include <stdlib.h>
#include <X11/Xlib.h>
#include <X11/Xatom.h>
#include <X11/extensions/Xinerama.h>

// Errors (a window gone meanwhile) are noted, never Xlib's default of
// ending the program. The handler is Xlib's one for every connection:
// it is set only around these calls, made on the UI thread, the one GLFW
// calls Xlib on too.
static int lg_x_error;
static int lg_on_x_error(Display *d, XErrorEvent *e) { lg_x_error = e->error_code; return 0; }

static XErrorHandler lg_catch(void) { lg_x_error = 0; return XSetErrorHandler(lg_on_x_error); }
static int lg_release(Display *d, XErrorHandler old) { XSync(d, False); XSetErrorHandler(old); return lg_x_error == 0; }

// lg_where gives the corner of w's content on the root window, and its
// size; 0 when w is not shown (unmapped, minimized) or gone.
static int lg_where(Display *d, Window w, int *x, int *y, int *width, int *height) {
	XErrorHandler old = lg_catch();
	XWindowAttributes a;
	Window child;
	int ok = XGetWindowAttributes(d, w, &a) && a.map_state == IsViewable &&
		XTranslateCoordinates(d, w, a.root, 0, 0, x, y, &child);
	if (ok) { *width = a.width; *height = a.height; }
	return lg_release(d, old) && ok;
}

// lg_cardinals reads up to n CARDINALs of w's property name into out,
// and gives how many there were.
static int lg_cardinals(Display *d, Window w, const char *name, long *out, int n) {
	Atom prop = XInternAtom(d, name, True), type;
	int format, got = 0;
	unsigned long count, after;
	unsigned char *data = NULL;
	if (prop == None) return 0;
	XErrorHandler old = lg_catch();
	if (XGetWindowProperty(d, w, prop, 0, n, False, XA_CARDINAL, &type, &format, &count, &after, &data) == Success &&
		type == XA_CARDINAL && format == 32 && data != NULL) {
		long *v = (long *)data; // format 32 comes as longs
		for (got = 0; got < (int)count && got < n; got++) out[got] = v[got];
	}
	if (data != NULL) XFree(data);
	return lg_release(d, old) ? got : 0;
}

// lg_monitors writes up to n monitors (x, y, width, height each) into
// out, the primary first, from Xinerama (which RandR answers for too);
// without it, the root window is the one monitor.
static int lg_monitors(Display *d, int *out, int n) {
	int count = 0, i, ev, er;
	if (XineramaQueryExtension(d, &ev, &er) && XineramaIsActive(d)) {
		XineramaScreenInfo *s = XineramaQueryScreens(d, &count);
		for (i = 0; s != NULL && i < count && i < n; i++) {
			out[4*i] = s[i].x_org; out[4*i+1] = s[i].y_org;
			out[4*i+2] = s[i].width; out[4*i+3] = s[i].height;
		}
		if (s != NULL) XFree(s);
		if (count > n) count = n;
	}
	if (count > 0) return count;
	out[0] = 0; out[1] = 0;
	out[2] = DisplayWidth(d, DefaultScreen(d));
	out[3] = DisplayHeight(d, DefaultScreen(d));
	return 1;
}

static int lg_move(Display *d, Window w, int x, int y) {
	XErrorHandler old = lg_catch();
	XMoveWindow(d, w, x, y);
	return lg_release(d, old);
}
*/
import "C"

import (
	"unsafe"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver"
)

// maxMonitors is how many monitors are read; more are not looked at.
const maxMonitors = 16

// withX11 runs f with the X11 window of w, on a connection to the display
// of its own (window IDs hold across connections); it does nothing where
// w has no X11 window. It runs on the UI thread, as RunNative must.
func withX11(w fyne.Window, f func(d *C.Display, win C.Window)) {
	nw, ok := w.(driver.NativeWindow)
	if !ok {
		return
	}
	nw.RunNative(func(ctx any) {
		var handle uintptr
		switch c := ctx.(type) {
		case driver.X11WindowContext:
			handle = c.WindowHandle
		case *driver.X11WindowContext:
			handle = c.WindowHandle
		}
		if handle == 0 {
			return // not shown yet, or not X11
		}
		d := C.XOpenDisplay(nil)
		if d == nil {
			return
		}
		defer C.XCloseDisplay(d)
		f(d, C.Window(handle))
	})
}

// nativePosition reads where w's content stands on the root window; ok
// is false when it is not shown (minimized: the position before is kept).
func nativePosition(w fyne.Window) (pos windowPos, ok bool) {
	withX11(w, func(d *C.Display, win C.Window) {
		var x, y, width, height C.int
		if C.lg_where(d, win, &x, &y, &width, &height) != 0 {
			pos, ok = windowPos{X: int(x), Y: int(y)}, true
		}
	})
	return pos, ok
}

// setNativePosition moves the shown window w's content to pos, brought
// into the work area of a monitor there is now (with its decorations,
// as far as the window manager tells them).
func setNativePosition(w fyne.Window, pos windowPos) {
	withX11(w, func(d *C.Display, win C.Window) {
		var x, y, width, height C.int
		if C.lg_where(d, win, &x, &y, &width, &height) == 0 {
			return
		}
		areas := workAreas(x11Monitors(d), x11WorkArea(d))
		nx, ny, ok := placeContent(pos.X, pos.Y, int(width), int(height), x11Extents(d, win), areas)
		if ok && (nx != int(x) || ny != int(y)) {
			C.lg_move(d, win, C.int(nx), C.int(ny))
		}
	})
}

// x11Monitors are the monitors' rectangles on the root window.
func x11Monitors(d *C.Display) []screenRect {
	var m [4 * maxMonitors]C.int
	n := int(C.lg_monitors(d, &m[0], maxMonitors))
	out := make([]screenRect, 0, n)
	for i := range n {
		out = append(out, screenRect{int(m[4*i]), int(m[4*i+1]), int(m[4*i+2]), int(m[4*i+3])})
	}
	return out
}

// x11WorkArea is the root window's _NET_WORKAREA for the current desktop:
// the desktop without the panels a window manager keeps free; empty
// without a window manager that says.
func x11WorkArea(d *C.Display) screenRect {
	root := C.XDefaultRootWindow(d)
	desktop := 0
	var cur [1]C.long
	if cardinals(d, root, "_NET_CURRENT_DESKTOP", cur[:]) == 1 {
		desktop = int(cur[0])
	}
	const most = 32 // desktops read
	var wa [4 * most]C.long
	n := cardinals(d, root, "_NET_WORKAREA", wa[:])
	if desktop < 0 || 4*desktop+4 > n {
		desktop = 0
	}
	if n < 4 {
		return screenRect{}
	}
	i := 4 * desktop
	return screenRect{int(wa[i]), int(wa[i+1]), int(wa[i+2]), int(wa[i+3])}
}

// x11Extents are the decorations around win (_NET_FRAME_EXTENTS, which
// EWMH window managers set); none without a window manager.
func x11Extents(d *C.Display, win C.Window) frameExtents {
	var e [4]C.long
	if cardinals(d, win, "_NET_FRAME_EXTENTS", e[:]) != 4 {
		return frameExtents{}
	}
	return frameExtents{Left: int(e[0]), Right: int(e[1]), Top: int(e[2]), Bottom: int(e[3])}
}

// cardinals reads up to len(out) CARDINALs of win's property name into
// out, and says how many there were (0 when it is not set).
func cardinals(d *C.Display, win C.Window, name string, out []C.long) int {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	return int(C.lg_cardinals(d, win, cname, &out[0], C.int(len(out))))
}
