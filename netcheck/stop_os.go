package netcheck

import (
	"errors"
	"os"
)

// osProcess holds a process through the os package: on Windows a process
// handle (the pid is not reused while it is open), elsewhere the pid.
type osProcess struct{ p *os.Process }

func (o osProcess) interrupt() error {
	err := interruptProcess(o.p)
	if errors.Is(err, os.ErrProcessDone) {
		return errGone
	}
	return err
}

func (o osProcess) release() { o.p.Release() }
