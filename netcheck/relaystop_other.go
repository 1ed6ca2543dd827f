//go:build !linux

package netcheck

import (
	"fmt"
	"slices"
)

// signalRelay stops pid after checking it is the process found (start
// time, command line).
func signalRelay(pid int32, start uint64, args []string, sys system) error {
	if sys == nil {
		sys = newSystem()
	}
	st, err := sys.stat(pid)
	if err != nil || st.start != start || !slices.Equal(sys.args(pid), args) {
		return fmt.Errorf("%w: pid %d is another process now", ErrRelayChanged, pid)
	}
	h, err := holdProcess(pid)
	if err != nil {
		return err
	}
	defer h.release()
	return h.interrupt()
}
