//go:build !linux

package netcheck

func newSystem() system { return &gopsutilSystem{} }
