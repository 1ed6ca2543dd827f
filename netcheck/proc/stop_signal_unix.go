//go:build unix

package proc

import (
	"os"
	"syscall"
)

// interruptProcess sends SIGINT, which uvicorn handles as a clean shutdown.
func interruptProcess(p *os.Process) error { return p.Signal(syscall.SIGINT) }
