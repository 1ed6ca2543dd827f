// Package need is how a test says what it needs of the machine (root, a
// program, a daemon) and what happens without it: the test is skipped,
// saying what is missing, so that a run without root or without some
// program stays green and says why; in CI (the CI environment variable
// set: .ci/run), which runs the tests as root with everything they use
// installed, it fails instead, so that a test CI should run is never
// skipped there unseen.
//
// Each package names once what CI installs for its tests and wraps these
// in its own missing and needRoot:
//
//	const ciInstalls = "python3"
//
//	func missing(t testing.TB, format string, args ...any) {
//		t.Helper()
//		need.Missing(t, ciInstalls, format, args...)
//	}
package need

import (
	"fmt"
	"os"
	"testing"
)

// Missing skips t with the message format and args make, saying what is
// missing; in CI it fails t with that message and what CI installs for
// these tests (installed, as in "CI runs the tests as root with python3
// installed").
func Missing(t testing.TB, installed, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s; CI runs the tests as root with %s installed", msg, installed)
	}
	t.Skip(msg)
}

// Root is Missing with the message why (as in "needs root to ...") unless
// the test runs as root.
func Root(t testing.TB, installed, why string) {
	t.Helper()
	if os.Geteuid() != 0 {
		Missing(t, installed, "%s", why)
	}
}
