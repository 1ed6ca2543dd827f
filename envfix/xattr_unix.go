//go:build linux || darwin

package envfix

import (
	"bytes"
	"errors"
	"os"
	"strings"

	"golang.org/x/sys/unix"
)

// extraAccess is a file's extended attributes, each name with its value.
// On Linux they include the POSIX ACL (system.posix_acl_access) and the
// SELinux label (security.selinux), so copying them copies who may read.
type extraAccess []xattr

type xattr struct {
	name  string
	value []byte
}

// extraAccessOf lists the extended attributes of f. A file system without
// them has none to keep.
func extraAccessOf(f *os.File) (extraAccess, error) {
	fd := int(f.Fd())
	names, err := xattrNames(fd)
	if err != nil {
		return nil, err
	}
	var out extraAccess
	for _, name := range names {
		v, err := xattrValue(fd, name)
		if errors.Is(err, errNoAttr) {
			continue // removed since listed
		}
		if err != nil {
			return nil, err
		}
		out = append(out, xattr{name, v})
	}
	return out, nil
}

// aclName is the extended attribute that holds a file's POSIX ACL.
const aclName = "system.posix_acl_access"

// apply sets each attribute on f, skipping those f already has with the
// same value (a new file's default SELinux label often is the original's).
// An ACL the new file inherited from its folder's default ACL, where the
// original has none, is removed: it could let in someone the original
// keeps out.
func (x extraAccess) apply(f *os.File) error {
	fd := int(f.Fd())
	if !x.has(aclName) {
		if _, err := xattrValue(fd, aclName); err == nil {
			if err := unix.Fremovexattr(fd, aclName); err != nil {
				return &os.PathError{Op: "removexattr " + aclName, Path: f.Name(), Err: err}
			}
		}
	}
	for _, a := range x {
		if cur, err := xattrValue(fd, a.name); err == nil && bytes.Equal(cur, a.value) {
			continue
		}
		if err := unix.Fsetxattr(fd, a.name, a.value, 0); err != nil {
			return &os.PathError{Op: "setxattr " + a.name, Path: f.Name(), Err: err}
		}
	}
	return nil
}

func xattrNames(fd int) ([]string, error) {
	for {
		n, err := unix.Flistxattr(fd, nil)
		if errors.Is(err, unix.ENOTSUP) {
			return nil, nil
		}
		if err != nil || n == 0 {
			return nil, err
		}
		buf := make([]byte, n)
		n, err = unix.Flistxattr(fd, buf)
		if errors.Is(err, unix.ERANGE) {
			continue // grew since sized
		}
		if err != nil {
			return nil, err
		}
		return strings.FieldsFunc(string(buf[:n]), func(r rune) bool { return r == 0 }), nil
	}
}

func xattrValue(fd int, name string) ([]byte, error) {
	for {
		n, err := unix.Fgetxattr(fd, name, nil)
		if err != nil {
			return nil, err
		}
		buf := make([]byte, n)
		n, err = unix.Fgetxattr(fd, name, buf)
		if errors.Is(err, unix.ERANGE) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
}

// has reports whether the attribute name is among x.
func (x extraAccess) has(name string) bool {
	for _, a := range x {
		if a.name == name {
			return true
		}
	}
	return false
}
