//go:build linux

package netcheck

import (
	"errors"
	"os"
	"strings"

	"golang.org/x/sys/unix"

	"localguard/netcheck/system"
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

// identityOf is a process's start time, in clock ticks since boot as
// /proc/PID/stat gives it (exact, unlike a wall time worked out from the
// boot time, which shifts between two reads in a container), and its
// command line.
func identityOf(pid int32) (start int64, cmdline string, err error) {
	sys := system.New()
	st, err := sys.Stat(pid)
	if err != nil {
		return 0, "", err
	}
	return int64(st.Start), strings.Join(sys.Args(pid), " "), nil
}
