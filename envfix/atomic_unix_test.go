//go:build unix

package envfix

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

// TestWriteFileAtomicUnix: a handle opened before a write keeps the old
// bytes (the file was replaced, not rewritten in place); a link at the
// path is replaced, its target untouched; the umask plays no part.
func TestWriteFileAtomicUnix(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "state.json")
	if err := WriteFileAtomic(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	old, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	defer syscall.Umask(syscall.Umask(0o777))
	if err := WriteFileAtomic(path, []byte("new"), 0o644); err != nil {
		t.Fatal(err)
	}
	kept := make([]byte, 3)
	if _, err := old.ReadAt(kept, 0); err != nil || string(kept) != "old" {
		t.Fatalf("a handle opened before the write reads %q (%v), want old", kept, err)
	}
	checkPerm(t, path, 0o644)

	target := filepath.Join(dir, "elsewhere")
	if err := os.WriteFile(target, []byte("theirs"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(link, []byte("ours"), 0o600); err != nil {
		t.Fatal(err)
	}
	checkPerm(t, link, 0o600)
	if got, _ := os.ReadFile(target); string(got) != "theirs" {
		t.Fatalf("the link's target holds %q, want it untouched", got)
	}
}
