package system

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Reading processes through /proc, directly: gopsutil's process package
// reads the same files but checks each pid's existence and boot time first,
// and a full scan reads every process's command line and working directory.
// Only the candidates' descriptors are read (/proc/PID/fd), never every
// process's: that is what makes `ss -p` and gopsutil's net.Connections slow.
//
// The files are read with plain system calls into reused buffers rather
// than through os.File: a check reads a command line of every process, and
// os.ReadFile's fstat, non-blocking test, poller registration and buffer
// per file cost more than the read itself (issue 18's figures). A folder of
// descriptors is listed with one large getdents and each link read with
// readlinkat relative to it, which spares the kernel the walk from / to
// /proc/PID/fd for every descriptor.

// bufPool holds the buffers files are read into.
var bufPool = sync.Pool{New: func() any { b := make([]byte, 8<<10); return &b }}

// direntPool holds the buffers descriptor folders are listed into.
var direntPool = sync.Pool{New: func() any { b := make([]byte, 32<<10); return &b }}

// procPath is /proc/PID/name.
func procPath(pid int32, name string) string {
	return "/proc/" + strconv.FormatInt(int64(pid), 10) + "/" + name
}

// openRead opens path for reading, retrying an interrupted call.
func openRead(dirfd int, path string, flags int) (int, error) {
	for {
		fd, err := sysOpenat(dirfd, path, unix.O_RDONLY|unix.O_CLOEXEC|flags)
		if err != unix.EINTR {
			return fd, err
		}
	}
}

// readProc reads the whole file path into a pooled buffer and hands its
// bytes to use, which must not keep them. It reports whether the file
// could be read. A read that fills less than the buffer is the end: procfs
// gives a command line, an environment or a stat line whole up to the
// size asked (an extra read to see 0 bytes costs as much as the first).
func readProc(path string, use func([]byte)) bool {
	fd, err := openRead(unix.AT_FDCWD, path, 0)
	if err != nil {
		return false
	}
	defer sysClose(fd)
	bp := bufPool.Get().(*[]byte)
	defer bufPool.Put(bp)
	b, n := *bp, 0
	for {
		if n == len(b) {
			b = append(b, make([]byte, len(b))...)
		}
		k, err := sysRead(fd, b[n:])
		switch {
		case err == unix.EINTR:
			continue
		case err != nil:
			return false
		}
		n += k
		if n < len(b) {
			if cap(b) <= 1<<20 {
				*bp = b[:cap(b)] // grown buffers are kept, up to 1 MiB
			}
			use(b[:n])
			return true
		}
	}
}

func (procSystem) PIDs() []int32 {
	d, err := openRead(unix.AT_FDCWD, "/proc", unix.O_DIRECTORY)
	if err != nil {
		return nil
	}
	defer sysClose(d)
	out := make([]int32, 0, 512)
	eachEntry(d, func(name []byte, _ uint8) {
		if name[0] < '1' || name[0] > '9' {
			return
		}
		if pid, ok := atoi(name); ok && pid <= 1<<31-1 {
			out = append(out, int32(pid))
		}
	})
	return out
}

// eachEntry lists the folder open as d, handing each entry's name (not
// kept by fn) and type to fn; "." and ".." are left out.
func eachEntry(d int, fn func(name []byte, typ uint8)) {
	bp := direntPool.Get().(*[]byte)
	defer direntPool.Put(bp)
	buf := *bp
	for {
		n, err := sysGetdents(d, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil || n <= 0 {
			return
		}
		for off := 0; off+19 <= n; {
			// struct linux_dirent64: ino u64, off s64, reclen u16,
			// type u8, name NUL-terminated.
			reclen := int(*(*uint16)(unsafe.Pointer(&buf[off+16])))
			if reclen <= 0 || off+reclen > n {
				return
			}
			name := buf[off+19 : off+reclen]
			if i := bytes.IndexByte(name, 0); i >= 0 {
				name = name[:i]
			}
			typ := buf[off+18]
			off += reclen
			if len(name) == 0 || name[0] == '.' && (len(name) == 1 || len(name) == 2 && name[1] == '.') {
				continue
			}
			fn(name, typ)
		}
	}
}

// atoi parses a decimal number of at most 18 digits.
func atoi(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 18 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		v = v*10 + uint64(c-'0')
	}
	return v, true
}

// stat reads /proc/PID/stat: "pid (comm) state ppid ... starttime(22) ...".
// comm may hold spaces and parentheses, so fields are counted after the
// last ')'.
func (procSystem) Stat(pid int32) (ProcStat, error) {
	var st ProcStat
	err := errors.New("process gone")
	readProc(procPath(pid, "stat"), func(b []byte) { st, err = parseStat(b) })
	return st, err
}

func parseStat(b []byte) (ProcStat, error) {
	open, end := bytes.IndexByte(b, '('), bytes.LastIndexByte(b, ')')
	if open < 0 || end < open {
		return ProcStat{}, errors.New("malformed stat")
	}
	f := bytes.Fields(b[end+1:])
	// f[0] is the state (field 3); ppid is field 4, starttime field 22.
	if len(f) < 20 {
		return ProcStat{}, errors.New("malformed stat")
	}
	ppid, err1 := strconv.ParseInt(string(f[1]), 10, 32)
	start, err2 := strconv.ParseUint(string(f[19]), 10, 64)
	if err1 != nil || err2 != nil {
		return ProcStat{}, errors.New("malformed stat")
	}
	return ProcStat{PPID: int32(ppid), Start: start, Name: string(b[open+1 : end])}, nil
}

func (procSystem) Args(pid int32) []string {
	var out []string
	readProc(procPath(pid, "cmdline"), func(b []byte) {
		if len(b) > 0 {
			out = splitNul(b)
		}
	})
	return out
}

// splitNul splits NUL-terminated strings, as in cmdline and environ. A
// process that rewrote its title may use spaces instead; it is left as one
// argument.
func splitNul(b []byte) []string {
	b = bytes.TrimSuffix(b, []byte{0})
	return strings.Split(string(b), "\x00")
}

func (procSystem) Cwd(pid int32) string {
	p, _ := readLink(unix.AT_FDCWD, procPath(pid, "cwd"))
	return p
}

// readLink reads the symbolic link path (relative to dirfd).
func readLink(dirfd int, path string) (string, error) {
	var small [256]byte
	for b := small[:]; ; b = make([]byte, 2*len(b)) {
		n, err := unix.Readlinkat(dirfd, path, b)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return "", err
		}
		if n < len(b) {
			return string(b[:n]), nil
		}
	}
}

func (procSystem) Environ(pid int32) []string {
	var out []string
	readProc(procPath(pid, "environ"), func(b []byte) {
		out = []string{}
		if len(b) > 0 {
			out = splitNul(b)
		}
	})
	return out
}

// sockets reads the targets of /proc/PID/fd/*, keeping "socket:[inode]".
func (procSystem) Sockets(pid int32) []uint64 {
	d, err := openRead(unix.AT_FDCWD, procPath(pid, "fd"), unix.O_DIRECTORY)
	if err != nil {
		return nil
	}
	defer sysClose(d)
	// Empty, not nil, when the process holds none: nil says unreadable.
	out := []uint64{}
	eachEntry(d, func(name []byte, typ uint8) {
		if typ != unix.DT_LNK && typ != unix.DT_UNKNOWN {
			return
		}
		if ino, ok := socketAt(d, name); ok {
			out = append(out, ino)
		}
	})
	return out
}

// socketLink is how a descriptor's link names a socket: "socket:[inode]".
const socketLink = "socket:["

// socketAt reads the link name in the descriptor folder d and returns the
// socket inode it names, false when it names no socket (or is gone).
func socketAt(d int, name []byte) (uint64, bool) {
	var path [24]byte
	if len(name) >= len(path) {
		return 0, false
	}
	copy(path[:], name) // NUL-terminated: the rest of path is zero
	var target [64]byte
	for {
		r, errno := sysReadlinkat(d, &path[0], target[:])
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return 0, false
		}
		return parseSocketLink(target[:r])
	}
}

// parseSocketLink returns the inode of a "socket:[inode]" link target.
func parseSocketLink(t []byte) (uint64, bool) {
	if len(t) < len(socketLink)+2 || string(t[:len(socketLink)]) != socketLink || t[len(t)-1] != ']' {
		return 0, false
	}
	return atoi(t[len(socketLink) : len(t)-1])
}

// selfMountNS is this process's mount namespace.
var selfMountNS, _ = readLink(unix.AT_FDCWD, "/proc/self/ns/mnt")

func (procSystem) Root(pid int32) string {
	ns, err := readLink(unix.AT_FDCWD, procPath(pid, "ns/mnt"))
	if err != nil || selfMountNS == "" || ns == selfMountNS {
		return ""
	}
	return procPath(pid, "root")
}

func (procSystem) UID(pid int32) (uint32, bool) {
	var st unix.Stat_t
	if err := unix.Stat(procPath(pid, ""), &st); err != nil {
		return 0, false
	}
	return st.Uid, true
}
