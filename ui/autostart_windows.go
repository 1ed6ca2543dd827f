//go:build windows

package ui

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// runKey is the current user's Run key: what it names starts at login.
const runKey = `Software\Microsoft\Windows\CurrentVersion\Run`

// runValue is Localguard's value under the Run key.
const runValue = "Localguard"

func enableAutostart() error {
	exe, err := executable()
	if err != nil {
		return err
	}
	k, _, err := registry.CreateKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf("opening HKCU\\%s: %w", runKey, err)
	}
	defer k.Close()
	if err := k.SetStringValue(runValue, `"`+exe+`" `+hiddenFlag); err != nil {
		return fmt.Errorf("writing HKCU\\%s\\%s: %w", runKey, runValue, err)
	}
	return nil
}

func disableAutostart() error {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.SET_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("opening HKCU\\%s: %w", runKey, err)
	}
	defer k.Close()
	if err := k.DeleteValue(runValue); err != nil && !errors.Is(err, registry.ErrNotExist) {
		return fmt.Errorf("removing HKCU\\%s\\%s: %w", runKey, runValue, err)
	}
	return nil
}

func autostartEnabled() bool {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		return false
	}
	defer k.Close()
	_, _, err = k.GetStringValue(runValue)
	return err == nil
}
