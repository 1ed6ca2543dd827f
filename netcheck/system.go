package netcheck

import "context"

// system is what a scan reads of the operating system: procfs and
// sock_diag on Linux, gopsutil elsewhere. Reads a process denies (another
// user's) give zero values, never errors: a scan degrades, it does not fail.
type system interface {
	// listeners lists the listening TCP sockets, IPv4 and IPv6.
	listeners(ctx context.Context) ([]Socket, error)
	// pids lists the running processes.
	pids() []int32
	// stat reads a process's parent, start time and name; an error means
	// the process is gone.
	stat(pid int32) (procStat, error)
	// args is the command line, nil when unreadable.
	args(pid int32) []string
	// cwd is the working directory, "" when unreadable.
	cwd(pid int32) string
	// uid is the user the process runs as; false when the system does not
	// say (elsewhere than Linux, where sockets always name their owner).
	uid(pid int32) (uint32, bool)
	// root is "" when the process sees the same files as this one (the
	// same mount namespace, or it cannot be told), else the path through
	// which its files are seen (/proc/PID/root).
	root(pid int32) string
	// environ is the environment at start, nil when unreadable.
	environ(pid int32) []string
	// sockets lists the Inode of every socket the process holds, nil when
	// its descriptors may not be read.
	sockets(pid int32) []uint64
}
