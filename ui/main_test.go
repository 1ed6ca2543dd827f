package ui

import (
	"fmt"
	"os"
	"testing"
)

// TestMain runs the package's tests, or, when a test starts this binary
// again as a second Localguard (LOCALGUARD_TEST_SECOND), claims the
// instance as a start of Localguard does and prints what happened.
func TestMain(m *testing.M) {
	if env, ok := os.LookupEnv("LOCALGUARD_TEST_SECOND"); ok {
		release, err := claimInstance(env, func(string) {})
		if err == nil {
			release()
			fmt.Println("first")
			os.Exit(0)
		}
		fmt.Println(err)
		os.Exit(1)
	}
	os.Exit(m.Run())
}
