//go:build !windows && !linux

package netcheck

// networkProfiles: no network profiles outside Windows.
func networkProfiles() map[string]NetworkProfile { return nil }
