//go:build !linux

package envfix

// exchange cannot swap two names atomically here; the caller checks the
// file just before it renames over it.
func exchange(string, string) (bool, error) { return false, nil }
