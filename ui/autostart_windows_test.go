package ui

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"
)

var procRegOverridePredefKey = windows.NewLazySystemDLL("advapi32.dll").NewProc("RegOverridePredefKey")

// isolateHKCU points HKEY_CURRENT_USER, for this process only, at a fresh
// key of its own (RegOverridePredefKey), so that the test never touches the
// user's real Run key; it is put back and removed at the end.
func isolateHKCU(t *testing.T) {
	t.Helper()
	path := fmt.Sprintf(`Software\LocalguardTest\%d`, os.Getpid())
	k, _, err := registry.CreateKey(registry.CURRENT_USER, path, registry.ALL_ACCESS)
	if err != nil {
		t.Fatal(err)
	}
	if r, _, err := procRegOverridePredefKey.Call(uintptr(registry.CURRENT_USER), uintptr(k)); r != 0 {
		k.Close()
		t.Fatalf("RegOverridePredefKey: %v (%d)", err, r)
	}
	t.Cleanup(func() {
		procRegOverridePredefKey.Call(uintptr(registry.CURRENT_USER), 0)
		k.Close()
		for _, p := range []string{path + `\` + runKey, path + `\Software\Microsoft\Windows\CurrentVersion`, path + `\Software\Microsoft\Windows`, path + `\Software\Microsoft`, path + `\Software`, path, `Software\LocalguardTest`} {
			registry.DeleteKey(registry.CURRENT_USER, p) // the last only when empty
		}
	})
}

// realRunValue reads Localguard's value in the real HKCU Run key.
func realRunValue() string {
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		return "<no Run key>"
	}
	defer k.Close()
	v, _, err := k.GetStringValue(runValue)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return v
}

// TestAutostartRunKey writes, reads and removes Localguard's value under
// HKCU\Software\Microsoft\Windows\CurrentVersion\Run, in a registry
// (Wine's, in CI) whose HKCU is redirected to a test key.
func TestAutostartRunKey(t *testing.T) {
	before := realRunValue()
	isolateHKCU(t)
	if autostartEnabled() {
		t.Fatal("enabled before anything was written")
	}
	if err := disableAutostart(); err != nil {
		t.Errorf("disabling with no Run key: %v", err)
	}
	if err := enableAutostart(); err != nil {
		t.Fatal(err)
	}
	k, err := registry.OpenKey(registry.CURRENT_USER, runKey, registry.QUERY_VALUE)
	if err != nil {
		t.Fatal(err)
	}
	v, typ, err := k.GetStringValue(runValue)
	k.Close()
	exe, _ := executable()
	if err != nil || typ != registry.SZ || v != `"`+exe+`" `+hiddenFlag {
		t.Errorf("Run value %q (type %d, %v), want the quoted program %q, started hidden", v, typ, err, exe)
	}
	if !autostartEnabled() {
		t.Error("not enabled after writing")
	}
	if err := disableAutostart(); err != nil {
		t.Fatal(err)
	}
	if autostartEnabled() {
		t.Error("still enabled after removing")
	}
	if err := disableAutostart(); err != nil {
		t.Errorf("removing twice: %v", err)
	}

	if err := enableAutostart(); err != nil {
		t.Fatal(err)
	}
	// The real HKCU is untouched: the redirect held.
	procRegOverridePredefKey.Call(uintptr(registry.CURRENT_USER), 0)
	if now := realRunValue(); now != before {
		t.Errorf("the real Run key changed: %q, was %q", now, before)
	}
}
