package netns

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
)

// TestOwn: a listener the test opens on 0.0.0.0 inside its own namespace is
// not in the namespace the test binary started in, and only loopback is
// there.
func TestOwn(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a network namespace of its own needs root")
	}
	if Own(t) {
		return
	}
	ifs, err := net.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	if len(ifs) != 1 || ifs[0].Name != "lo" || ifs[0].Flags&net.FlagUp == 0 {
		t.Fatalf("interfaces in the test's own namespace: %v", ifs)
	}
	if _, err := os.Stat("/sys/class/net/lo"); err != nil {
		t.Fatalf("/sys shows another namespace: %v", err)
	}
	if entries, _ := os.ReadDir("/sys/class/net"); len(entries) != 1 {
		t.Fatalf("/sys/class/net in the test's own namespace: %v", entries)
	}
	l, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.Close()
}

// TestRunPattern: subtests are selected element by element, literally.
func TestRunPattern(t *testing.T) {
	if got, want := runPattern("TestA/b_c.d"), `^TestA$/^b_c\.d$`; got != want {
		t.Errorf("runPattern = %q, want %q", got, want)
	}
}

// TestChildOutcome: a failure or a skip inside the namespace is the
// test's own outcome in the parent (the test binary run again on the
// probe tests below).
func TestChildOutcome(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a network namespace of its own needs root")
	}
	if os.Getenv("NETNS_PROBE") != "" {
		t.Skip("run by TestChildOutcome only")
	}
	for probe, want := range map[string]string{"fail": "--- FAIL: TestProbe", "skip": "--- SKIP: TestProbe"} {
		cmd := exec.Command(os.Args[0], "-test.run", "^TestProbe$", "-test.v")
		cmd.Env = append(os.Environ(), "NETNS_PROBE="+probe)
		out, err := cmd.CombinedOutput()
		if !strings.Contains(string(out), want) || (probe == "fail") != (err != nil) {
			t.Errorf("a child that ends with %s: err %v\n%s", probe, err, out)
		}
		if probe == "skip" && !strings.Contains(string(out), "skipped inside on purpose") {
			t.Errorf("the child's reason to skip is lost:\n%s", out)
		}
	}
}

// TestProbe fails or skips inside its namespace when TestChildOutcome asks.
func TestProbe(t *testing.T) {
	probe := os.Getenv("NETNS_PROBE")
	if probe == "" {
		return // only TestChildOutcome runs it
	}
	if Own(t) {
		return
	}
	if probe == "fail" {
		t.Fatal("failed inside on purpose")
	}
	t.Skip("skipped inside on purpose")
}

// TestMachine: a test that needs the machine's namespace runs there, even
// from inside a namespace of its own, and leaves the machine's mounts as
// they are (its /sys holds the cgroups Docker needs).
func TestMachine(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("reaching the machine's network namespace needs root")
	}
	if Own(t) { // first a namespace of its own, then back out of it
		return
	}
	machine := os.Getenv(machinePID)
	before := sysMount(t, machine)
	if Machine(t) {
		if after := sysMount(t, machine); after != before {
			t.Errorf("the machine's /sys was mounted anew: %q, then %q", before, after)
		}
		return
	}
	for _, ns := range []string{"net", "mnt"} {
		self, _ := os.Readlink("/proc/self/ns/" + ns)
		there, _ := os.Readlink("/proc/" + machine + "/ns/" + ns)
		if machine != "" && self != there {
			t.Fatalf("in %s, not in the machine's namespace %s", self, there)
		}
	}
}

// sysMount is the line of /proc/PID/mountinfo that mounts /sys.
func sysMount(t *testing.T, pid string) string {
	if pid == "" {
		pid = "self"
	}
	info, err := os.ReadFile("/proc/" + pid + "/mountinfo")
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(info), "\n") {
		if f := strings.Fields(line); len(f) > 4 && f[4] == "/sys" {
			return line
		}
	}
	return ""
}

// TestMainIsolates: as root the package's tests run in a namespace of
// their own, not the machine's; a helper the test binary starts (with an
// environment of its own, in the tests' namespace or in one the test made
// for it) runs where it was started, not in a namespace of its own again.
func TestMainIsolates(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("a network namespace of its own needs root")
	}
	if os.Getenv("NETNS_PROBE") == "helper" {
		fmt.Printf("started by %d\n", os.Getppid())
		return
	}
	self, _ := os.Readlink("/proc/self/ns/net")
	machine, err := os.Readlink("/proc/" + os.Getenv(machinePID) + "/ns/net")
	if err != nil || self == machine {
		t.Fatalf("the package's tests run in %s, the machine's namespace is %s (%v)", self, machine, err)
	}
	exe, _ := os.Executable()
	for _, newNS := range []bool{false, true} {
		helper := exec.Command(exe, "-test.run", "^TestMainIsolates$")
		helper.Env = []string{"NETNS_PROBE=helper"}
		if newNS {
			helper.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWNET}
		}
		want := fmt.Sprintf("started by %d\n", os.Getpid())
		if out, err := helper.CombinedOutput(); err != nil || !strings.Contains(string(out), want) {
			t.Errorf("a helper of the tests (in a namespace of the test's: %v) was run again elsewhere: %v\n%s", newNS, err, out)
		}
	}
}
