//go:build !linux && !freebsd && !openbsd && !netbsd && !darwin && !windows

package ui

import "errors"

var errNoAutostart = errors.New("this system has no way Localguard knows to start programs at login")

func enableAutostart() error  { return errNoAutostart }
func disableAutostart() error { return nil }
func autostartEnabled() bool  { return false }
