package system

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// The system calls that read /proc: raw ones, which the Go scheduler does
// not watch, once QuickProcReads was called (see there); else the usual.

func sysOpenat(dirfd int, path string, flags int) (int, error) {
	if !quickReads() {
		return unix.Openat(dirfd, path, flags, 0)
	}
	p, err := unix.BytePtrFromString(path)
	if err != nil {
		return -1, err
	}
	r, _, e := unix.RawSyscall6(unix.SYS_OPENAT, uintptr(dirfd), uintptr(unsafe.Pointer(p)), uintptr(flags), 0, 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(r), nil
}

func sysRead(fd int, b []byte) (int, error) { return fdIntoBuf(unix.SYS_READ, fd, b, unix.Read) }

func sysClose(fd int) {
	if !quickReads() {
		unix.Close(fd)
		return
	}
	unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
}

func sysGetdents(fd int, b []byte) (int, error) {
	return fdIntoBuf(unix.SYS_GETDENTS64, fd, b, unix.Getdents)
}

// fdIntoBuf is the system call trap that fills b from fd (read,
// getdents64): raw when quickReads, else usual.
func fdIntoBuf(trap uintptr, fd int, b []byte, usual func(int, []byte) (int, error)) (int, error) {
	if !quickReads() || len(b) == 0 {
		return usual(fd, b)
	}
	r, _, e := unix.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)))
	if e != 0 {
		return 0, e
	}
	return int(r), nil
}

// sysReadlinkat reads the link path (NUL-terminated) relative to dirfd
// into b.
func sysReadlinkat(dirfd int, path *byte, b []byte) (int, unix.Errno) {
	call := unix.Syscall6
	if quickReads() {
		call = unix.RawSyscall6
	}
	r, _, e := call(unix.SYS_READLINKAT, uintptr(dirfd), uintptr(unsafe.Pointer(path)), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), 0, 0)
	return int(r), e
}
