package ui

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"localguard/netcheck"
)

// TestSettingsShowVersion: the settings show the line `localguard
// --version` prints (main sets Version).
func TestSettingsShowVersion(t *testing.T) {
	isolate(t)
	old := Version
	Version = "localguard 9.8.7 (abcdef123456, 2026-12-06)"
	t.Cleanup(func() { Version = old })
	h := newHarness(t, install(t, "HOST=127.0.0.1\n"))
	h.status(netcheck.StatusSafe)
	test.Tap(h.u.settingsBtn)
	top := h.u.win.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no settings dialog")
	}
	for _, o := range test.LaidOutObjects(top) {
		if l, ok := o.(*widget.Label); ok && l.Text == Version {
			return
		}
	}
	t.Errorf("the settings do not show %q", Version)
}
