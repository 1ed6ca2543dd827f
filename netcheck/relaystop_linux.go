package netcheck

import (
	"fmt"
	"slices"

	"golang.org/x/sys/unix"
)

// signalRelay sends SIGTERM to pid through a pidfd, after checking that
// the process the pidfd holds is the one found (start time, command line):
// once the pidfd is open the number cannot name another process.
func signalRelay(pid int32, start uint64, args []string, sys system) error {
	fd, err := unix.PidfdOpen(int(pid), 0)
	if err != nil {
		return fmt.Errorf("%w: it ended", ErrRelayChanged)
	}
	defer unix.Close(fd)
	if sys == nil {
		sys = newSystem()
	}
	st, err := sys.stat(pid)
	if err != nil || st.start != start || !slices.Equal(sys.args(pid), args) {
		return fmt.Errorf("%w: pid %d is another process now", ErrRelayChanged, pid)
	}
	return unix.PidfdSendSignal(fd, unix.SIGTERM, nil, 0)
}
