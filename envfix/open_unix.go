//go:build unix

package envfix

import (
	"errors"
	"os"
	"syscall"
)

// openNoFollow opens path for reading without following a link at path
// and without blocking on a FIFO: a link there is refused, and a FIFO is
// opened at once so that its type can be judged from the open file.
func openNoFollow(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NOFOLLOW|syscall.O_NONBLOCK|syscall.O_CLOEXEC, 0)
	if errors.Is(err, syscall.ELOOP) || errors.Is(err, syscall.EMLINK) {
		return nil, ErrNotRegular // O_NOFOLLOW met a link
	}
	if errors.Is(err, syscall.ENXIO) {
		return nil, ErrNotRegular // a socket, or a FIFO without a writer on some systems
	}
	return f, err
}
