package netcheck

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"localguard/envfix"
)

// TestComposeConfigRefusesHostIP: docker-compose 1.29's own config refuses
// a long-syntax host_ip, which is why a fix for it writes the short form:
// the check before writing catches what the recreate would have failed on.
func TestComposeConfigRefusesHostIP(t *testing.T) {
	tool := ComposeTool{Argv: []string{"docker-compose"}, Version: composeVersion([]string{"docker-compose"})}
	if !strings.HasPrefix(tool.Version, "1.") {
		missing(t, "needs Debian's docker-compose 1.x (apt-get install docker-compose)")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "docker-compose.yaml")
	before := []byte("services:\n  backend:\n    image: lg19-none\n    ports:\n      - target: 8000\n        published: 8000\n")
	os.WriteFile(path, before, 0o644)
	project := envfix.FindComposeProject(dir, nil)
	withHostIP := []byte("services:\n  backend:\n    image: lg19-none\n    ports:\n      - host_ip: 127.0.0.1\n        target: 8000\n        published: 8000\n")
	err := checkWithCompose(tool, project, path, before, withHostIP)
	if err == nil || !strings.Contains(err.Error(), "host_ip") {
		t.Errorf("config of a host_ip for docker-compose %s: %v", tool.Version, err)
	}
	short := []byte("services:\n  backend:\n    image: lg19-none\n    ports:\n      - \"127.0.0.1:8000:8000\"\n")
	if err := checkWithCompose(tool, project, path, before, short); err != nil {
		t.Errorf("config of the short form: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != string(before) {
		t.Error("the check changed the file")
	}
	if left, _ := filepath.Glob(filepath.Join(dir, ".localguard-check-*")); len(left) > 0 {
		t.Errorf("left behind: %q", left)
	}
}
