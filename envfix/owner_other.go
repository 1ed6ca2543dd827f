//go:build !unix

package envfix

import (
	"io/fs"
	"os"
)

// owner is a no-op where files have no Unix owner to keep; Windows keeps
// the folder's inherited access rules on the renamed file.
type owner struct{}

func ownerOf(fs.FileInfo) owner { return owner{} }

func (owner) apply(*os.File) error { return nil }

// syncDir is not possible on Windows; the rename itself is atomic there.
func syncDir(string) error { return nil }
