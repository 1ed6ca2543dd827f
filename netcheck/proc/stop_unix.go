//go:build unix && !linux

package proc

import (
	"os"
	"syscall"
)

// Open holds pid by number: these systems give no handle on a
// process, so the identity check just before the signal is what keeps it
// from reaching a later process.
func Open(pid int32) (Handle, error) {
	p, err := os.FindProcess(int(pid))
	if err != nil {
		return nil, err
	}
	if err := p.Signal(syscall.Signal(0)); err != nil {
		return nil, err
	}
	return osProcess{p}, nil
}
