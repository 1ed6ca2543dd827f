// Command localguard guards FlowMeter: it tells where FlowMeter can be
// reached from and why, and makes it local-only with one safe change.
//
// Without a command it opens the window and the tray icon; check, fix, undo
// and watch give the same engine to scripts (see docs/cli.md). This file
// wires the parts together; the command line is in cli*.go.
package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	// Before Fyne's package initialisation reads the locale (see there).
	_ "clocale"

	"localguard/ui"
)

func main() {
	// On Windows, the console companion hands the window over to the GUI
	// program, and the GUI program writes to the console it was started
	// from (main_windows.go).
	if code, done := consoleHandOver(os.Args[1:]); done {
		os.Exit(code)
	}
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// window opens the tray icon and the window: the command line without a
// command. (With ui.WindowFlag first, it is the window process the tray
// starts.)
func (c cli) window(args []string) int {
	cmd := c.command("")
	ui.Version = versionLine()
	child := len(args) > 0 && args[0] == ui.WindowFlag
	if child {
		args = args[1:]
	}
	if err := cmd.set.Parse(args); err != nil {
		return c.flagError(cmd, err)
	}
	if cmd.env != "" {
		// Absolute: a running Localguard, started elsewhere, may be asked
		// to open it.
		if abs, err := filepath.Abs(cmd.env); err == nil {
			cmd.env = abs
		}
	}
	if child {
		ui.RunWindow(cmd.env)
		return 0
	}
	switch err := ui.Run(cmd.env, cmd.hidden); {
	case errors.Is(err, ui.ErrRunning):
		fmt.Fprintln(c.err, "Localguard is already running: its window was opened.")
	case err != nil:
		fmt.Fprintf(c.err, "localguard: %v\n", err)
		return 1
	}
	return 0
}
