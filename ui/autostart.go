package ui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"

	"localguard/envfix"
)

// Starting at login, per OS: an XDG autostart entry (Linux and the BSDs),
// a LaunchAgent (macOS), a Run key (Windows). Each OS file gives
// enableAutostart, disableAutostart and autostartEnabled.

// hiddenFlag starts Localguard hidden in the tray, as a login does.
const hiddenFlag = "--hidden"

// executable is the program a login should start: the installed
// localguard on PATH (a build folder's copy goes with `make clean`), else
// this one, its symbolic links followed so that the entry survives a moved
// link.
func executable() (string, error) {
	exe, err := exec.LookPath("localguard")
	if err != nil || !filepath.IsAbs(exe) {
		if exe, err = os.Executable(); err != nil {
			return "", fmt.Errorf("finding Localguard's own program: %w", err)
		}
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	// On Windows the command line is localguard.com and the desktop
	// program localguard.exe beside it (see main_windows.go); a login
	// starts the desktop program, which opens no console.
	if runtime.GOOS == "windows" && strings.EqualFold(filepath.Ext(exe), ".com") {
		exe = strings.TrimSuffix(exe, filepath.Ext(exe)) + ".exe"
	}
	return exe, nil
}

// writeFileAtomic writes data to path atomically (envfix.WriteFileAtomic),
// readable by all as an autostart entry is, creating the folder.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	if err := envfix.WriteFileAtomic(path, data, 0o644); err != nil {
		return fmt.Errorf("writing the start-at-login entry: %w", err)
	}
	return nil
}

// removeIfExists removes path; a missing file is already removed.
func removeIfExists(path string) error {
	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("removing %s: %w", path, err)
	}
	return nil
}
