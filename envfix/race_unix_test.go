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
	"strings"
	"testing"
	"time"
)

// TestEditDuringFixIsKept: another program saves the .env while a fix is
// being written, at each moment of the write: after the fix read the file,
// just before the new file takes its place, and (with an editor's
// write-and-rename) at the same instant. Its edit is kept, the fix writes
// nothing, leaves no backup, and says so.
func TestEditDuringFixIsKept(t *testing.T) {
	writers := map[string]string{
		"append":        `echo LATE=1 >> "$1"`,
		"editor rename": `printf 'HOST=0.0.0.0\nLATE=1\n' > "$1.new" && mv "$1.new" "$1"`,
		"in place":      `printf 'HOST=0.0.0.0\nLATE=1\n' > "$1"`,
	}
	for _, step := range []string{stepBackupWritten, stepTempWritten} {
		for name, script := range writers {
			t.Run(step+" "+name, func(t *testing.T) {
				dir := t.TempDir()
				path := writeFile(t, dir, ".env", []byte("HOST=0.0.0.0\n"), 0o600)
				plan := mustPlan(t, path)
				fired := false
				crashPoint = func(s string) {
					if s == step && !fired {
						fired = true
						if out, err := exec.Command("sh", "-c", script, "writer", path).CombinedOutput(); err != nil {
							t.Errorf("writer: %v %s", err, out)
						}
					}
				}
				_, err := Apply(plan)
				crashPoint = func(string) {}
				if !fired {
					t.Fatal("the writer never ran")
				}
				if !errors.Is(err, ErrChanged) {
					t.Fatalf("Apply: %v, want ErrChanged", err)
				}
				got, _ := os.ReadFile(path)
				if !bytes.Contains(got, []byte("LATE=1")) || !bytes.Contains(got, []byte("HOST=0.0.0.0")) {
					t.Errorf("the other program's edit is lost: %q", got)
				}
				if left, _ := filepath.Glob(filepath.Join(dir, "*localguard*")); len(left) != 0 {
					t.Errorf("left behind: %v", left)
				}
				if left, _ := filepath.Glob(filepath.Join(dir, ".*localguard*")); len(left) != 0 {
					t.Errorf("left behind: %v", left)
				}
			})
		}
	}
}

// TestRacingWriterLosesNothing runs a real writer process that appends
// numbered lines to the .env in bursts while fixes run again and again
// (HOST to loopback and back); at the end every line it wrote is in the
// file, and fixes were both applied and refused.
func TestRacingWriterLosesNothing(t *testing.T) {
	dir := t.TempDir()
	path := writeFile(t, dir, ".env", []byte("HOST=0.0.0.0\n"), 0o600)
	// Bursts of appends with pauses, so that some fixes fall between
	// bursts and others in the middle of one.
	const lines = 400
	writer := exec.Command("sh", "-c", `i=1; while [ $i -le `+strconv.Itoa(lines)+` ]; do echo "W$i=x" >> "$1"; [ $((i % 8)) = 0 ] && sleep 0.1; i=$((i+1)); done`, "writer", path)
	if err := writer.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- writer.Wait() }()
	applied, refused := 0, 0
loop:
	for {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			break loop
		default:
		}
		f, err := Load(path, nil)
		if err != nil {
			t.Fatal(err)
		}
		var p *Plan
		if v := f.Reading.Values["host"]; v.Value == LocalHost {
			p, err = PlanSet(f, "HOST", "0.0.0.0") // back and forth
		} else {
			p, err = PlanLocalOnly(f)
		}
		if err != nil {
			t.Fatal(err)
		}
		switch _, err := Apply(p); {
		case err == nil:
			applied++
		case errors.Is(err, ErrChanged):
			refused++
		default:
			t.Fatal(err)
		}
	}
	got := keptLines(t, path)
	var lost []string
	for i := 1; i <= lines; i++ {
		if !bytes.Contains(got, []byte(fmt.Sprintf("\nW%d=x\n", i))) {
			lost = append(lost, strconv.Itoa(i))
		}
	}
	if len(lost) > 0 {
		t.Errorf("%d lines lost (%s); %d fixes applied, %d refused", len(lost), strings.Join(lost[:min(10, len(lost))], ","), applied, refused)
	}
	t.Logf("%d fixes applied and %d refused while %d lines were appended; none lost", applied, refused, lines)
	if applied == 0 || refused == 0 {
		t.Errorf("the race was not exercised both ways: %d fixes applied, %d refused", applied, refused)
	}
}

// keptLines is the .env at path and what Localguard kept beside it: lines
// written to Localguard's version while the first change was put back are
// kept as a conflict file, which the refusal names.
func keptLines(t *testing.T, path string) []byte {
	got, _ := os.ReadFile(path)
	conflicts, _ := filepath.Glob(path + ".localguard-conflict-*")
	for _, c := range conflicts {
		b, _ := os.ReadFile(c)
		got = append(got, b...)
	}
	if len(conflicts) > 0 {
		t.Logf("kept beside (named in the refusal): %v", conflicts)
	}
	return got
}

// TestLockHelper is not a test: run by TestSecondWriterWaitsOrSays as a
// child process, it holds the lock on a .env for a while.
func TestLockHelper(t *testing.T) {
	path := os.Getenv("LG_LOCK_FILE")
	if path == "" {
		t.Skip("helper process for TestSecondWriterWaitsOrSays")
	}
	l, err := LockEnv(path)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Println("locked")
	d, _ := time.ParseDuration(os.Getenv("LG_LOCK_HOLD"))
	time.Sleep(d)
	l.Unlock()
}

// TestSecondWriterWaitsOrSays: while another Localguard process holds the
// lock, a fix waits for it when it is released soon, and otherwise says in
// one sentence that another Localguard is changing the file, changing
// nothing.
func TestSecondWriterWaitsOrSays(t *testing.T) {
	dir := t.TempDir()
	orig := []byte("HOST=0.0.0.0\n")
	path := writeFile(t, dir, ".env", orig, 0o600)
	hold := func(d time.Duration) *exec.Cmd {
		cmd := exec.Command(os.Args[0], "-test.run=^TestLockHelper$", "-test.v")
		cmd.Env = append(os.Environ(), "LG_LOCK_FILE="+path, "LG_LOCK_HOLD="+d.String())
		out, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		buf := make([]byte, 4096)
		var seen []byte
		for !bytes.Contains(seen, []byte("locked")) {
			n, err := out.Read(buf)
			if err != nil {
				t.Fatalf("helper: %v %s", err, seen)
			}
			seen = append(seen, buf[:n]...)
		}
		return cmd
	}
	defer func(w time.Duration) { LockWait = w }(LockWait)
	LockWait = 300 * time.Millisecond
	cmd := hold(3 * time.Second)
	_, err := Apply(mustPlan(t, path))
	if !errors.Is(err, ErrBusy) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "another Localguard") {
		t.Errorf("Apply while locked: %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, orig) {
		t.Errorf("changed while refused: %q", got)
	}
	cmd.Process.Kill()
	cmd.Wait()

	LockWait = 5 * time.Second
	cmd = hold(300 * time.Millisecond)
	defer cmd.Wait()
	if _, err := Apply(mustPlan(t, path)); err != nil {
		t.Errorf("Apply after a short wait: %v", err)
	}
}
