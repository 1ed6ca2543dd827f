package system

import (
	"bytes"
	"errors"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// Reading processes through /proc, directly: gopsutil's process package
// reads the same files but checks each pid's existence and boot time first,
// and a full scan reads every process's command line and working directory.
// Only the candidates' descriptors are read (/proc/PID/fd), never every
// process's: that is what makes `ss -p` and gopsutil's net.Connections slow.

func (procSystem) PIDs() []int32 {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	out := make([]int32, 0, len(names))
	for _, n := range names {
		if n[0] < '1' || n[0] > '9' {
			continue
		}
		if pid, err := strconv.ParseInt(n, 10, 32); err == nil {
			out = append(out, int32(pid))
		}
	}
	return out
}

func procPath(pid int32, name string) string {
	return "/proc/" + strconv.FormatInt(int64(pid), 10) + "/" + name
}

// stat reads /proc/PID/stat: "pid (comm) state ppid ... starttime(22) ...".
// comm may hold spaces and parentheses, so fields are counted after the
// last ')'.
func (procSystem) Stat(pid int32) (ProcStat, error) {
	b, err := os.ReadFile(procPath(pid, "stat"))
	if err != nil {
		return ProcStat{}, err
	}
	return parseStat(b)
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
	b, err := os.ReadFile(procPath(pid, "cmdline"))
	if err != nil || len(b) == 0 {
		return nil
	}
	return splitNul(b)
}

// splitNul splits NUL-terminated strings, as in cmdline and environ. A
// process that rewrote its title may use spaces instead; it is left as one
// argument.
func splitNul(b []byte) []string {
	b = bytes.TrimSuffix(b, []byte{0})
	return strings.Split(string(b), "\x00")
}

func (procSystem) Cwd(pid int32) string {
	p, err := os.Readlink(procPath(pid, "cwd"))
	if err != nil {
		return ""
	}
	return p
}

func (procSystem) Environ(pid int32) []string {
	b, err := os.ReadFile(procPath(pid, "environ"))
	if err != nil {
		return nil
	}
	if len(b) == 0 {
		return []string{}
	}
	return splitNul(b)
}

// sockets reads the targets of /proc/PID/fd/*, keeping "socket:[inode]".
func (procSystem) Sockets(pid int32) []uint64 {
	dir := procPath(pid, "fd")
	d, err := os.Open(dir)
	if err != nil {
		return nil
	}
	names, _ := d.Readdirnames(-1)
	d.Close()
	// Empty, not nil, when the process holds none: nil says unreadable.
	out := []uint64{}
	for _, n := range names {
		t, err := os.Readlink(dir + "/" + n)
		if err != nil || !strings.HasPrefix(t, "socket:[") || !strings.HasSuffix(t, "]") {
			continue
		}
		if ino, err := strconv.ParseUint(t[len("socket:["):len(t)-1], 10, 64); err == nil {
			out = append(out, ino)
		}
	}
	return out
}

// selfMountNS is this process's mount namespace.
var selfMountNS, _ = os.Readlink("/proc/self/ns/mnt")

func (procSystem) Root(pid int32) string {
	ns, err := os.Readlink(procPath(pid, "ns/mnt"))
	if err != nil || selfMountNS == "" || ns == selfMountNS {
		return ""
	}
	return procPath(pid, "root")
}

func (procSystem) UID(pid int32) (uint32, bool) {
	info, err := os.Stat(procPath(pid, ""))
	if err != nil {
		return 0, false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, false
	}
	return st.Uid, true
}
