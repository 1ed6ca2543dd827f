package ui

import (
	"runtime/debug"
	"time"
)

// settleMemory hands back to the system, once, the memory that starting
// took (fonts parsed, first frames drawn) and that Go would otherwise keep
// for a while: Localguard then runs for days in the tray on what it uses.
// It waits until the first frames are drawn.
func settleMemory() {
	time.AfterFunc(3*time.Second, debug.FreeOSMemory)
}
