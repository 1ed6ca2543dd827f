//go:build !linux

package envfix

import "io/fs"

// heldOpen is false where the open files of other processes cannot be
// listed cheaply (Windows refuses to replace a file another program holds
// open, so its writes cannot go to a file that was replaced).
func heldOpen(fs.FileInfo) bool { return false }
