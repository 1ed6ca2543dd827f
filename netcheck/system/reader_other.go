//go:build !linux

package system

func newSystem() Reader { return Gopsutil() }
