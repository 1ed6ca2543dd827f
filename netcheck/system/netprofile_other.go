//go:build !windows && !linux

package system

// networkProfiles: no network profiles outside Windows.
func networkProfiles() map[string]NetworkProfile { return nil }

// linkType: the hardware of an interface is not read here.
func linkType(string) string { return "" }
