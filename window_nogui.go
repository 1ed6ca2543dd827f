//go:build nogui

package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// The command line alone (built with the tag nogui, see main.go): asked for
// the window, it hands over to the desktop program installed with it.

// trayWindowFlag is ui.WindowFlag, which this build cannot import (the ui
// is Fyne): TestCommandLineWithoutFyne hands ui.WindowFlag to this build.
const trayWindowFlag = "--tray-window"

// guiName is the desktop program's file name.
func guiName() string {
	if runtime.GOOS == "windows" {
		return "localguard.exe"
	}
	return "localguard-gui"
}

// guiPlaces are where the desktop program is looked for, in order, for the
// command line at exe: beside it (a build folder, the Windows install),
// then in the libexec folder beside its bin folder (the Debian package:
// /usr/bin/localguard and /usr/libexec/localguard/localguard-gui).
func guiPlaces(exe string) []string {
	dir := filepath.Dir(exe)
	return []string{
		filepath.Join(dir, guiName()),
		filepath.Join(filepath.Dir(dir), "libexec", "localguard", guiName()),
	}
}

// guiProgram is the desktop program installed with this command line.
func guiProgram() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", fmt.Errorf("finding Localguard's own program: %w", err)
	}
	if real, err := filepath.EvalSymlinks(exe); err == nil {
		exe = real
	}
	places := guiPlaces(exe)
	for _, p := range places {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && p != exe {
			return p, nil
		}
	}
	return "", errors.New("the window is not installed with this command line (no " + places[0] + " nor " + places[1] +
		"): reinstall Localguard, or use its commands (localguard check)")
}

// window starts the desktop program with the same arguments: on Linux and
// the other Unixes in place of this process (execGUI), on Windows beside it.
// The arguments are read first, so that -h and a wrong flag are answered
// as every build answers them, the window installed or not.
//
// The window process a tray starts (trayWindowFlag first) is handed over
// unread: a tray of the version before, still running through an upgrade,
// starts its window from this program.
func (c cli) window(args []string) int {
	if len(args) == 0 || args[0] != trayWindowFlag {
		cmd := c.command("")
		if err := cmd.set.Parse(args); err != nil {
			return c.flagError(cmd, err)
		}
	}
	gui, err := guiProgram()
	if err != nil {
		fmt.Fprintf(c.err, "localguard: %v.\n", err)
		return 1
	}
	return execGUI(c, gui, args)
}
