//go:build !windows

package main

// consoleHandOver has nothing to do where one program is both the command
// line and the desktop program.
func consoleHandOver([]string) (int, bool) { return 0, false }
