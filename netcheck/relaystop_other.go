//go:build !linux

package netcheck

import (
	"fmt"
	"slices"

	fmproc "localguard/netcheck/proc"
	"localguard/netcheck/system"
)

// signalRelay stops pid after checking it is the process found (start
// time, command line).
func signalRelay(pid int32, start uint64, args []string, sys system.Reader) error {
	if sys == nil {
		sys = system.New()
	}
	st, err := sys.Stat(pid)
	if err != nil || st.Start != start || !slices.Equal(sys.Args(pid), args) {
		return fmt.Errorf("%w: pid %d is another process now", ErrRelayChanged, pid)
	}
	h, err := fmproc.Open(pid)
	if err != nil {
		return err
	}
	defer h.Release()
	return h.Interrupt()
}
