//go:build unix

package netcheck

import (
	"os"
	"syscall"
)

// syscallZero checks that a process exists without signalling it.
const syscallZero = syscall.Signal(0)

// interruptProcess sends SIGINT, which uvicorn handles as a clean shutdown.
func interruptProcess(p *os.Process) error { return p.Signal(syscall.SIGINT) }
