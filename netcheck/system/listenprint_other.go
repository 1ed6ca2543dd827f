//go:build !linux

package system

// ListenFingerprint gives nothing elsewhere than Linux: listing the
// listening sockets there costs as much as a check (the whole table with
// its owners), so the full checks, every interval, see such changes.
func ListenFingerprint() (fp uint64, ok bool) { return 0, false }
