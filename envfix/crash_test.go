//go:build unix

package envfix

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
)

// TestCrashHelper is not a test: run by TestFixSurvivesKill as a child
// process, it fixes a file and kills itself with SIGKILL at the n-th step of
// the write.
func TestCrashHelper(t *testing.T) {
	path, at := os.Getenv("LG_CRASH_FILE"), os.Getenv("LG_CRASH_AT")
	if path == "" {
		t.Skip("helper process for TestFixSurvivesKill")
	}
	n, _ := strconv.Atoi(at)
	steps := 0
	crashPoint = func(step string) {
		steps++
		if steps == n {
			syscall.Kill(os.Getpid(), syscall.SIGKILL)
		}
	}
	if _, err := Apply(mustPlan(t, path)); err != nil {
		t.Fatal(err)
	}
	fmt.Printf("steps=%d\n", steps)
}

// TestFixSurvivesKill kills a real fixer process at each step of a fix
// (backup written, undo record written, temp file complete, renamed) and
// checks the .env is always wholly old or wholly new, and that Localguard
// recovers: undo works or says there is nothing to undo, and a new fix
// succeeds and leaves no temporary files.
func TestFixSurvivesKill(t *testing.T) {
	old := []byte("APP_NAME=FlowMeter API\r\nDEBUG=true\r\nHOST=0.0.0.0 # all interfaces\r\nPORT=8000\r\n")
	want := []byte("APP_NAME=FlowMeter API\r\nDEBUG=true\r\nHOST=127.0.0.1 # all interfaces\r\nPORT=8000\r\n")
	sawOld, sawNew := false, false
	for n := 1; ; n++ {
		path := filepath.Join(t.TempDir(), ".env")
		if err := os.WriteFile(path, old, 0o640); err != nil {
			t.Fatal(err)
		}
		out, killed := crashAt(t, n, path)
		isOld := checkOldOrNew(t, n, path, old, want)
		sawOld, sawNew = sawOld || isOld, sawNew || !isOld
		recoverAfterCrash(t, n, path, old, want)
		if !killed {
			if !bytes.Contains(out, []byte("steps=")) {
				t.Fatalf("helper did not run: %s", out)
			}
			t.Logf("killed at each of %d steps; the fix completed on run %d", n-1, n)
			break
		}
	}
	if !sawOld || !sawNew {
		t.Errorf("the kills should have left both old (%v) and new (%v) files", sawOld, sawNew)
	}
}

// crashAt runs TestCrashHelper to fix the file at path and kill itself at
// the n-th step; killed is false when the fix had fewer steps and
// completed.
func crashAt(t *testing.T, n int, path string) (out []byte, killed bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "LG_CRASH_FILE="+path, "LG_CRASH_AT="+strconv.Itoa(n))
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		ws, ok := exit.Sys().(syscall.WaitStatus)
		killed = ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
		if !killed {
			t.Fatalf("step %d: helper failed: %v\n%s", n, err, out)
		}
	} else if err != nil {
		t.Fatal(err)
	}
	return out, killed
}

// checkOldOrNew: after a kill at step n the file at path is wholly old or
// wholly want, with its mode; isOld says which.
func checkOldOrNew(t *testing.T, n int, path string, old, want []byte) (isOld bool) {
	t.Helper()
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("step %d: .env unreadable after the kill: %v", n, err)
	}
	switch {
	case bytes.Equal(got, old):
		isOld = true
	case bytes.Equal(got, want):
	default:
		t.Fatalf("step %d: .env is neither old nor new: %q", n, got)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o640 {
		t.Errorf("step %d: mode %v, want 0640", n, info.Mode().Perm())
	}
	return isOld
}

// recoverAfterCrash checks that after a crash undo either restores the old
// bytes or says there is nothing to undo, and that a new fix then works.
func recoverAfterCrash(t *testing.T, n int, path string, old, want []byte) {
	t.Helper()
	if err := Undo(path); err != nil && !errors.Is(err, ErrNothingToUndo) {
		t.Fatalf("step %d: undo after the crash: %v", n, err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, old) {
		t.Fatalf("step %d: after undo the file is %q", n, got)
	}
	if _, err := Apply(mustPlan(t, path)); err != nil {
		t.Fatalf("step %d: fixing again after the crash: %v", n, err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Fatalf("step %d: second fix wrote %q", n, got)
	}
	if tmps, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*.localguard-*.tmp")); len(tmps) > 0 {
		t.Errorf("step %d: temporary files left behind: %v", n, tmps)
	}
}
