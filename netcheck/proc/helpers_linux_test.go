package proc

import (
	"fmt"
	"os"
	"testing"
)

// missing skips a test for want of root or a program, and fails it in CI,
// which runs the tests as root with every program installed.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") != "" {
		t.Fatalf("%s; CI runs the tests as root with python3 installed", msg)
	}
	t.Skip(msg)
}
