// Command localguard guards FlowMeter: it tells where FlowMeter can be
// reached from and why, and makes it local-only with one safe change.
//
// Without a command it opens the window and the tray icon; check, fix, undo
// and watch give the same engine to scripts (see docs/cli.md). This file
// wires the parts together; the command line is in cli*.go.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	// Before Fyne's package initialisation reads the locale (see there).
	_ "clocale"

	"localguard/netcheck"
	"localguard/ui"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// window opens the tray icon and the window: the command line without a
// command. (With ui.WindowFlag first, it is the window process the tray
// starts.)
func (c cli) window(args []string) int {
	cmd := c.command("")
	child := len(args) > 0 && args[0] == ui.WindowFlag
	if child {
		args = args[1:]
	}
	if err := cmd.set.Parse(args); err != nil {
		return c.flagError(cmd, err)
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

// openInstall resolves the install (the --env given, else the one found
// running, remembered or in a common place), remembers it for next time,
// and makes its Checker. With no install found, the Checker still judges
// every FlowMeter running, from whatever folder.
func openInstall(env string) *netcheck.Checker {
	var store *netcheck.Store
	if path, err := netcheck.DefaultStorePath(); err == nil {
		store, _ = netcheck.OpenStore(path)
	}
	home, _ := os.UserHomeDir()
	c := netcheck.Open(context.Background(), env, store, home, os.Environ())
	if c.EnvPath == "" {
		return c
	}
	if abs, err := filepath.Abs(c.EnvPath); err == nil && store != nil && store.Install != abs {
		store.Install = abs
		store.Save() // remembering is a convenience: a failure changes no verdict
	}
	return c
}
