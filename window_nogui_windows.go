//go:build nogui && windows

package main

// execGUI starts the desktop program gui beside this console program,
// detached from its console (main_windows.go; the console program asked
// for the window hands over before the command line runs, so this is the
// same hand-over reached another way).
func execGUI(_ cli, gui string, args []string) int {
	return startProgram(gui, args)
}
