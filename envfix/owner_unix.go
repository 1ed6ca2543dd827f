//go:build unix

package envfix

import (
	"io/fs"
	"os"
	"syscall"
)

// owner is a file's user and group, kept across a rewrite.
type owner struct {
	uid, gid int
	known    bool
}

func ownerOf(info fs.FileInfo) owner {
	if st, ok := info.Sys().(*syscall.Stat_t); ok {
		return owner{uid: int(st.Uid), gid: int(st.Gid), known: true}
	}
	return owner{}
}

// apply gives f the owner, when it is not already the creator's.
func (o owner) apply(f *os.File) error {
	if !o.known {
		return nil
	}
	info, err := f.Stat()
	if err != nil {
		return err
	}
	if cur := ownerOf(info); cur == o {
		return nil
	}
	return f.Chown(o.uid, o.gid)
}

// syncDir makes a rename in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
