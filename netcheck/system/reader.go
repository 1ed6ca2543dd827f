package system

import "context"

// Reader is what a scan reads of the operating system: procfs and
// sock_diag on Linux, gopsutil elsewhere. Reads a process denies (another
// user's) give zero values, never errors: a scan degrades, it does not fail.
type Reader interface {
	// Listeners lists the listening TCP sockets, IPv4 and IPv6.
	Listeners(ctx context.Context) ([]Socket, error)
	// PIDs lists the running processes (elsewhere than Linux, only those
	// that held a socket in the last Listeners: no other can own one).
	PIDs() []int32
	// Stat reads a process's parent, start time and name; an error means
	// the process is gone.
	Stat(pid int32) (ProcStat, error)
	// Args is the command line, nil when unreadable.
	Args(pid int32) []string
	// Cwd is the working directory, "" when unreadable.
	Cwd(pid int32) string
	// UID is the user the process runs as; false when the system does not
	// say (elsewhere than Linux, where sockets always name their owner).
	UID(pid int32) (uint32, bool)
	// Root is "" when the process sees the same files as this one (the
	// same mount namespace, or it cannot be told), else the path through
	// which its files are seen (/proc/PID/root).
	Root(pid int32) string
	// Environ is the environment at start, nil when unreadable.
	Environ(pid int32) []string
	// Sockets lists the Inode of every socket the process holds, nil when
	// its descriptors may not be read.
	Sockets(pid int32) []uint64
}

// New is the Reader of this computer. Elsewhere than Linux it remembers
// which process held which socket in its last Listeners, so one Reader
// should serve a whole scan.
func New() Reader { return newSystem() }

// ProcStat is what a scan needs of a process besides its command line.
type ProcStat struct {
	// PPID is the parent's pid.
	PPID int32
	// Start is the start time, in the system's own unit: with the pid it
	// tells a process from a later one that reuses the number; 0 when
	// the system hides it.
	Start uint64
	// Name is the process's short name (comm on Linux, the image name on
	// Windows).
	Name string
}
