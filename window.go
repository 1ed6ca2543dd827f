//go:build !nogui

package main

import (
	"errors"
	"fmt"
	"path/filepath"

	// Before Fyne's package initialisation reads the locale (see there).
	_ "clocale"

	"localguard/ui"
)

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
	if why := noDisplay(); why != "" {
		fmt.Fprintf(c.err, "localguard: %s.\n", why)
		return 1
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
