// Package netns gives a test that starts real processes a network namespace
// of its own, so that its verdicts judge only what it started: another
// test's FlowMeter on 0.0.0.0, a developer's own services or a second test
// run on the same machine cannot sway them.
//
// A test calls it first:
//
//	func TestSomething(t *testing.T) {
//		if netns.Own(t) {
//			return // it ran, alone, in a namespace of its own
//		}
//		...
//	}
//
// As root on Linux, Own runs the test again in a child of the test binary
// that has a new network namespace (loopback up, nothing else) and a mount
// namespace of its own with /sys mounted anew, as `ip netns exec` does, so
// /sys/class/net shows that namespace's interfaces. The child's result is
// the test's: its failure fails the test with the child's output, its skip
// skips it. Elsewhere (not root, not Linux) the test runs where it is, and
// tests that need root skip there as before.
package netns

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// envKey names the test a child runs for: set, the child is that test's
// own namespace. pkgKey is set in a package's child (Main).
// machineKey names the test a child runs for in the machine's namespace;
// machinePID is a process there (the test binary go test started).
const (
	envKey     = "LOCALGUARD_TEST_NETNS"
	pkgKey     = "LOCALGUARD_TEST_NETNS_PACKAGE"
	machineKey = "LOCALGUARD_TEST_NETNS_MACHINE"
	machinePID = "LOCALGUARD_TEST_NETNS_MACHINE_PID"
)

// Main runs the package's tests in network and mount namespaces of their
// own, for a package whose tests judge the machine without starting
// anything (a check of a .env would count any FlowMeter on the machine):
//
//	func TestMain(m *testing.M) {
//		if code, ran := netns.Main(); ran {
//			os.Exit(code)
//		}
//		os.Exit(m.Run())
//	}
//
// In the process go test started, Main runs the test binary again in the
// new namespaces, with the same arguments and output, and returns its exit
// code; in that child (or where no namespace can be made) it returns
// ran false, and the tests run. Tests that call Own still get a namespace
// each, inside the package's.
func Main() (code int, ran bool) {
	if os.Getenv(pkgKey) != "" && fresh() && os.Getenv(machineKey) == "" {
		if err := enter(); err != nil {
			fmt.Fprintf(os.Stderr, "setting up the tests' own network namespace: %v\n", err)
			return 1, true
		}
		return 0, false
	}
	// Only the test binary go test started: not a helper process a test
	// started (the test binary again, under another name, maybe in a
	// namespace the test made for it), nor a test sent back to the
	// machine's namespace.
	if !possible() || !startedByGoTest() || inTests() || os.Getenv(machineKey) != "" {
		return 0, false
	}
	exe, err := os.Executable()
	if err != nil {
		fmt.Fprintf(os.Stderr, "finding the test binary: %v\n", err)
		return 1, true
	}
	cmd := exec.Command(exe, os.Args[1:]...)
	cmd.Env = append(os.Environ(), pkgKey+"=1", fmt.Sprintf("%s=%d", machinePID, os.Getpid()))
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	isolate(cmd)
	err = runMarked(cmd)
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0, true
	case errors.As(err, &exit) && exit.ExitCode() > 0:
		return exit.ExitCode(), true
	}
	fmt.Fprintf(os.Stderr, "running the tests in a network namespace of their own: %v\n", err)
	return 1, true
}

// Own reports whether the test has already run in a namespace of its own
// (the caller returns at once), or false when it is to run here: inside
// its namespace, or where none can be made.
func Own(t *testing.T) bool {
	t.Helper()
	if name, ok := os.LookupEnv(envKey); ok {
		if name == t.Name() && fresh() && os.Getenv(machineKey) == "" {
			if err := enter(); err != nil {
				t.Fatalf("setting up the test's own network namespace: %v", err)
			}
		}
		return false // the test itself, or nested inside one that is isolated
	}
	if !possible() {
		return false
	}
	runChild(t)
	return true
}

// Machine is Own's opposite, for a test that must run in the machine's own
// network and mount namespaces: Docker's daemon lives there, and so do the
// containers it starts with --network host and the ports it publishes.
// (A helper process the test binary starts there runs in a namespace of
// its own: start programs, not the test binary, from such a test.)
// Where the test is in a namespace of its own (its package's, through
// Main), Machine runs it again there (through nsenter, as the test binary
// go test started) and
// reports true: the caller returns at once. Such a test judges the whole
// machine: it must assert only what its own containers make true.
func Machine(t *testing.T) bool {
	t.Helper()
	pid := os.Getenv(machinePID)
	if os.Getenv(machineKey) == t.Name() || !possible() || pid == "" {
		return false // there already
	}
	nsenter, err := exec.LookPath("nsenter")
	if err != nil {
		t.Skip("nsenter (util-linux) is not installed: cannot reach the machine's network namespace")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("finding the test binary: %v", err)
	}
	cmd := exec.Command(nsenter, append([]string{"--target", pid, "--net", "--mount", "--", exe}, childArgs(t)...)...)
	cmd.Env = append(os.Environ(), machineKey+"="+t.Name())
	finish(t, cmd, "in the machine's network namespace", false)
	return true
}

// startedByGoTest reports whether go test started this process: it always
// passes -test.paniconexit0, which helper processes are not given.
func startedByGoTest() bool {
	return slices.Contains(os.Args[1:], "-test.paniconexit0")
}

// runChild runs the test alone in a new child of the test binary, in new
// namespaces, and makes its result the test's.
func runChild(t *testing.T) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatalf("finding the test binary: %v", err)
	}
	cmd := exec.Command(exe, childArgs(t)...)
	cmd.Env = append(os.Environ(), envKey+"="+t.Name())
	isolate(cmd)
	finish(t, cmd, "in its own network namespace", true)
}

// childArgs run exactly the test, verbosely, within its deadline.
func childArgs(t *testing.T) []string {
	args := []string{"-test.run", runPattern(t.Name()), "-test.v", "-test.count=1"}
	if d, ok := t.Deadline(); ok {
		args = append(args, "-test.timeout", time.Until(d).Round(time.Second).String())
	}
	if testing.Short() {
		args = append(args, "-test.short")
	}
	return args
}

// finish runs the child and makes its outcome the test's. A child in a
// namespace of its own has it marked while it runs (see runMarked).
func finish(t *testing.T, cmd *exec.Cmd, where string, own bool) {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	var err error
	if own {
		err = runMarked(cmd)
	} else {
		err = cmd.Run()
	}
	text := out.String()
	switch {
	case err != nil:
		t.Fatalf("%s: %v\n%s", where, err, text)
	case strings.Contains(text, "--- SKIP: "+t.Name()+" "):
		t.Skip(skipReason(text, t.Name()))
	case !strings.Contains(text, "--- PASS: "+t.Name()+" "):
		t.Fatalf("%s the test did not run:\n%s", where, text)
	}
	if testing.Verbose() {
		t.Logf("ran %s:\n%s", where, text)
	}
}

// runPattern is the -test.run pattern that selects exactly the test named
// (t.Name(): subtests joined by slashes).
func runPattern(name string) string {
	parts := strings.Split(name, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return strings.Join(parts, "/")
}

// skipReason is the child's reason for skipping: the lines it logged
// before its SKIP line.
func skipReason(out, name string) string {
	var reason []string
	for _, line := range strings.Split(out, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "=== "), strings.HasPrefix(line, "--- "), line == "PASS", line == "":
		case strings.HasPrefix(line, "ok "), strings.HasPrefix(line, "FAIL"):
		default:
			reason = append(reason, line)
		}
	}
	if len(reason) == 0 {
		return fmt.Sprintf("%s skipped in its own network namespace", name)
	}
	return strings.Join(reason, "; ")
}
