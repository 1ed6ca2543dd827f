package ui

import (
	"runtime/debug"
	"time"
)

// steadyGCPercent is Go's GC target once Localguard has started: the heap
// may grow 10 % over what is live before it is collected. Left at Go's
// 100 %, the fonts Fyne keeps (about 18 MB) let the heap double between
// two collections, and over ten minutes in the tray the resident memory
// crept up by that much. Watching allocates about 30 KB a second, so at
// 10 % a collection comes about once a minute and costs a few
// milliseconds.
const steadyGCPercent = 10

// settleMemory, once the first frames are drawn (starting allocates fast,
// and a low GC target would slow it), lowers the GC target for good and
// hands back to the system what starting took (fonts parsed, first frames
// drawn): Localguard then runs for days in the tray on what it uses.
func settleMemory() {
	time.AfterFunc(3*time.Second, func() {
		debug.SetGCPercent(steadyGCPercent)
		debug.FreeOSMemory()
	})
}
