package module

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRoot: from this package's folder, Root is the localguard module's
// folder; from a folder outside any module, it says to run from the module.
func TestRoot(t *testing.T) {
	root, err := Root()
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !strings.HasPrefix(string(mod), "module localguard\n") {
		t.Errorf("Root %s: go.mod %q, %v", root, mod, err)
	}
	if here, _ := os.Getwd(); filepath.Join(root, "testdata", "bench", "module") != here {
		t.Errorf("Root %s is not two folders above this package's %s", root, here)
	}
	t.Chdir(t.TempDir())
	if _, err := os.Stat("/go.mod"); err == nil {
		t.Skip("/go.mod exists: every folder is in a module here")
	}
	if got, err := Root(); err == nil || !strings.Contains(err.Error(), "run from the localguard module") {
		t.Errorf("outside the module: %q, %v", got, err)
	}
}
