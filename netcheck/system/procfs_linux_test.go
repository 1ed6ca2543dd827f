package system

import (
	"net"
	"os"
	"os/exec"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestProcReads reads this process and a child through the raw procfs
// reader and checks each answer against what the os package says.
func TestProcReads(t *testing.T) {
	sys := procSystem{}
	self := int32(os.Getpid())
	if !slices.Contains(sys.PIDs(), self) {
		t.Errorf("PIDs misses this process %d", self)
	}
	if got := sys.Args(self); !slices.Equal(got, os.Args) {
		t.Errorf("Args = %q, want %q", got, os.Args)
	}
	if wd, _ := os.Getwd(); sys.Cwd(self) != wd {
		t.Errorf("Cwd = %q, want %q", sys.Cwd(self), wd)
	}
	if env := sys.Environ(self); len(env) == 0 {
		t.Error("Environ of this process is empty")
	}
	if uid, ok := sys.UID(self); !ok || uid != uint32(os.Getuid()) {
		t.Errorf("UID = %d, %v; want %d", uid, ok, os.Getuid())
	}
	if sys.Root(self) != "" {
		t.Errorf("Root of this process = %q, want \"\"", sys.Root(self))
	}
	checkLongChild(t, sys)
}

// checkLongChild reads a child's command line longer than the first
// buffer, and its empty environment.
func checkLongChild(t *testing.T, sys procSystem) {
	t.Helper()
	// A command line longer than the first buffer is read whole.
	long := strings.Repeat("x", 20000)
	cmd := exec.Command("sh", "-c", "sleep 60; :", long)
	cmd.Env = []string{}
	if err := cmd.Start(); err != nil {
		t.Skip("no sh:", err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	pid := int32(cmd.Process.Pid)
	// Read once the child's exec is through (Start returns when exec
	// closed the status pipe, a moment before the new image may be read).
	var got, env []string
	for deadline := time.Now().Add(2 * time.Second); (len(got) == 0 || env == nil) && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		got, env = sys.Args(pid), sys.Environ(pid)
	}
	if len(got) != 4 || got[3] != long {
		t.Errorf("Args of a long command line: %d arguments", len(got))
	}
	if env == nil || len(env) != 0 {
		t.Errorf("Environ of an empty environment = %#v, want empty, not nil", env)
	}
}

// TestProcSockets checks that Sockets lists exactly the sockets this
// process holds, whatever else it holds, and that a gone process reads as
// unreadable.
func TestProcSockets(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, _ := ln.(*net.TCPListener).File()
	defer f.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(f.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	got := procSystem{}.Sockets(int32(os.Getpid()))
	if !slices.Contains(got, st.Ino) {
		t.Errorf("Sockets = %v, misses the listener's inode %d", got, st.Ino)
	}
	if want := socketsByOS(t); !sameSet(got, want) {
		t.Errorf("Sockets = %v, want %v (os.Readlink of /proc/self/fd)", got, want)
	}
	cmd := exec.Command("true")
	if err := cmd.Run(); err == nil {
		if got := (procSystem{}).Sockets(int32(cmd.Process.Pid)); got != nil {
			t.Errorf("Sockets of a process gone = %v, want nil", got)
		}
	}
}

// socketsByOS lists this process's socket inodes the slow way.
func socketsByOS(t *testing.T) []uint64 {
	entries, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Fatal(err)
	}
	var out []uint64
	for _, e := range entries {
		target, err := os.Readlink("/proc/self/fd/" + e.Name())
		if err != nil {
			continue
		}
		if ino, ok := parseSocketLink([]byte(target)); ok {
			out = append(out, ino)
		}
	}
	return out
}

func sameSet(a, b []uint64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

func TestParseSocketLink(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want uint64
		ok   bool
	}{
		{"socket:[12345]", 12345, true},
		{"socket:[]", 0, false},
		{"socket:[12a]", 0, false},
		{"pipe:[12345]", 0, false},
		{"/tmp/socket:[1]", 0, false},
		{"socket:[1", 0, false},
		{"socket:[99999999999999999999]", 0, false},
	} {
		got, ok := parseSocketLink([]byte(tc.in))
		if got != tc.want || ok != tc.ok {
			t.Errorf("parseSocketLink(%q) = %d, %v; want %d, %v", tc.in, got, ok, tc.want, tc.ok)
		}
	}
}

// TestQuickProcReads reads the same through raw system calls, as a
// one-shot command does (QuickProcReads), with the same answers.
func TestQuickProcReads(t *testing.T) {
	quickProc.Store(true)
	defer quickProc.Store(false)
	t.Run("reads", TestProcReads)
	t.Run("sockets", TestProcSockets)
}
