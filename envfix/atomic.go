package envfix

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// WriteFileAtomic writes data to path so that a reader sees either the old
// file whole or the new one whole, never a part: the bytes go into a new
// temporary file in path's folder (".<name>.localguard-*.tmp"), which is
// given exactly the permission bits perm (on Linux an access list it would
// inherit from the folder is removed), then filled, synced to disk and
// closed; it is then renamed over path, and the folder is synced where the
// system allows. On Windows, where a rename over a file another program
// holds open for a moment (a virus scanner, another Localguard reading it)
// is refused, the rename is tried again for up to half a second. When the
// write fails, the temporary file is removed and path is left as it was
// (only a folder that cannot be synced after the rename returns an error
// with the new file in place, and says so). The folder must exist: it is
// not created. A link at path is replaced, not followed.
//
// It is the one atomic writer Localguard's own files (the trust store, the
// autostart entry) and the .env's backups and undo records share. The .env
// itself is put in place by Lock.Apply, which keeps its owner and access
// list and refuses when another program changed it meanwhile; where it
// renames, it uses the same rename with the Windows retry.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode) error {
	return writeAtomic(path, data, access{mode: perm.Perm()}, path)
}

// writeAtomic is WriteFileAtomic giving the file the access a (owner,
// access list, permission bits) before any byte is written into it; what
// names the file in errors.
func writeAtomic(path string, data []byte, a access, what string) error {
	tmp, err := stage(path, data, a, what)
	if err != nil {
		return err
	}
	return place(tmp, path)
}

// place renames the staged file tmp over dest and makes the rename
// durable; on failure tmp is removed and dest is left as it was. A folder
// that cannot be synced is an error here (unlike settle): a backup that
// might not survive a crash must not let a fix go ahead.
func place(tmp, dest string) error {
	if err := renameOver(tmp, dest); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("cannot write %s (%w): check that the folder is writable", dest, err)
	}
	if err := syncDir(filepath.Dir(dest)); err != nil {
		return fmt.Errorf("wrote %s but cannot flush its folder to disk (%w): check the disk", dest, err)
	}
	return nil
}

// renameRetry is how long a rename refused because another program holds
// the target open is tried again (Windows only; see renameBusy).
var renameRetry = 500 * time.Millisecond

// renameOver renames from over to. Windows refuses to replace a file that
// another program has open for a moment (the command line's check, a
// virus scanner): it is tried again for up to renameRetry.
func renameOver(from, to string) error {
	err := os.Rename(from, to)
	deadline := time.Now().Add(renameRetry)
	for err != nil && renameBusy(err) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		err = os.Rename(from, to)
	}
	return err
}

// ReadFile reads path as os.ReadFile does. On Windows, a read refused
// because another program holds the file at that moment (WriteFileAtomic's
// rename of it, a virus scanner: a sharing or lock violation) is tried
// again for up to renameRetry, as the rename itself is.
func ReadFile(path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	deadline := time.Now().Add(renameRetry)
	for err != nil && readBusy(err) && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		b, err = os.ReadFile(path)
	}
	return b, err
}
