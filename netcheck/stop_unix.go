//go:build unix

package netcheck

import (
	"os"
	"syscall"
)

// stopProcess sends SIGINT, which uvicorn handles as a clean shutdown.
func stopProcess(p *os.Process) error { return p.Signal(syscall.SIGINT) }
