package system

import (
	"fmt"
	"os"
	"testing"
)

// missing skips the test, saying what is missing, or fails it under CI,
// which installs everything the tests use.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s; CI runs the tests as root with iproute2, dbus and everything else the tests use installed", msg)
	}
	t.Skip(msg)
}
