//go:build !windows

package proc

import (
	"errors"
	"os"
)

// osProcess holds a process through the os package, by its pid (Windows
// holds a process by its handle instead: winHold).
type osProcess struct{ p *os.Process }

func (o osProcess) Interrupt() error {
	err := interruptProcess(o.p)
	if errors.Is(err, os.ErrProcessDone) {
		return ErrGone
	}
	return err
}

func (o osProcess) Release() { o.p.Release() }
