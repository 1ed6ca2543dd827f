//go:build linux

package netcheck

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// holdProcess opens a pidfd on pid: signals sent through it reach that
// process or none, never a later one that reuses the pid. Kernels before
// 5.3 have no pidfds; the identity check before the signal is then all.
func holdProcess(pid int32) (processHold, error) {
	fd, err := unix.PidfdOpen(int(pid), 0)
	if errors.Is(err, unix.ENOSYS) {
		return holdByPID(pid)
	}
	if err != nil {
		return nil, err
	}
	return pidfd(fd), nil
}

// pidfd is a process file descriptor.
type pidfd int

func (fd pidfd) interrupt() error {
	err := unix.PidfdSendSignal(int(fd), unix.SIGINT, nil, 0)
	if errors.Is(err, unix.ESRCH) {
		return errGone
	}
	return err
}

func (fd pidfd) release() { unix.Close(int(fd)) }

// holdByPID is the fallback hold: the pid alone.
func holdByPID(pid int32) (processHold, error) {
	p, err := os.FindProcess(int(pid))
	if err != nil {
		return nil, err
	}
	return osProcess{p}, nil
}
