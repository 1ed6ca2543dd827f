//go:build !linux && !windows

package system

func readLinks() map[string]Link { return nil }
