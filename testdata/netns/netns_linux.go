package netns

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// possible: new namespaces need root (CAP_SYS_ADMIN).
func possible() bool { return os.Geteuid() == 0 }

// markers holds a file for each network namespace the tests' children run
// in, named by the namespace's identity, while the child runs: a process a
// test starts there (the test binary as a helper, with an environment of
// its own) knows by it that it is inside already.
const markers = "/tmp/localguard-test-netns"

// inTests reports whether this process is in a namespace Main or Own made.
func inTests() bool {
	self, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		return false
	}
	_, err = os.Stat(filepath.Join(markers, markerName(self)))
	return err == nil
}

// runMarked runs the child with its namespace marked while it runs.
func runMarked(cmd *exec.Cmd) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	if ns, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", cmd.Process.Pid)); err == nil {
		marker := filepath.Join(markers, markerName(ns))
		if os.MkdirAll(markers, 0o755) == nil && os.WriteFile(marker, nil, 0o644) == nil {
			defer os.Remove(marker)
		}
	}
	return cmd.Wait()
}

// markerName is a namespace's identity (net:[4026532281]) as a file name.
func markerName(ns string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, ns)
}

// fresh reports whether this process's network namespace is new: not its
// parent's. Only the child Own or Main started is; a process that child
// starts in turn (with the same environment) is not, and leaves the
// mounts as they are.
func fresh() bool {
	self, err1 := os.Readlink("/proc/self/ns/net")
	parent, err2 := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", os.Getppid()))
	return err1 == nil && err2 == nil && self != parent
}

// isolate starts the child in new network and mount namespaces.
func isolate(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{
		Cloneflags: unix.CLONE_NEWNET | unix.CLONE_NEWNS,
		Pdeathsig:  syscall.SIGKILL, // gone with the test binary that started it
	}
}

// enter finishes the child's namespaces, as `ip netns exec` does: mounts
// made here stay here, /sys shows this namespace's interfaces, and
// loopback is up.
func enter() error {
	// Never the machine's own mounts: a child sent back there (Machine)
	// shares them, and /sys there holds the cgroups Docker needs.
	if self, machine := mountsOf("self"), mountsOf(os.Getenv(machinePID)); self == "" || self == machine {
		return fmt.Errorf("refusing to mount /sys anew outside a mount namespace of the tests' own (%s)", self)
	}
	if err := unix.Mount("", "/", "", unix.MS_REC|unix.MS_PRIVATE, ""); err != nil {
		return fmt.Errorf("making mounts private: %w", err)
	}
	if err := unix.Unmount("/sys", unix.MNT_DETACH); err != nil {
		return fmt.Errorf("unmounting /sys: %w", err)
	}
	if err := unix.Mount("sysfs", "/sys", "sysfs", 0, ""); err != nil {
		return fmt.Errorf("mounting /sys anew: %w", err)
	}
	return loopbackUp()
}

// mountsOf is the mount namespace of a process ("self" or a pid), "" when
// it cannot be read.
func mountsOf(pid string) string {
	if pid == "" {
		return ""
	}
	ns, _ := os.Readlink("/proc/" + pid + "/ns/mnt")
	return ns
}

// loopbackUp sets lo up, as `ip link set lo up` does.
func loopbackUp() error {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	ifr, err := unix.NewIfreq("lo")
	if err != nil {
		return err
	}
	if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
		return fmt.Errorf("reading lo's flags: %w", err)
	}
	ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
	if err := unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr); err != nil {
		return fmt.Errorf("setting lo up: %w", err)
	}
	return nil
}
