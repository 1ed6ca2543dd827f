//go:build !unix && !windows

package netcheck

import "os"

// holdProcess opens the process: on Windows os.FindProcess holds a handle,
// and a pid is not given to another process while a handle is open.
func holdProcess(pid int32) (processHold, error) {
	p, err := os.FindProcess(int(pid))
	if err != nil {
		return nil, err
	}
	return osProcess{p}, nil
}

// interruptProcess ends the process; Windows has no interrupt to send it.
func interruptProcess(p *os.Process) error { return p.Kill() }
