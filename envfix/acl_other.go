//go:build !unix && !windows

package envfix

import "os"

// extraAccess is empty where the system has no access lists Localguard knows.
type extraAccess struct{}

func extraAccessOf(*os.File) (extraAccess, error) { return extraAccess{}, nil }

func (extraAccess) apply(*os.File) error { return nil }
