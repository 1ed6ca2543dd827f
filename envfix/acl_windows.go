//go:build windows

package envfix

import (
	"os"

	"golang.org/x/sys/windows"
)

// extraAccess is the file's discretionary access list (DACL): on Windows
// it, not the permission bits, says who may read the file. A new file would
// otherwise take its folder's inherited list, which may be wider.
type extraAccess struct {
	sd *windows.SECURITY_DESCRIPTOR
}

// extraAccessOf reads f's access list.
func extraAccessOf(f *os.File) (extraAccess, error) {
	sd, err := windows.GetSecurityInfo(windows.Handle(f.Fd()), windows.SE_FILE_OBJECT, windows.DACL_SECURITY_INFORMATION)
	if err != nil {
		return extraAccess{}, err
	}
	return extraAccess{sd: sd}, nil
}

// apply gives f the access list, protected from inheritance so that it is
// exactly the original's.
func (x extraAccess) apply(f *os.File) error {
	if x.sd == nil {
		return nil
	}
	dacl, _, err := x.sd.DACL()
	if err != nil || dacl == nil {
		return err
	}
	// By name: the handle os.CreateTemp opens lacks the WRITE_DAC right.
	return windows.SetNamedSecurityInfo(f.Name(), windows.SE_FILE_OBJECT,
		windows.DACL_SECURITY_INFORMATION|windows.PROTECTED_DACL_SECURITY_INFORMATION, nil, nil, dacl, nil)
}
