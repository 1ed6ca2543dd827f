package envfix

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// crashPoint is called between the steps of a write. It does nothing in
// Localguard; the crash-safety test makes it kill the process at each step.
var crashPoint = func(step string) {}

// The steps crashPoint is called at.
const (
	stepTempWritten   = "temp-written"   // temp file complete and synced, not renamed
	stepRenamed       = "renamed"        // renamed over the target, folder not yet synced
	stepBackupWritten = "backup-written" // backup and undo record on disk, .env untouched
)

// writeAtomic replaces path with data so that a crash at any moment leaves
// either the old file or the new one, never a mix: a temporary file in the
// same folder, written, given the mode and owner, synced, renamed over the
// target, and the folder synced.
func writeAtomic(path string, data []byte, mode fs.FileMode, own owner) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, "."+base+".localguard-*.tmp")
	if err != nil {
		return fmt.Errorf("cannot write in %s (%w): check that the folder is writable", dir, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return fmt.Errorf("cannot write %s (%w): check the free disk space", tmp.Name(), err)
	}
	if err = tmp.Chmod(mode); err != nil {
		return fmt.Errorf("cannot set the permissions of %s (%w)", tmp.Name(), err)
	}
	if err = own.apply(tmp); err != nil {
		return fmt.Errorf("cannot give %s its owner back (%w): run Localguard as the user who owns it", path, err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("cannot flush %s to disk (%w)", tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("cannot close %s (%w)", tmp.Name(), err)
	}
	crashPoint(stepTempWritten)
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("cannot replace %s (%w): check that the folder is writable", path, err)
	}
	crashPoint(stepRenamed)
	return syncDir(dir)
}

// removeStaleTemps removes temporary files an interrupted write of path
// left behind.
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
