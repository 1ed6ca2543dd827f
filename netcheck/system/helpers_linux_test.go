package system

import (
	"testing"

	"localguard/testdata/need"
)

// ciInstalls is what CI installs for these tests, named when one fails
// there for want of something.
const ciInstalls = "iproute2, dbus and everything else the tests use"

// missing skips the test, saying what is missing, or fails it under CI,
// which installs everything the tests use.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	need.Missing(t, ciInstalls, format, args...)
}
