//go:build windows

package main

// Windows gives a program one subsystem: a console program opens a console
// window when started from Explorer, the Start menu or the Run key at
// login; a GUI program started from cmd or PowerShell is not waited for (the
// prompt comes back at once, %ERRORLEVEL% and $LASTEXITCODE are not its
// code). So Localguard ships two builds of this one program, side by side:
// localguard.exe (GUI: the tray and the window, what the shortcut and the
// Run value start) and localguard.com (console: the command line). Typing
// `localguard` in cmd or PowerShell runs localguard.com, as .COM comes
// before .EXE in PATHEXT (Visual Studio's devenv.com does the same).

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/windows"
)

// consoleHandOver is the part of main that knows which of the two builds
// runs. The console build, asked for the window, starts the GUI build
// beside it with the same arguments and returns (the tray must not hold
// the terminal, nor open a console at login). The GUI build, asked for a
// command, writes to the console of the terminal that started it, when it
// has no output of its own, so `localguard.exe check` at least shows what
// it says (scripts use localguard.com, whose exit code cmd waits for).
func consoleHandOver(args []string) (int, bool) {
	exe, err := os.Executable()
	if err != nil {
		return 0, false
	}
	cmd, _ := commandOf(args)
	if strings.EqualFold(filepath.Ext(exe), ".com") {
		if cmd != "" {
			return 0, false
		}
		return startGUI(exe, args), true
	}
	if cmd != "" && !isConsoleProgram() {
		attachParentConsole()
	}
	return 0, false
}

// startGUI starts localguard.exe beside the console build exe, detached
// from this console.
func startGUI(exe string, args []string) int {
	return startProgram(strings.TrimSuffix(exe, filepath.Ext(exe))+".exe", args)
}

// startProgram starts the desktop program gui with args, detached from
// this console.
func startProgram(gui string, args []string) int {
	c := exec.Command(gui, args...)
	c.SysProcAttr = &syscall.SysProcAttr{CreationFlags: windows.DETACHED_PROCESS | windows.CREATE_NEW_PROCESS_GROUP}
	if err := c.Start(); err != nil {
		os.Stderr.WriteString("localguard: could not start " + gui + ": " + err.Error() + ". Start Localguard from the Start menu, or reinstall it.\n")
		return 1
	}
	c.Process.Release()
	return 0
}

// isConsoleProgram reports whether this process has a console of its own
// (a console build, or a GUI build given one).
func isConsoleProgram() bool {
	w, _, _ := procGetConsoleWindow.Call()
	return w != 0
}

var (
	kernel32             = windows.NewLazySystemDLL("kernel32.dll")
	procGetConsoleWindow = kernel32.NewProc("GetConsoleWindow")
	procAttachConsole    = kernel32.NewProc("AttachConsole")
)

// attachParentConsole attaches to the console of the process that started
// this one, if it has one, and points each standard stream that leads
// nowhere (a GUI program's) at it; a stream redirected to a file or pipe
// stays as it is.
func attachParentConsole() {
	const attachParentProcess = ^uintptr(0) // ATTACH_PARENT_PROCESS, (DWORD)-1
	if r, _, _ := procAttachConsole.Call(attachParentProcess & 0xffffffff); r == 0 {
		return
	}
	reopen := func(f **os.File, name string, flag int, std uint32) {
		if h, err := windows.GetStdHandle(std); err == nil && h != 0 && h != windows.InvalidHandle {
			if t, err := windows.GetFileType(h); err == nil && t != windows.FILE_TYPE_UNKNOWN && t != windows.FILE_TYPE_CHAR {
				return // redirected
			}
		}
		if c, err := os.OpenFile(name, flag, 0); err == nil {
			*f = c
		}
	}
	reopen(&os.Stdin, "CONIN$", os.O_RDONLY, windows.STD_INPUT_HANDLE)
	reopen(&os.Stdout, "CONOUT$", os.O_WRONLY, windows.STD_OUTPUT_HANDLE)
	reopen(&os.Stderr, "CONOUT$", os.O_WRONLY, windows.STD_ERROR_HANDLE)
}
