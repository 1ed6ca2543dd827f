package envfix

import (
	"fmt"
	"io/fs"
	"os"
)

// access is who may read and change a file: its permission bits, owner and,
// where the system has them, its extended attributes (a POSIX ACL, an
// SELinux label) or Windows access list. Every file Localguard writes in
// place of a .env, and every backup of one, is given the access of the .env
// it stands for, before any content is written into it, so that nobody can
// read the copy who could not read the original, not even for an instant.
type access struct {
	// mode holds the permission bits only: setuid, setgid and sticky are
	// never carried over, whatever the original had.
	mode  fs.FileMode
	owner owner
	extra extraAccess
}

// privateAccess is the access of a file Localguard creates where there was
// none: readable by its creator only.
func privateAccess() access { return access{mode: 0o600} }

// accessOf reads the access of the open file f, whose stat is info.
func accessOf(f *os.File, info fs.FileInfo) (access, error) {
	a := access{mode: info.Mode().Perm(), owner: ownerOf(info)}
	extra, err := extraAccessOf(f)
	if err != nil {
		return a, fmt.Errorf("reading who may access %s (%w)", f.Name(), err)
	}
	a.extra = extra
	return a, nil
}

// give gives the open file f this access: owner first, then the access
// list, then the permission bits (which on a file with a POSIX ACL set its
// mask, the same mask the original's group bits show).
func (a access) give(f *os.File, what string) error {
	if err := a.owner.apply(f); err != nil {
		return fmt.Errorf("cannot give %s its owner (%w): run Localguard as the user who owns the .env", what, err)
	}
	if err := a.extra.apply(f); err != nil {
		return fmt.Errorf("cannot give %s the .env's access list and labels (%w): the file system or your rights do not allow it, so Localguard changed nothing", what, err)
	}
	if err := f.Chmod(a.mode); err != nil {
		return fmt.Errorf("cannot set the permissions of %s (%w)", what, err)
	}
	return nil
}
