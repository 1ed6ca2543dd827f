//go:build linux

package proc

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"

	"localguard/netcheck/system"
)

// Open opens a pidfd on pid: signals sent through it reach that process or
// none, never a later one that reuses the pid. Kernels before 5.3 have no
// pidfds; the identity check before the signal is then all.
func Open(pid int32) (Handle, error) {
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

func (fd pidfd) Interrupt() error {
	err := unix.PidfdSendSignal(int(fd), unix.SIGINT, nil, 0)
	if errors.Is(err, unix.ESRCH) {
		return ErrGone
	}
	return err
}

func (fd pidfd) Release() { unix.Close(int(fd)) }

// holdByPID is the fallback hold: the pid alone.
func holdByPID(pid int32) (Handle, error) {
	p, err := os.FindProcess(int(pid))
	if err != nil {
		return nil, err
	}
	return osProcess{p}, nil
}

// identityOf is a process's start time, in clock ticks since boot as
// /proc/PID/stat gives it (exact, unlike a wall time worked out from the
// boot time, which shifts between two reads in a container), its command
// line, and the device and inode of the program /proc/PID/exe names (the
// file itself, whatever its path: a program replaced on disk, or another
// one exec'd with the same arguments, is another program).
func identityOf(pid int32) (identity, error) {
	sys := system.New()
	st, err := sys.Stat(pid)
	if err != nil {
		return identity{}, err
	}
	id := identity{start: int64(st.Start), cmdline: strings.Join(sys.Args(pid), " ")}
	info, err := os.Stat(fmt.Sprintf("/proc/%d/exe", pid))
	if err != nil {
		if errors.Is(err, os.ErrPermission) {
			return identity{}, fmt.Errorf("%w: %v", errProgramUnread, err)
		}
		return identity{}, err
	}
	s, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return identity{}, errProgramUnread
	}
	id.program = fmt.Sprintf("%d:%d", s.Dev, s.Ino)
	return id, nil
}
