package ui

import (
	"fmt"
	"os"
	"testing"

	"localguard/testdata/netns"
)

// testInstanceName is the tests' own name for the Windows mutex and
// event: a test never reaches a Localguard that really runs.
const testInstanceName = "io.github.localguard.localguard.test"

// TestMain runs the package's tests (as root in a network namespace of
// their own, as the engine's verdicts judge the machine), or, when a test starts this binary
// again as a second Localguard (LOCALGUARD_TEST_SECOND), claims the
// instance as a start of Localguard does and prints what happened.
func TestMain(m *testing.M) {
	if env, ok := os.LookupEnv("LOCALGUARD_TEST_SECOND"); ok {
		instanceName = testInstanceName
		release, err := claimInstance(env, func(string) {})
		if err == nil {
			release()
			fmt.Println("first")
			os.Exit(0)
		}
		fmt.Println(err)
		os.Exit(1)
	}
	if code, ran := netns.Main(); ran {
		os.Exit(code) // as root: in a network namespace of their own
	}
	os.Exit(m.Run())
}
