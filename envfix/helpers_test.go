package envfix

import (
	"bytes"
	"os"
	"testing"
)

// mustApply applies the plan, failing the test on error.
func mustApply(t *testing.T, p *Plan) Backup {
	t.Helper()
	b, err := Apply(p)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// fixedFile writes orig with mode as dir/.env and fixes it; it returns
// the file's path and the fix's backup.
func fixedFile(t *testing.T, dir string, orig []byte, mode os.FileMode) (string, Backup) {
	t.Helper()
	path := writeFile(t, dir, ".env", orig, mode)
	return path, mustApply(t, mustPlan(t, path))
}

// mustUndo undoes the last fix of path, failing the test on error.
func mustUndo(t *testing.T, path string) {
	t.Helper()
	if err := Undo(path); err != nil {
		t.Fatal(err)
	}
}

// checkHolds reports an error unless the file at path holds want.
func checkHolds(t *testing.T, path string, want []byte, what string) {
	t.Helper()
	if got, _ := os.ReadFile(path); !bytes.Equal(got, want) {
		t.Errorf("%s: the file holds %q, want %q", what, got, want)
	}
}

// mustDo fails the test when err is not nil.
func mustDo(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
