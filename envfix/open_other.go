//go:build !unix

package envfix

import (
	"io/fs"
	"os"
)

// openNoFollow opens path for reading, refusing a link (a reparse point)
// at path. Windows has no FIFOs in the file system, so opening cannot
// block; the opened file's type is judged by the caller.
func openNoFollow(path string) (*os.File, error) {
	info, err := os.Lstat(path)
	if err != nil {
		return nil, err
	}
	if info.Mode()&(fs.ModeSymlink|fs.ModeIrregular) != 0 {
		return nil, ErrNotRegular
	}
	return os.Open(path)
}
