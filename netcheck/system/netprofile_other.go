//go:build !windows && !linux

package system

// networkProfiles: no network profiles outside Windows.
func networkProfiles() map[string]NetworkProfile { return nil }
