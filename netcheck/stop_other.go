//go:build !unix

package netcheck

import "os"

// stopProcess ends the process; Windows has no interrupt to send it.
func stopProcess(p *os.Process) error { return p.Kill() }
