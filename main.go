// Command localguard guards FlowMeter: it tells where FlowMeter can be
// reached from and why, and makes it local-only with one safe change.
//
// Without a command it opens the window and the tray icon; check, fix, undo
// and watch give the same engine to scripts (see docs/cli.md). This file
// wires the parts together; the command line is in cli*.go, the window in
// window.go.
//
// Built with the tag nogui, it is the command line alone, without Fyne
// (window_nogui.go): what is installed as `localguard`, so that a check
// from a script does not pay for the window's packages (Fyne's start-up
// alone costs a one-shot check about a third of its time). Without a
// command, that build hands over to the desktop program installed beside
// it (localguard-gui; localguard.exe on Windows).
package main

import (
	"os"
	"runtime"

	"localguard/netcheck"
)

func main() {
	// On Windows, the console companion hands the window over to the GUI
	// program, and the GUI program writes to the console it was started
	// from (main_windows.go).
	if code, done := consoleHandOver(os.Args[1:]); done {
		os.Exit(code)
	}
	forCommand(os.Args[1:])
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// forCommand readies the process for a command. Its Go code runs on one
// thread at a time (GOMAXPROCS 1), unless GOMAXPROCS is set in the
// environment, as the tray does (ui/resident.go): a command waits on the
// kernel (system calls, the probes' connects) far more than it computes,
// and with a processor for Go code per core each wake-up also wakes idle
// threads to look for work, which cost a one-shot check about a tenth of
// its CPU (make bench). A command that ends (all but watch) reads /proc
// with raw system calls (netcheck.OneShot). The window, started without a
// command, keeps one thread per core.
func forCommand(args []string) {
	cmd, _ := commandOf(args)
	if cmd == "" {
		return
	}
	if os.Getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(1)
	}
	if cmd != "watch" {
		netcheck.OneShot()
	}
}
