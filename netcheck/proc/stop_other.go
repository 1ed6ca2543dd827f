//go:build !unix && !windows

package proc

import "os"

// Open holds the process by its pid, all these systems offer.
func Open(pid int32) (Handle, error) {
	p, err := os.FindProcess(int(pid))
	if err != nil {
		return nil, err
	}
	return osProcess{p}, nil
}

// interruptProcess ends the process: these systems have no interrupt to
// send it.
func interruptProcess(p *os.Process) error { return p.Kill() }
