//go:build !windows && !(linux && cgo && !ci && !wayland)

package ui

import "fyne.io/fyne/v2"

// Elsewhere (Wayland, where a program cannot place its windows; macOS;
// builds without cgo or with Fyne's software driver) the window's
// position is neither read nor set: the desktop places the window.

func nativePosition(fyne.Window) (windowPos, bool) { return windowPos{}, false }

func setNativePosition(fyne.Window, windowPos) {}
