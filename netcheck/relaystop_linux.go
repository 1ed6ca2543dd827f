package netcheck

import (
	"fmt"
	"slices"

	"golang.org/x/sys/unix"

	"localguard/netcheck/system"
)

// signalRelay sends SIGTERM to pid through a pidfd, after checking that
// the process the pidfd holds is the one found (start time, command line):
// once the pidfd is open the number cannot name another process.
func signalRelay(pid int32, start uint64, args []string, sys system.Reader) error {
	fd, err := unix.PidfdOpen(int(pid), 0)
	if err != nil {
		return fmt.Errorf("%w: it ended", ErrRelayChanged)
	}
	defer unix.Close(fd)
	if sys == nil {
		sys = system.New()
	}
	st, err := sys.Stat(pid)
	if err != nil || st.Start != start || !slices.Equal(sys.Args(pid), args) {
		return fmt.Errorf("%w: pid %d is another process now", ErrRelayChanged, pid)
	}
	return unix.PidfdSendSignal(fd, unix.SIGTERM, nil, 0)
}
