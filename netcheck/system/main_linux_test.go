package system

import (
	"os"
	"testing"

	"localguard/testdata/netns"
)

// TestMain runs the package's tests, as root, in a network namespace of
// their own, where the sockets listed are the tests' only.
func TestMain(m *testing.M) {
	if code, ran := netns.Main(); ran {
		os.Exit(code)
	}
	os.Exit(m.Run())
}
