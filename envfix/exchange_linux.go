//go:build linux

package envfix

import (
	"errors"

	"golang.org/x/sys/unix"
)

// exchange swaps the files named a and b in one atomic step. swapped is
// false, with no error, where the file system cannot (then the caller
// renames).
func exchange(a, b string) (swapped bool, err error) {
	err = unix.Renameat2(unix.AT_FDCWD, a, unix.AT_FDCWD, b, unix.RENAME_EXCHANGE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) || errors.Is(err, unix.ENOTSUP) {
		return false, nil
	}
	return err == nil, err
}
