package ui

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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
	return exe, nil
}

// writeFileAtomic writes data to path through a temporary file in the
// same folder, creating the folder.
func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, ".localguard-*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
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
