package envfix

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// crashPoint is called between the steps of a write. It does nothing in
// Localguard; the crash-safety test makes it kill the process at each step.
var crashPoint = func(step string) {}

// The steps crashPoint is called at.
const (
	stepTempWritten   = "temp-written"   // temp file complete and synced, not renamed
	stepRenamed       = "renamed"        // renamed over the target, folder not yet synced
	stepBackupWritten = "backup-written" // backup and undo record on disk, .env untouched
	stepAccessGiven   = "access-given"   // a temp file has its access, and no content yet
)

// snapshot is a file as a write found it: whether it exists, its bytes,
// and its identity (device and inode, size, modification time, mode and
// owner). A replace goes ahead only while the file is still exactly this.
type snapshot struct {
	path    string
	exists  bool
	content []byte
	info    fs.FileInfo
}

// takeSnapshot reads the file at path (links not followed).
func takeSnapshot(path string) (snapshot, error) {
	s := snapshot{path: path}
	content, info, err := readRegular(path, MaxFileSize)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	s.exists, s.content, s.info = true, content, info
	return s, nil
}

// still reports whether the file at path is still exactly s: same
// existence, same bytes, same identity.
func (s snapshot) still(path string) bool {
	now, err := takeSnapshot(path)
	if err != nil || now.exists != s.exists {
		return false
	}
	if !s.exists {
		return true
	}
	return sameIdentity(s.info, now.info) && bytes.Equal(s.content, now.content)
}

// sameIdentity compares what the file system says of two looks at a file:
// the same file (device and inode), size, modification time, permission
// bits and owner.
func sameIdentity(a, b fs.FileInfo) bool {
	return a != nil && b != nil && os.SameFile(a, b) && a.Size() == b.Size() &&
		a.ModTime().Equal(b.ModTime()) && a.Mode() == b.Mode() && ownerOf(a) == ownerOf(b)
}

// errChangedWhileWriting is the sentence for a file another program
// changed while Localguard was writing it.
func errChangedWhileWriting(path string) error {
	return fmt.Errorf("%s was changed by another program while Localguard was writing it, so Localguard wrote nothing and kept that change: check it again: %w", path, ErrChanged)
}

// stage writes data into a new temporary file beside path and returns its
// name. The file is created private to Localguard's user, then given the
// access a (owner, access list, labels, permission bits), and only then
// filled, synced and closed: at no instant can anyone read the bytes who
// could not read the file a stands for.
func stage(path string, data []byte, a access, what string) (tmp string, err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".localguard-*.tmp")
	if err != nil {
		return "", fmt.Errorf("cannot write in %s (%w): check that the folder is writable", dir, err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	if err = a.give(f, what); err != nil {
		return "", err
	}
	crashPoint(stepAccessGiven)
	if _, err = f.Write(data); err != nil {
		return "", fmt.Errorf("cannot write %s (%w): check the free disk space", f.Name(), err)
	}
	if err = f.Sync(); err != nil {
		return "", fmt.Errorf("cannot flush %s to disk (%w)", f.Name(), err)
	}
	if err = f.Close(); err != nil {
		return "", fmt.Errorf("cannot close %s (%w)", f.Name(), err)
	}
	return f.Name(), nil
}

// swapSettle is how long the old file is watched after the swap: a program
// that opened it just before the swap and writes a moment later is then
// seen, and its write is not lost with the old file.
var swapSettle = 50 * time.Millisecond

// heldWait is how long, after the swap, Localguard waits for the programs
// that have the old file open to close it.
var heldWait = time.Second

// stillHeld reports whether a program still has the file at path open
// after waiting up to heldWait for every one to close it.
func stillHeld(path string) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	deadline := time.Now().Add(heldWait)
	for heldOpen(fi) {
		if time.Now().After(deadline) {
			return true
		}
		time.Sleep(10 * time.Millisecond)
	}
	return false
}

// replace puts the staged file tmp in the place of target, provided target
// is still exactly want; otherwise it writes nothing, removes tmp and says
// that the file changed. Where the system can swap two names atomically
// (Linux), the old file is swapped out, watched a moment longer, and
// swapped back if anything wrote to it, so that an edit saved at the last
// instant is never lost.
func replace(tmp, target string, want snapshot) error {
	if !want.exists {
		return create(tmp, target)
	}
	staged, err := takeSnapshot(tmp)
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot read back %s (%w): check the disk", tmp, err)
	}
	if !want.still(target) {
		os.Remove(tmp)
		return errChangedWhileWriting(target)
	}
	crashPoint(stepTempWritten)
	swapped, err := exchange(tmp, target)
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot replace %s (%w): check that the folder is writable", target, err)
	}
	if !swapped {
		if err := renameOver(tmp, target); err != nil {
			os.Remove(tmp)
			return fmt.Errorf("cannot replace %s (%w): check that the folder is writable", target, err)
		}
		crashPoint(stepRenamed)
		settle(target)
		return nil
	}
	crashPoint(stepRenamed)
	// tmp now names the old file.
	if done, err := settleSwap(tmp, target, want); done {
		return err
	}
	// Someone wrote to the old file after the check: put it back.
	if _, err := exchange(tmp, target); err != nil {
		return fmt.Errorf("%s was changed by another program while Localguard was writing it; its changed version is kept as %s (%v): move it back by hand: %w", target, tmp, err, ErrChanged)
	}
	// A program that opened Localguard's version while it was in place
	// may still be writing to it: it is looked at once they are done.
	stillHeld(tmp)
	if !staged.still(tmp) {
		// And someone wrote to Localguard's version while it was in place.
		kept := fmt.Sprintf("%s.localguard-conflict-%d", target, time.Now().Unix())
		if err := os.Rename(tmp, kept); err != nil {
			kept = tmp
		}
		return fmt.Errorf("%s was changed by two programs while Localguard was writing it: Localguard put the first change back and kept the other as %s: compare them by hand: %w", target, kept, ErrChanged)
	}
	os.Remove(tmp)
	return errChangedWhileWriting(target)
}

// create puts the staged file tmp at target, which must not exist: a
// hard link fails rather than replace a file another program created
// meanwhile. Where links are not possible, a last look and a rename do.
func create(tmp, target string) error {
	defer os.Remove(tmp)
	crashPoint(stepTempWritten)
	err := os.Link(tmp, target)
	if errors.Is(err, fs.ErrExist) {
		return errChangedWhileWriting(target)
	}
	if err != nil {
		if _, err := os.Lstat(target); !errors.Is(err, fs.ErrNotExist) {
			return errChangedWhileWriting(target)
		}
		if err := os.Rename(tmp, target); err != nil {
			return fmt.Errorf("cannot create %s (%w): check that the folder is writable", target, err)
		}
	}
	crashPoint(stepRenamed)
	settle(target)
	return nil
}

// settle makes the change of target's folder durable where it can. The
// change is made by then: a folder that cannot be synced (some network
// file systems) must not make the caller believe it was not, and throw
// away the backup of a fix that happened.
func settle(target string) { syncDir(filepath.Dir(target)) }

// removeStaleTemps removes temporary files an interrupted write of path
// left behind. It runs under the lock, so no other Localguard is using
// them.
func removeStaleTemps(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	matches, _ := filepath.Glob(filepath.Join(dir, "."+escapeGlob(base)+".localguard-*.tmp"))
	for _, m := range matches {
		os.Remove(m)
	}
}

func escapeGlob(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch r {
		case '*', '?', '[', '\\':
			out = append(out, '\\')
		}
		out = append(out, r)
	}
	return string(out)
}

// settleSwap watches the old file (now at tmp) after the swap: unchanged
// and closed by every program, it is removed and the fix is done;
// unchanged but still open in a program that may write to it yet, it is
// put back and the fix refused. done is false when it changed (the caller
// puts it back).
func settleSwap(tmp, target string, want snapshot) (done bool, err error) {
	if !want.still(tmp) {
		return false, nil
	}
	time.Sleep(swapSettle)
	held := stillHeld(tmp)
	if !want.still(tmp) {
		return false, nil
	}
	if !held {
		os.Remove(tmp)
		settle(target)
		return true, nil
	}
	if _, err := exchange(tmp, target); err != nil {
		return true, fmt.Errorf("%s is open in another program that may still write to it, and Localguard could not put it back (%v): its version is kept as %s: move it back by hand: %w", target, err, tmp, ErrChanged)
	}
	os.Remove(tmp)
	return true, fmt.Errorf("%s is open in another program that may still write to it: Localguard changed nothing; close it there and fix again: %w", target, ErrChanged)
}
