//go:build windows

package envfix

import (
	"errors"
	"io/fs"

	"golang.org/x/sys/windows"
)

// renameBusy reports whether a rename failed because another program has
// the target (or the temporary file) open: Windows says "access denied"
// when it was opened without FILE_SHARE_DELETE, as Go's os.Open does, and
// "sharing violation" or "lock violation" for other programs' opens.
func renameBusy(err error) bool {
	return errors.Is(err, fs.ErrPermission) ||
		errors.Is(err, windows.ERROR_SHARING_VIOLATION) ||
		errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}

// readBusy reports whether a read failed because another program held the
// file for a moment (not for want of permission, which lasts).
func readBusy(err error) bool {
	return errors.Is(err, windows.ERROR_SHARING_VIOLATION) ||
		errors.Is(err, windows.ERROR_LOCK_VIOLATION)
}
