//go:build !nogui && !ci && (linux || freebsd || openbsd || netbsd)

package main

import "os"

// noDisplay says why the window cannot open where no desktop session is
// (over ssh, in a container, at a console): Fyne's X11 driver would stop
// with a panic; "" when a display is named.
func noDisplay() string {
	if os.Getenv("DISPLAY") != "" || os.Getenv("WAYLAND_DISPLAY") != "" {
		return ""
	}
	return "the window needs a desktop session, and none is named here (DISPLAY and WAYLAND_DISPLAY are unset): start Localguard from the desktop, or use its commands (localguard check)"
}
