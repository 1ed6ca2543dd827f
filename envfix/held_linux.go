//go:build linux

package envfix

import (
	"io/fs"
	"os"
	"strconv"
)

// heldOpen reports whether another process (of those this user may look
// at) has the file fi open: each /proc/PID/fd/N is stat'ed, which follows
// it to the open file. A writer that opened the old file just before the
// swap holds it until its write is done (a shell's >> opens, writes,
// closes), and may be kept from running for a while on a busy machine.
func heldOpen(fi fs.FileInfo) bool {
	procs, err := os.ReadDir("/proc")
	if err != nil {
		return false
	}
	self := os.Getpid()
	for _, p := range procs {
		pid, err := strconv.Atoi(p.Name())
		if err != nil || pid == self {
			continue
		}
		dir := "/proc/" + p.Name() + "/fd/"
		fds, err := os.ReadDir(dir)
		if err != nil {
			continue
		}
		for _, fd := range fds {
			if st, err := os.Stat(dir + fd.Name()); err == nil && os.SameFile(st, fi) {
				return true
			}
		}
	}
	return false
}
