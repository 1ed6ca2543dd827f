package envfix

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// ErrBusy means another Localguard is changing the file right now.
var ErrBusy = errors.New("another Localguard is changing the file")

// LockWait is how long a writer waits for another Localguard's change of the
// same .env to finish before it gives up and says so.
var LockWait = 5 * time.Second

// Lock is the exclusive right to change one .env, held across Localguard's
// processes (the window, and any number of command lines): fixes, finding
// fixes and undos of one file are carried out one at a time, each on the
// file the previous one left.
//
// On Unix it is an flock(2) on the folder that holds the .env, so no file
// is added next to it; on Windows, where a folder cannot be locked, it is a
// LockFileEx lock on an empty "<.env>.localguard-lock" file kept beside it.
// The lock is released when the process ends, however it ends.
type Lock struct {
	// Target is the .env the lock is for, links followed.
	Target string
	h      lockHandle
}

// LockEnv takes the lock for the .env at path (links followed), waiting up
// to LockWait for another Localguard to finish.
func LockEnv(path string) (*Lock, error) {
	target := resolveTarget(path)
	deadline := time.Now().Add(LockWait)
	for {
		h, err := tryLock(target)
		if err == nil {
			return &Lock{Target: target, h: h}, nil
		}
		if !errors.Is(err, ErrBusy) {
			return nil, fmt.Errorf("cannot lock %s against other Localguard windows and commands (%w): check that its folder is readable", path, err)
		}
		if time.Now().After(deadline) {
			return nil, fmt.Errorf("another Localguard is changing %s right now: try again in a moment: %w", path, ErrBusy)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Unlock releases the lock.
func (l *Lock) Unlock() {
	if l != nil && l.h != nil {
		l.h.release()
		l.h = nil
	}
}

// covers reports whether the lock is for the file at target.
func (l *Lock) covers(target string) error {
	if l == nil || l.h == nil {
		return errors.New("the .env is not locked: this is a bug in Localguard")
	}
	if l.Target != target && l.Target != resolveTarget(target) {
		return fmt.Errorf("the lock is for %s, not %s: this is a bug in Localguard", l.Target, target)
	}
	return nil
}

// resolveTarget is the file a path names: links followed when it exists,
// made absolute otherwise, as Load names File.Target.
func resolveTarget(path string) string {
	if t, err := filepath.EvalSymlinks(path); err == nil {
		if abs, err := filepath.Abs(t); err == nil {
			return abs
		}
		return t
	}
	if abs, err := filepath.Abs(path); err == nil {
		return abs
	}
	return path
}

// lockHandle is a held lock, released by release.
type lockHandle interface{ release() }

// fileHandle releases a lock by closing the file it is on.
type fileHandle struct{ f *os.File }

func (h fileHandle) release() { h.f.Close() }
