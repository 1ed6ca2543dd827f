package ui

import (
	"fmt"
	"fyne.io/fyne/v2"
	"os"
	"strings"
	"testing"

	"fyne.io/fyne/v2/test"

	"localguard/netcheck"
	"localguard/testdata/listener"
)

// TestFixAndUndo taps the one button on a temporary install whose .env
// puts FlowMeter on every interface, applies the preview, and undoes it.
func TestFixAndUndo(t *testing.T) {
	isolate(t)
	port := listener.FreePort(t)
	original := fmt.Sprintf("# FlowMeter settings\r\nDEBUG=false\r\nHOST=0.0.0.0   # every interface\r\nPORT=%d\r\n", port)
	env := install(t, original)
	h := newHarness(t, env)
	h.status(netcheck.StatusAtRisk)
	if h.u.action.Hidden || h.u.action.Text != labelMakeLocal {
		t.Fatalf("at risk, the one button should read %q and show; it reads %q (hidden %v)", labelMakeLocal, h.u.action.Text, h.u.action.Hidden)
	}
	if h.u.installPath.Full() != env {
		t.Errorf("the install path shown is %q, want %q", h.u.installPath.Full(), env)
	}

	test.Tap(h.u.action)
	h.until("the preview", func() bool { return h.u.preview != nil })
	diff := h.u.preview.diff.String()
	for _, want := range []string{"-   3  HOST=0.0.0.0   # every interface", "+   3  HOST=127.0.0.1   # every interface"} {
		if !strings.Contains(diff, want) {
			t.Errorf("the preview's diff lacks %q:\n%s", want, diff)
		}
	}
	if readFile(t, env) != original {
		t.Fatal("the preview changed the file before Apply")
	}
	test.Tap(h.u.preview.apply)
	h.until("the fix to be applied", func() bool { return h.u.fixed })
	h.status(netcheck.StatusSafe)
	want := strings.Replace(original, "HOST=0.0.0.0", "HOST=127.0.0.1", 1)
	if got := readFile(t, env); got != want {
		t.Errorf("after Apply the file is %q, want %q", got, want)
	}
	if h.u.undo.Hidden {
		t.Error("Undo is not offered after the fix")
	}
	if !strings.Contains(h.u.notice.Text, "beside it, as .env.localguard-backup-1") {
		t.Errorf("the window does not say where the backup is: %q", h.u.notice.Text)
	}
	if _, err := os.Stat(env + ".localguard-backup-1"); err != nil {
		t.Errorf("no backup where the preview said: %v", err)
	}

	test.Tap(h.u.undo)
	if h.u.undoAsk == nil {
		t.Fatal("Undo did not ask first")
	}
	h.u.undoAsk.Confirm()
	h.until("the undo", func() bool { return !h.u.fixed })
	h.status(netcheck.StatusAtRisk)
	if got := readFile(t, env); got != original {
		t.Errorf("Undo left %q, want the exact original %q", got, original)
	}
	if !h.u.undo.Hidden {
		t.Error("Undo is still offered after undoing")
	}
}

// TestFindingFix fixes a finding through the same preview.
func TestFindingFix(t *testing.T) {
	isolate(t)
	env := install(t, fmt.Sprintf("HOST=127.0.0.1\nPORT=%d\nDEBUG=true\n", listener.FreePort(t)))
	h := newHarness(t, env)
	h.status(netcheck.StatusSafe)
	b := h.u.findingFix["DEBUG"]
	if b == nil {
		t.Fatalf("no fix button for the DEBUG finding; findings: %+v", h.u.verdict.Findings)
	}
	test.Tap(b)
	h.until("the preview", func() bool { return h.u.preview != nil })
	test.Tap(h.u.preview.apply)
	h.until("the finding to be fixed", func() bool { return h.u.fixed && len(h.u.verdict.Findings) == 0 })
	if got := readFile(t, env); strings.Contains(got, "DEBUG=true") {
		t.Errorf("DEBUG is still true: %q", got)
	}
}

// TestPreviewCancel leaves the file as it was.
func TestPreviewCancel(t *testing.T) {
	isolate(t)
	original := fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", listener.FreePort(t))
	env := install(t, original)
	h := newHarness(t, env)
	h.status(netcheck.StatusAtRisk)
	test.Tap(h.u.action)
	h.until("the preview", func() bool { return h.u.preview != nil })
	test.Tap(h.u.preview.cancel)
	if h.u.preview != nil {
		t.Error("the preview is still open after Cancel")
	}
	if got := readFile(t, env); got != original || h.u.fixed {
		t.Errorf("Cancel changed the file to %q (fixed %v)", got, h.u.fixed)
	}
}

// TestDialogKeys: Esc cancels the preview and changes nothing; Enter
// confirms it, as Apply does.
func TestDialogKeys(t *testing.T) {
	isolate(t)
	original := fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", listener.FreePort(t))
	env := install(t, original)
	h := newHarness(t, env)
	h.status(netcheck.StatusAtRisk)
	key := func(name fyne.KeyName) {
		h.u.win.Canvas().OnTypedKey()(&fyne.KeyEvent{Name: name})
	}
	test.Tap(h.u.action)
	h.until("the preview", func() bool { return h.u.preview != nil })
	key(fyne.KeyEscape)
	if h.u.preview != nil {
		t.Error("the preview is still open after Esc")
	}
	if got := readFile(t, env); got != original {
		t.Errorf("Esc changed the file to %q", got)
	}
	test.Tap(h.u.action)
	h.until("the preview again", func() bool { return h.u.preview != nil })
	key(fyne.KeyReturn)
	h.until("the fix applied by Enter", func() bool { return h.u.fixed })
	if got := readFile(t, env); got == original {
		t.Error("Enter did not apply the fix")
	}
}

// TestUndoAsks: Undo asks once, with the consequence; "Keep the fix"
// changes nothing.
func TestUndoAsks(t *testing.T) {
	isolate(t)
	original := fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", listener.FreePort(t))
	env := install(t, original)
	h := newHarness(t, env)
	h.status(netcheck.StatusAtRisk)
	test.Tap(h.u.action)
	h.until("the preview", func() bool { return h.u.preview != nil })
	test.Tap(h.u.preview.apply)
	h.until("the fix", func() bool { return h.u.fixed })
	fixed := readFile(t, env)
	test.Tap(h.u.undo)
	if h.u.undoAsk == nil {
		t.Fatal("Undo did not ask")
	}
	h.u.undoAsk.Dismiss()
	if got := readFile(t, env); got != fixed {
		t.Errorf("Keep the fix changed the file to %q", got)
	}
}

// TestUndoStepsBack: after a finding fix and the HOST fix, Undo puts back
// the file before the HOST fix and stays offered; a second Undo gives the
// exact original, and Undo goes away.
func TestUndoStepsBack(t *testing.T) {
	isolate(t)
	original := fmt.Sprintf("DEBUG=true\nHOST=0.0.0.0\nPORT=%d\n", listener.FreePort(t))
	env := install(t, original)
	h := newHarness(t, env)
	h.status(netcheck.StatusAtRisk)
	test.Tap(h.u.findingFix["DEBUG"])
	h.until("the finding's preview", func() bool { return h.u.preview != nil })
	test.Tap(h.u.preview.apply)
	h.until("the finding fixed", func() bool { return h.u.preview == nil && len(h.u.verdict.Findings) == 0 })
	afterDebug := readFile(t, env)
	test.Tap(h.u.action)
	h.until("the HOST preview", func() bool { return h.u.preview != nil })
	test.Tap(h.u.preview.apply)
	h.status(netcheck.StatusSafe)

	test.Tap(h.u.undo)
	h.u.undoAsk.Confirm()
	h.until("the first undo", func() bool { return strings.Contains(h.u.notice.Text, "press Undo again") })
	if got := readFile(t, env); got != afterDebug {
		t.Fatalf("first Undo left %q, want %q", got, afterDebug)
	}
	h.status(netcheck.StatusAtRisk)
	if h.u.undo.Hidden {
		t.Fatal("Undo is not offered for the earlier fix")
	}
	test.Tap(h.u.undo)
	h.u.undoAsk.Confirm()
	h.until("the second undo", func() bool { return readFile(t, env) == original })
	h.until("Undo to go", func() bool { return h.u.undo.Hidden && !h.u.verdict.UndoAvailable })
}
