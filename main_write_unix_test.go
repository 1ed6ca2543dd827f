//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// localguardBinary builds the real command (without the window's cgo parts)
// into the test's temporary folder; Go's build cache makes the builds after
// the first quick.
func localguardBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "localguard")
	cmd := exec.Command("go", "build", "-tags", "ci", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// cliEnv is an environment for the real binary with its own home and
// settings folder, and no HOST or PORT.
func cliEnv(t *testing.T) []string {
	t.Helper()
	home := t.TempDir()
	os.MkdirAll(filepath.Join(home, ".config"), 0o700)
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch k {
		case "HOST", "PORT", "UVICORN_HOST", "HOME", "XDG_CONFIG_HOME", "DEBUG":
			continue
		}
		env = append(env, kv)
	}
	return append(env, "HOME="+home)
}

type result struct {
	code        int
	out, stderr string
}

func runBinary(bin string, env []string, args ...string) result {
	cmd := exec.Command(bin, args...)
	cmd.Env = env
	var out, errw bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errw
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		code = -1
		errw.WriteString(err.Error())
	}
	return result{code, out.String(), errw.String()}
}

// TestTwoFixProcessesAtOnce starts two real `localguard fix` processes at
// the same moment, many times: two HOST fixes, or a HOST fix and a
// `--finding DEBUG` fix. Neither may claim a change the file does not
// have, nor blame the folder; both changes end up in the file (or the one
// refused says so), no temporary file is left, and undo steps back to
// the exact original.
func TestTwoFixProcessesAtOnce(t *testing.T) {
	bin := localguardBinary(t)
	env := cliEnv(t)
	orig := []byte("APP_NAME=FlowMeter API\nDEBUG=true\nHOST=0.0.0.0\nPORT=8000\n")
	rounds := 30
	if testing.Short() {
		rounds = 6
	}
	outcomes := map[string]int{}
	defer func() { t.Logf("%d rounds of two processes: %v", rounds, outcomes) }()
	for round := range rounds {
		twoFixRound(t, bin, env, orig, round, outcomes)
	}
}

// twoFixRound starts two fixes of a fresh copy of orig at the same moment
// (on odd rounds the second is --finding DEBUG), checks what each says
// against the file, and undoes back to orig; outcomes counts how each
// ended.
func twoFixRound(t *testing.T, bin string, env []string, orig []byte, round int, outcomes map[string]int) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "backend")
	os.MkdirAll(dir, 0o755)
	path := filepath.Join(dir, ".env")
	if err := os.WriteFile(path, orig, 0o640); err != nil {
		t.Fatal(err)
	}
	second := []string{"fix", "--env", path, "--yes"}
	mixed := round%2 == 1
	if mixed {
		second = append(second, "--finding", "DEBUG")
	}
	results := runAtOnce(bin, env, []string{"fix", "--env", path, "--yes"}, second)
	got, _ := os.ReadFile(path)
	for i, r := range results {
		want := "HOST=127.0.0.1"
		if i == 1 && mixed {
			want = "DEBUG=false"
		}
		outcomes[fixOutcome(t, fmt.Sprintf("round %d, process %d", round, i), r, got, want)]++
	}
	if !bytes.Contains(got, []byte("HOST=127.0.0.1")) {
		t.Fatalf("round %d: both fixes ran and the file still says %q (%+v)", round, got, results)
	}
	if tmps, _ := filepath.Glob(filepath.Join(dir, ".*.tmp")); len(tmps) > 0 {
		t.Fatalf("round %d: temporary files left: %v", round, tmps)
	}
	for range 3 {
		if r := runBinary(bin, env, "undo", "--env", path); r.code != 0 {
			break
		}
	}
	if back, _ := os.ReadFile(path); !bytes.Equal(back, orig) {
		t.Fatalf("round %d: undo stepped back to %q, want %q", round, back, orig)
	}
}

// runAtOnce runs the binary once per argument list, all released at the
// same moment, and returns their results in order.
func runAtOnce(bin string, env []string, argLists ...[]string) []result {
	var wg sync.WaitGroup
	results := make([]result, len(argLists))
	start := make(chan struct{})
	for i, args := range argLists {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = runBinary(bin, env, args...)
		}()
	}
	close(start)
	wg.Wait()
	return results
}

// fixOutcome names how one of two fixes at once ended, failing the test
// (naming it who) on anything else: fixed (and the file, got, has want),
// nothing to change after waiting, or refused in one sentence saying why.
// None may blame the folder.
func fixOutcome(t *testing.T, who string, r result, got []byte, want string) string {
	t.Helper()
	all := r.out + r.stderr
	if strings.Contains(all, "folder is writable") {
		t.Fatalf("%s blamed the folder: %s", who, all)
	}
	switch {
	case r.code == 0 && strings.Contains(r.out, "Fixed:"):
		if !bytes.Contains(got, []byte(want)) {
			t.Fatalf("%s said %q but the file is %q", who, r.out, got)
		}
		return "fixed"
	case r.code == 0 && strings.Contains(r.out, "Nothing to change"):
		return "waited, then nothing to change"
	case r.code != 0 && strings.Count(ownLines(r.stderr), "\n") == 0 &&
		(strings.Contains(r.stderr, "another Localguard") || strings.Contains(r.stderr, "changed")):
		return "refused, saying why"
	}
	t.Fatalf("%s: exit %d\n%s\n%s", who, r.code, r.out, r.stderr)
	return ""
}

// TestCLISizeLimit: via the real command, files of 1 MiB - 1, 1 MiB and
// 1 MiB + 1 are refused by fix with a non-zero exit and left byte for
// byte; a file the fix brings to exactly 1 MiB is fixed, checked and
// undone.
func TestCLISizeLimit(t *testing.T) {
	bin := localguardBinary(t)
	env := cliEnv(t)
	const mib = 1 << 20
	make := func(size int) []byte {
		tail := "HOST=0.0.0.0\n"
		line := strings.Repeat("#", 63) + "\n"
		pad := size - len(tail)
		b := strings.Repeat(line, pad/64) + strings.Repeat("#", pad%64)
		if pad%64 > 0 {
			b = b[:len(b)-1] + "\n"
		}
		return []byte(b + tail)
	}
	for _, size := range []int{mib - 2, mib - 1, mib, mib + 1} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), ".env")
			content := make(size)
			os.WriteFile(path, content, 0o600)
			r := runBinary(bin, env, "fix", "--env", path, "--yes")
			got, _ := os.ReadFile(path)
			if size > mib-2 {
				if r.code == 0 || strings.Contains(r.out, "Fixed") || !bytes.Equal(got, content) {
					t.Fatalf("fix of %d bytes: exit %d, %q %q; file unchanged: %v", size, r.code, r.out, r.stderr, bytes.Equal(got, content))
				}
				if msg := ownLines(r.stderr); !strings.Contains(msg, "1 MiB") || strings.Count(msg, "\n") > 0 {
					t.Errorf("not one sentence about the limit: %q", msg)
				}
				return
			}
			if r.code != 0 || len(got) != mib {
				t.Fatalf("fix: exit %d (%s), %d bytes", r.code, r.stderr, len(got))
			}
			if r := runBinary(bin, env, "check", "--env", path); r.code == 3 {
				t.Fatalf("check refuses what fix wrote: %s %s", r.out, r.stderr)
			}
			if r := runBinary(bin, env, "undo", "--env", path); r.code != 0 {
				t.Fatalf("undo refuses what fix wrote: %s", r.stderr)
			}
			if back, _ := os.ReadFile(path); !bytes.Equal(back, content) {
				t.Error("undo did not give the bytes back")
			}
		})
	}
}

// TestCheckNeverCreatesHome: with HOME pointing at a folder that does not
// exist, check (as whoever runs the tests, root in CI) creates nothing.
func TestCheckNeverCreatesHome(t *testing.T) {
	bin := localguardBinary(t)
	home := filepath.Join(t.TempDir(), "gone")
	env := append(cliEnv(t), "HOME="+home) // the later HOME wins
	path := filepath.Join(t.TempDir(), ".env")
	os.WriteFile(path, []byte("HOST=127.0.0.1\n"), 0o600)
	r := runBinary(bin, env, "check", "--env", path)
	if r.code == 3 {
		t.Fatalf("check: %s %s", r.out, r.stderr)
	}
	if _, err := os.Stat(home); !os.IsNotExist(err) {
		t.Fatalf("check created the missing home folder %s (%v)", home, err)
	}
}

// TestUndoStepsThroughHistory: fix --finding DEBUG, then fix; undo twice
// gives the file as it was before Localguard first changed it; a third
// undo has nothing to do; --forget removes the backups on request.
func TestUndoStepsThroughHistory(t *testing.T) {
	bin := localguardBinary(t)
	env := cliEnv(t)
	path := filepath.Join(t.TempDir(), ".env")
	orig := []byte("DEBUG=true\nHOST=0.0.0.0\n")
	os.WriteFile(path, orig, 0o600)
	for _, args := range [][]string{{"--finding", "DEBUG"}, nil} {
		if r := runBinary(bin, env, append([]string{"fix", "--env", path, "--yes"}, args...)...); r.code != 0 {
			t.Fatalf("fix %v: %s", args, r.stderr)
		}
	}
	r := runBinary(bin, env, "undo", "--env", path)
	if r.code != 0 || !strings.Contains(r.out, "1 earlier fix") {
		t.Fatalf("first undo: exit %d %q %q", r.code, r.out, r.stderr)
	}
	if got, _ := os.ReadFile(path); string(got) != "DEBUG=false\nHOST=0.0.0.0\n" {
		t.Fatalf("after one undo %q", got)
	}
	if r := runBinary(bin, env, "undo", "--env", path); r.code != 0 {
		t.Fatalf("second undo: %s", r.stderr)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, orig) {
		t.Fatalf("after two undos %q", got)
	}
	if r := runBinary(bin, env, "undo", "--env", path); r.code == 0 || !strings.Contains(r.stderr, "nothing to undo") {
		t.Fatalf("third undo: exit %d %q", r.code, r.stderr)
	}
	runBinary(bin, env, "fix", "--env", path, "--yes")
	if r := runBinary(bin, env, "undo", "--env", path, "--forget"); r.code != 0 {
		t.Fatalf("undo --forget: %s", r.stderr)
	}
	if left, _ := filepath.Glob(path + ".localguard-*"); len(left) > 0 {
		t.Errorf("left after --forget: %v", left)
	}
}

// ownLines is stderr without the lines libraries log (Fyne's locale
// warning under LANG=C): Localguard's own, which start with "localguard".
func ownLines(stderr string) string {
	var own []string
	for _, l := range strings.Split(strings.TrimSpace(stderr), "\n") {
		if strings.HasPrefix(l, "localguard") {
			own = append(own, l)
		}
	}
	return strings.Join(own, "\n")
}
