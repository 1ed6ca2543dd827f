package netns

import (
	"os"
	"testing"
)

// TestMain runs the package's own tests as Main runs others'.
func TestMain(m *testing.M) {
	if code, ran := Main(); ran {
		os.Exit(code)
	}
	os.Exit(m.Run())
}
