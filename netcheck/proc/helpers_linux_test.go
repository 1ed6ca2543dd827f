package proc

import (
	"testing"

	"localguard/testdata/need"
)

// ciInstalls is what CI installs for these tests, named when one fails
// there for want of something.
const ciInstalls = "python3"

// missing skips a test for want of root or a program, and fails it in CI,
// which runs the tests as root with every program installed.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	need.Missing(t, ciInstalls, format, args...)
}
