//go:build windows

package envfix

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/windows"
)

// TestWriteFileAtomicWaitsForReader: Windows refuses to rename over a file
// another program holds open (Go's os.Open shares no delete right). A
// reader that lets go within the retry is waited for; one that holds on
// longer makes the write fail, with the old file whole and no temporary
// file left.
func TestWriteFileAtomicWaitsForReader(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := WriteFileAtomic(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	reader, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	// The rename must really be refused while the reader holds the file,
	// or this test would prove nothing.
	renameRetry = 0
	err = WriteFileAtomic(path, []byte("never"), 0o600)
	renameRetry = 500 * time.Millisecond
	if err == nil {
		reader.Close()
		t.Fatal("a rename over a file held open succeeded: this system does not refuse it, nothing to retry")
	}
	t.Logf("held open, no retry: %v", err)

	time.AfterFunc(150*time.Millisecond, func() { reader.Close() })
	if err := WriteFileAtomic(path, []byte("new"), 0o600); err != nil {
		t.Fatalf("a reader that let go after 150 ms was not waited for: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Fatalf("the file holds %q, want new", got)
	}

	holder, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if err := WriteFileAtomic(path, []byte("late"), 0o600); err == nil {
		t.Fatal("a write over a file held open past the retry succeeded")
	}
	if got, _ := os.ReadFile(path); string(got) != "new" {
		t.Fatalf("after a refused write the file holds %q, want new", got)
	}
	if tmps := leftTemps(t, path); len(tmps) > 0 {
		t.Fatalf("a refused write left %v", tmps)
	}
}

// TestReadFileWaitsForHolder: a file another program holds with no
// sharing (as for a moment while it is replaced) refuses to be read;
// ReadFile waits for it to be let go, within the retry.
func TestReadFileWaitsForHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	if err := WriteFileAtomic(path, []byte("kept"), 0o600); err != nil {
		t.Fatal(err)
	}
	name, _ := windows.UTF16PtrFromString(path)
	h, err := windows.CreateFile(name, windows.GENERIC_READ, 0, nil, windows.OPEN_EXISTING, windows.FILE_ATTRIBUTE_NORMAL, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.ReadFile(path); err == nil || !readBusy(err) {
		windows.CloseHandle(h)
		t.Fatalf("a file held with no sharing could be read, or failed otherwise (%v): nothing to retry", err)
	}
	time.AfterFunc(150*time.Millisecond, func() { windows.CloseHandle(h) })
	if got, err := ReadFile(path); err != nil || string(got) != "kept" {
		t.Fatalf("ReadFile after the holder let go at 150 ms: %q, %v", got, err)
	}
}
