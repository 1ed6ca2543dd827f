//go:build wine

package proc

import _ "unsafe" // for go:linkname

// Wine 8 lacks the POSIX delete os.Remove tries first on Windows and answers
// "Invalid function" instead of "not supported", so every t.TempDir cleanup
// fails. Under Wine only (the wine tag, set by .ci/windows), the tests use
// the standard library's own fallback, meant for older Windows.
//
//go:linkname deleteatFallback internal/syscall/windows.TestDeleteatFallback
var deleteatFallback bool

func init() { deleteatFallback = true }
