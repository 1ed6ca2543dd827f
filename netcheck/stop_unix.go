//go:build unix && !linux

package netcheck

import (
	"os"
	"syscall"
)

// holdProcess holds pid by number: these systems give no handle on a
// process, so the identity check just before the signal is what keeps it
// from reaching a later process.
func holdProcess(pid int32) (processHold, error) {
	p, err := os.FindProcess(int(pid))
	if err != nil {
		return nil, err
	}
	if err := p.Signal(syscall.Signal(0)); err != nil {
		return nil, err
	}
	return osProcess{p}, nil
}
