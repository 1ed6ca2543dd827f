package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestQuietTerminal runs the real binary, as a user's shell does, under
// every kind of C locale (Debian's default is C.UTF-8): a command that
// succeeds prints nothing on stderr (no Fyne log lines), and -h, --help and
// help print the same usage on stdout.
func TestQuietTerminal(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the C locale and its Fyne log lines are Linux's; the Windows stage builds and runs the binary itself")
	}
	bin := filepath.Join(t.TempDir(), "localguard")
	build := exec.Command("go", "build", "-tags", "ci", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	env := tempEnv(t, "HOST=127.0.0.1\nPORT=8000\n")
	home := t.TempDir()
	for _, lang := range []string{"C.UTF-8", "C", "POSIX", "", "en_US.UTF-8"} {
		run := func(args ...string) (string, string, int) {
			t.Helper()
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, args...)
			cmd.Env = []string{"PATH=/usr/bin:/bin", "HOME=" + home, "XDG_CONFIG_HOME=" + filepath.Join(home, ".config"), "LANG=" + lang}
			var out, errw bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errw
			err := cmd.Run()
			code := 0
			if ee, ok := err.(*exec.ExitError); ok {
				code = ee.ExitCode()
			} else if err != nil {
				t.Fatalf("%v: %v", args, err)
			}
			return out.String(), errw.String(), code
		}
		var usages []string
		for _, args := range [][]string{{"help"}, {"-h"}, {"--help"}} {
			out, stderr, code := run(args...)
			if code != 0 || stderr != "" || !strings.Contains(out, "Usage:") {
				t.Errorf("LANG=%q %v: exit %d, stderr %q, stdout %q", lang, args, code, stderr, out)
			}
			usages = append(usages, out)
		}
		if usages[0] != usages[1] || usages[1] != usages[2] {
			t.Errorf("LANG=%q: help, -h and --help differ", lang)
		}
		for _, args := range [][]string{
			{"check", "--env", env},
			{"check", "--env", env, "--json"},
			{"fix", "--env", env, "--yes"},
			{"check", "-h"},
		} {
			if _, stderr, code := run(args...); stderr != "" || code > 2 {
				t.Errorf("LANG=%q %v: exit %d, stderr %q", lang, args, code, stderr)
			}
		}
	}
}
