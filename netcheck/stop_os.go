//go:build !windows

package netcheck

import (
	"errors"
	"os"
)

// osProcess holds a process through the os package, by its pid (Windows
// holds a process by its handle instead: winHold).
type osProcess struct{ p *os.Process }

func (o osProcess) interrupt() error {
	err := interruptProcess(o.p)
	if errors.Is(err, os.ErrProcessDone) {
		return errGone
	}
	return err
}

func (o osProcess) release() { o.p.Release() }
