package envfix

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// leftTemps lists the temporary files a write of path may have left.
func leftTemps(t *testing.T, path string) []string {
	t.Helper()
	tmps, err := filepath.Glob(filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".localguard-*.tmp"))
	if err != nil {
		t.Fatal(err)
	}
	return tmps
}

// checkPerm fails unless the file at path has the permission bits want
// (Unix only: Windows keeps no such bits).
func checkPerm(t *testing.T, path string, want fs.FileMode) {
	t.Helper()
	if runtime.GOOS == "windows" {
		return
	}
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	if !info.Mode().IsRegular() || info.Mode().Perm() != want {
		t.Fatalf("%s has mode %v, want a regular file with %v", path, info.Mode(), want)
	}
}

// readWhole reads path until stop, and reports the first read that is
// not one of versions whole. On Windows, where an open file cannot be
// renamed over, it pauses between reads as a real reader does; reading
// without a pause would hold the file open for good.
func readWhole(path string, versions [][]byte, stop *atomic.Bool) error {
	for !stop.Load() {
		if runtime.GOOS == "windows" {
			time.Sleep(5 * time.Millisecond)
		}
		got, err := os.ReadFile(path)
		if err != nil {
			if runtime.GOOS == "windows" {
				continue // Windows refuses an open at the instant of a rename
			}
			return err
		}
		whole := false
		for _, v := range versions {
			whole = whole || bytes.Equal(got, v)
		}
		if !whole {
			return fmt.Errorf("a reader saw %d bytes that are no version whole", len(got))
		}
	}
	return nil
}

// TestWriteFileAtomicReplaces: while WriteFileAtomic replaces a 1 MiB file
// again and again, a reader never sees anything but one whole version; the
// last version is in place with the permission bits asked for, and no
// temporary file is left.
func TestWriteFileAtomicReplaces(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	versions := [][]byte{bytes.Repeat([]byte("a"), 1<<20), bytes.Repeat([]byte("b"), 1<<20), []byte("short\n")}
	if err := WriteFileAtomic(path, versions[0], 0o600); err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	var wg sync.WaitGroup
	var readErr error
	wg.Add(1)
	go func() {
		defer wg.Done()
		readErr = readWhole(path, versions, &stop)
	}()
	var writeErr error
	for i := 1; i <= 40 && writeErr == nil; i++ {
		writeErr = WriteFileAtomic(path, versions[i%2], 0o600)
	}
	if writeErr == nil {
		writeErr = WriteFileAtomic(path, versions[2], 0o644)
	}
	stop.Store(true)
	wg.Wait()
	if writeErr != nil {
		t.Fatal(writeErr)
	}
	if readErr != nil {
		t.Fatal(readErr)
	}
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, versions[2]) {
		t.Fatalf("the file holds %q (%v), want the last version", got, err)
	}
	checkPerm(t, path, 0o644)
	if tmps := leftTemps(t, path); len(tmps) > 0 {
		t.Fatalf("temporary files left behind: %v", tmps)
	}
}

// TestWriteFileAtomicPermissions: the file gets exactly the bits asked
// for, whatever the old file had and whatever the umask would give.
func TestWriteFileAtomicPermissions(t *testing.T) {
	dir := t.TempDir()
	for _, perm := range []fs.FileMode{0o600, 0o644, 0o640, 0o666, 0o400} {
		path := filepath.Join(dir, fmt.Sprintf("f%o", perm))
		if err := os.WriteFile(path, []byte("old"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := WriteFileAtomic(path, []byte("new"), perm|fs.ModeSetuid); err != nil {
			t.Fatal(err)
		}
		checkPerm(t, path, perm)
		if got, _ := os.ReadFile(path); string(got) != "new" {
			t.Fatalf("%s holds %q, want new", path, got)
		}
	}
	// A new file too.
	path := filepath.Join(dir, "new")
	if err := WriteFileAtomic(path, nil, 0o640); err != nil {
		t.Fatal(err)
	}
	checkPerm(t, path, 0o640)
}

// TestWriteFileAtomicFailure: when the rename cannot be made (a folder is
// in the way) or the temporary file cannot be created (no such folder),
// the error says so, nothing is left behind and what was there is intact.
func TestWriteFileAtomicFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "settings")
	if err := os.Mkdir(path, 0o700); err != nil {
		t.Fatal(err)
	}
	inside := filepath.Join(path, "keep")
	if err := os.WriteFile(inside, []byte("kept"), 0o600); err != nil {
		t.Fatal(err)
	}
	err := WriteFileAtomic(path, []byte("new"), 0o600)
	if err == nil {
		t.Fatal("a write over a folder succeeded")
	}
	t.Logf("over a folder: %v", err)
	if tmps := leftTemps(t, path); len(tmps) > 0 {
		t.Fatalf("a failed write left %v", tmps)
	}
	if got, err := os.ReadFile(inside); err != nil || string(got) != "kept" {
		t.Fatalf("the folder's file holds %q (%v)", got, err)
	}

	missingDir := filepath.Join(dir, "nowhere", "state.json")
	err = WriteFileAtomic(missingDir, []byte("new"), 0o600)
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("a write into a missing folder: %v, want an error wrapping fs.ErrNotExist", err)
	}
	if _, err := os.Stat(filepath.Dir(missingDir)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("the missing folder was created (%v)", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("the folder holds %d entries after the failed writes, want only the folder in the way", len(entries))
	}
}
