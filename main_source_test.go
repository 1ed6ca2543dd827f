package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestFixSourceJourney: `fix --source` on FlowMeter's own compose file
// shows the change, asks, writes it with a backup; a second fix changes
// nothing; `undo --source` gives the exact bytes back; a file Localguard
// cannot fix is refused in one sentence.
func TestFixSourceJourney(t *testing.T) {
	orig, err := os.ReadFile(filepath.Join("envfix", "testdata", "compose", "flowmeter.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	root := t.TempDir()
	for _, d := range []string{"backend", "frontend"} { // its build folders, which Compose's config looks for
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	path := filepath.Join(root, "docker-compose.yaml")
	os.WriteFile(path, orig, 0o644)
	declineThenFix(t, path, orig, []string{`-      - "8000:8000"`, `+      - "127.0.0.1:3000:3000"`}, "undo --source", "--source", path)
	if now, _ := os.ReadFile(path); !bytes.Contains(now, []byte(`"127.0.0.1:8000:8000"`)) {
		t.Fatalf("fixed file:\n%s", now)
	}
	if code, out, _ := runCLI(t, "", "fix", "--source", path, "--yes"); code != 0 || !strings.Contains(out, "Nothing to change") {
		t.Errorf("second fix: exit %d\n%s", code, out)
	}
	undoToOriginal(t, path, orig, "--source", path)
	other := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(other, []byte("ports: 8000\n"), 0o644)
	if code, out, stderr := runCLI(t, "", "fix", "--source", other, "--yes"); code == 0 || out != "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
		t.Errorf("a file Localguard cannot fix: exit %d, stdout %q, stderr %q", code, out, stderr)
	}
}

// TestStopRelayRefuses: stop-relay signals nothing without a pid, or for a
// pid that is not a relay of FlowMeter.
func TestStopRelayRefuses(t *testing.T) {
	if code, out, stderr := runCLI(t, "", "stop-relay"); code != 3 || out != "" || !strings.Contains(stderr, "--pid") {
		t.Errorf("no pid: exit %d, %q, %q", code, out, stderr)
	}
	if code, out, stderr := runCLI(t, "", "stop-relay", "--pid", "1", "--yes"); code != 1 || out != "" || !strings.Contains(stderr, "no relay of FlowMeter runs with pid 1") {
		t.Errorf("pid 1: exit %d, %q, %q", code, out, stderr)
	}
}
