//go:build !windows

package netcheck

import (
	"os"
	"testing"

	"localguard/testdata/netns"
)

// TestMain runs the package's tests, as root, in a network namespace of
// their own: a verdict judges every FlowMeter on the machine, and the
// machine's are not the tests'. Tests that start FlowMeters get one each
// (netns.Own).
func TestMain(m *testing.M) {
	if code, ran := netns.Main(); ran {
		os.Exit(code)
	}
	os.Exit(m.Run())
}
