//go:build linux || freebsd || openbsd || netbsd || darwin

package ui

import "os"

// Where starting at login is a file (an XDG autostart entry, a
// LaunchAgent), each OS file gives autostartPath and autostartEntry.

func enableAutostart() error {
	exe, err := executable()
	if err != nil {
		return err
	}
	path, err := autostartPath()
	if err != nil {
		return err
	}
	return writeFileAtomic(path, []byte(autostartEntry(exe)))
}

func disableAutostart() error {
	path, err := autostartPath()
	if err != nil {
		return err
	}
	return removeIfExists(path)
}

func autostartEnabled() bool {
	path, err := autostartPath()
	if err != nil {
		return false
	}
	_, err = os.Stat(path)
	return err == nil
}
