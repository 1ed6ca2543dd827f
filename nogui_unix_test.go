//go:build unix && !nogui

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"localguard/ui"
)

// TestCommandLineWithoutFyne builds the command line as it is installed
// (-tags nogui, see main.go) and checks that it links no Fyne, answers its
// commands, and asked for the window becomes the desktop program found
// beside it or in the libexec folder (the same process, the same
// arguments), or says in one sentence that the window is not installed.
func TestCommandLineWithoutFyne(t *testing.T) {
	checkNoFyne(t)
	root := t.TempDir()
	bin := filepath.Join(root, "usr", "bin", "localguard")
	build := exec.Command("go", "build", "-tags", "nogui", "-ldflags", "-X main.version=9.8.7", "-o", bin, ".")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	if out, _ := exec.Command(bin, "--version").Output(); !strings.HasPrefix(string(out), "localguard 9.8.7 ") {
		t.Errorf("--version: %q", out)
	}

	// Help and a wrong flag are answered here, the window installed or not.
	if r := runBinary(bin, os.Environ(), "-h"); r.code != 0 || !strings.Contains(r.out, "Usage:") {
		t.Errorf("-h: exit %d, stdout %q, stderr %q", r.code, r.out, r.stderr)
	}
	if r := runBinary(bin, os.Environ(), "--bogus"); r.code != 3 || !strings.Contains(r.stderr, "bogus") {
		t.Errorf("--bogus: exit %d, stderr %q", r.code, r.stderr)
	}
	// No desktop program: one sentence, exit 1.
	r := runBinary(bin, os.Environ(), "--hidden")
	if r.code != 1 || r.out != "" || strings.Count(strings.TrimSpace(r.stderr), "\n") != 0 || !strings.Contains(r.stderr, "the window is not installed") {
		t.Errorf("no desktop program: exit %d, stdout %q, stderr %q", r.code, r.out, r.stderr)
	}
	// A stand-in desktop program in each place (the next place is looked
	// at only when the one before is empty).
	for _, place := range []string{filepath.Join(root, "usr", "bin", "localguard-gui"), filepath.Join(root, "usr", "libexec", "localguard", "localguard-gui")} {
		checkHandOver(t, bin, place, "--env", "/x/backend/.env", "--hidden")
		// A tray's window process (a tray of the version before, through an
		// upgrade): handed over unread.
		checkHandOver(t, bin, place, ui.WindowFlag, "--env", "/x/backend/.env")
	}
}

// checkNoFyne checks that the nogui build links neither Fyne nor the ui.
func checkNoFyne(t *testing.T) {
	list := exec.Command("go", "list", "-deps", "-tags", "nogui", ".")
	list.Env = append(os.Environ(), "CGO_ENABLED=0")
	deps, err := list.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	for _, d := range strings.Fields(string(deps)) {
		if strings.HasPrefix(d, "fyne.io/") || d == "localguard/ui" {
			t.Errorf("the command line links %s", d)
		}
	}
}

// checkHandOver puts a stand-in desktop program at place and checks that
// bin, asked for the window with args, is replaced by it (its pid is
// bin's) with the same arguments; the stand-in is removed after.
func checkHandOver(t *testing.T, bin, place string, args ...string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(place), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(place, []byte("#!/bin/sh\necho \"$$ $0 $*\"\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(place)
	cmd := exec.Command(bin, args...)
	var out bytes.Buffer
	cmd.Stdout = &out
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s: %v", place, err)
	}
	want := strconv.Itoa(cmd.Process.Pid) + " " + place + " " + strings.Join(args, " ")
	if got := strings.TrimSpace(out.String()); got != want {
		t.Errorf("the desktop program in %s ran as %q, want %q", place, got, want)
	}
}
