//go:build !unix && !windows

package netcheck

import "os"

// stopProcess ends the process; Windows has no interrupt to send it.
func stopProcess(p *os.Process) error { return p.Kill() }
