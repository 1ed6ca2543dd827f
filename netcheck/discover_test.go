package netcheck

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestInstallIn: the folder chooser takes the checkout, its backend or the
// backend's .env, and refuses anything else in one sentence.
func TestInstallIn(t *testing.T) {
	root := t.TempDir()
	checkout := filepath.Join(root, "FlowMeter")
	backend := filepath.Join(checkout, "backend")
	os.MkdirAll(filepath.Join(backend, "app"), 0o755)
	os.WriteFile(filepath.Join(backend, "app", "main.py"), nil, 0o644)
	env := filepath.Join(backend, ".env")
	os.WriteFile(env, []byte("HOST=0.0.0.0\n"), 0o644)
	other := filepath.Join(root, "photos")
	os.MkdirAll(other, 0o755)
	stray := filepath.Join(other, ".env")
	os.WriteFile(stray, nil, 0o644)
	for _, tc := range []struct {
		path, want string
	}{{checkout, env}, {backend, env}, {env, env}} {
		if got, err := InstallIn(tc.path); err != nil || got != tc.want {
			t.Errorf("InstallIn(%s) = %q, %v; want %q", tc.path, got, err, tc.want)
		}
	}
	for _, bad := range []string{filepath.Join(backend, "app"), other, stray, root, filepath.Join(root, "gone")} {
		_, err := InstallIn(bad)
		if err == nil {
			t.Errorf("InstallIn(%s) accepted", bad)
			continue
		}
		if bad != filepath.Join(root, "gone") && !errors.Is(err, ErrNotFlowMeter) {
			t.Errorf("InstallIn(%s): %v, want ErrNotFlowMeter", bad, err)
		}
		t.Logf("%s: %v", bad, err)
	}
}
