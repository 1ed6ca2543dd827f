package ui

import (
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestSecondStartHandsOver: a second Localguard, a process of its own in
// the same Windows session, finds the first by its named mutex, sets its
// named event to have its window opened, and ends with errRunning; once
// the first is gone, a start is the first again.
func TestSecondStartHandsOver(t *testing.T) {
	instanceName = testInstanceName
	t.Cleanup(func() { instanceName = busName })
	opened := make(chan string, 4)
	release, err := claimInstance("", func(env string) { opened <- env })
	if err != nil {
		t.Fatalf("the first start: %v", err)
	}
	second := func() (string, error) {
		cmd := exec.Command(os.Args[0], "-test.run", "^$")
		cmd.Env = append(os.Environ(), "LOCALGUARD_TEST_SECOND=")
		out, err := cmd.Output()
		return strings.TrimSpace(string(out)), err
	}
	out, err := second()
	if err == nil || out != errRunning.Error() {
		t.Fatalf("the second start: %q (%v), want %q", out, err, errRunning)
	}
	select {
	case <-opened:
	case <-time.After(5 * time.Second):
		t.Fatal("the first Localguard was not asked to open its window")
	}
	release()
	if out, err := second(); err != nil || out != "first" {
		t.Errorf("a start after the first ended: %q (%v), want to be the first", out, err)
	}
}
