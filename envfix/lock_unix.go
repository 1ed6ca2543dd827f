//go:build unix

package envfix

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
)

// tryLock takes an flock on the folder of target without waiting; the
// error wraps ErrBusy when another process holds it. flock locks belong to
// the open file, so two goroutines of one process exclude each other too.
func tryLock(target string) (lockHandle, error) {
	dir, err := os.OpenFile(filepath.Dir(target), os.O_RDONLY|syscall.O_DIRECTORY|syscall.O_CLOEXEC, 0)
	if err != nil {
		return nil, err
	}
	for {
		err = syscall.Flock(int(dir.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if !errors.Is(err, syscall.EINTR) {
			break
		}
	}
	if err != nil {
		dir.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, ErrBusy
		}
		return nil, err
	}
	return fileHandle{dir}, nil
}
