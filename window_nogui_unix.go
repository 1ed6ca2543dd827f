//go:build nogui && !windows

package main

import (
	"fmt"
	"os"
	"syscall"
)

// execGUI replaces this process with the desktop program gui: the same
// process, arguments and environment, as if it had been started itself
// (the tray then starts its window from gui).
func execGUI(c cli, gui string, args []string) int {
	err := syscall.Exec(gui, append([]string{gui}, args...), os.Environ())
	fmt.Fprintf(c.err, "localguard: could not start %s: %v. Reinstall Localguard, or use its commands (localguard check).\n", gui, err)
	return 1
}
