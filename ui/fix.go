package ui

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"localguard/envfix"
	"localguard/netcheck"
)

// preview is a planned change, shown before anything is written.
type preview struct {
	key, value string
	line       int
	path       string // the .env as the install names it
	exists     bool   // false: the fix creates the file
	empty      bool   // the file already says it
	backup     string // where the original is kept
	diff       []diffLine
	// apply writes the change on the engine's goroutine and reports the
	// backup's path.
	apply func(done func(backup string, err error))
}

// diffLine is one line of a plan's diff.
type diffLine struct {
	op   byte // ' ', '-' or '+'
	line int
	text string
}

// diffText is the diff as a person reads it: "- 4  HOST=0.0.0.0".
func diffText(lines []diffLine) string {
	var b strings.Builder
	for _, d := range lines {
		fmt.Fprintf(&b, "%c %3d  %s\n", d.op, d.line, d.text)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// diffView shows the diff in monospace, removed lines red, added green.
func diffView(lines []diffLine) *widget.RichText {
	var segs []widget.RichTextSegment
	for i, d := range lines {
		style := widget.RichTextStyleCodeInline
		style.Inline = false
		switch d.op {
		case '-':
			style.ColorName = theme.ColorNameError
		case '+':
			style.ColorName = theme.ColorNameSuccess
		}
		text := diffText(lines[i : i+1])
		segs = append(segs, &widget.TextSegment{Text: text, Style: style})
	}
	return widget.NewRichText(segs...)
}

// backupWords says where the original goes, for the preview.
func (p *preview) backupWords() string {
	if !p.exists {
		return p.path + " does not exist yet: Localguard creates it with this one line. Undo removes it again."
	}
	return "The original is kept as " + p.backup + ". Undo puts it back byte for byte."
}

// previewDialog is the preview of a change: the diff, where the backup
// goes, Apply and Cancel.
type previewDialog struct {
	d      dialog.Dialog
	diff   *widget.RichText
	apply  *widget.Button
	cancel *widget.Button
}

// tapAction is the one button: the fix's preview, or how to fix.
func (u *window) tapAction() {
	v := u.verdict
	switch {
	case u.noInstall || u.action.Text == labelChooseFolder:
		u.tapChoose()
	case v.Fix != "":
		u.planAndPreview("")
	case v.Advice != "":
		u.showHowTo(v)
	}
}

// tapFindingFix previews the fix of one finding, through the same preview.
func (u *window) tapFindingFix(key string) { u.planAndPreview(key) }

// planAndPreview plans a change on the engine and previews it.
func (u *window) planAndPreview(key string) {
	u.action.Disable()
	u.eng.plan(key, func(p *preview, err error) {
		u.do(func() {
			u.action.Enable()
			switch {
			case errors.Is(err, netcheck.ErrNotTheFile):
				u.say("The settings file is not what puts FlowMeter on the network, so Localguard leaves it alone: "+err.Error(), true)
			case err != nil:
				u.say("Localguard changed nothing: "+err.Error(), true)
			case p.empty:
				u.say(fmt.Sprintf("Nothing to change: %s already sets %s=%s.", p.path, p.key, p.value), false)
			default:
				u.showPreview(p)
			}
		})
	})
}

// showPreview opens the preview of p.
func (u *window) showPreview(p *preview) {
	title := "Make FlowMeter local-only"
	intro := fmt.Sprintf("Localguard will change one line of %s so that FlowMeter listens on this computer only (%s=%s):", p.path, p.key, p.value)
	if p.key != "HOST" {
		title = "Make " + p.key + " safe"
		intro = fmt.Sprintf("Localguard will change one line of %s (%s=%s):", p.path, p.key, p.value)
	}
	pd := &previewDialog{diff: diffView(p.diff)}
	pd.cancel = widget.NewButton("Cancel", func() { pd.d.Hide() })
	pd.apply = widget.NewButtonWithIcon("Apply", theme.ConfirmIcon(), func() {
		pd.apply.Disable()
		pd.cancel.Disable()
		p.apply(func(backup string, err error) {
			u.do(func() { pd.d.Hide(); u.applied(p, backup, err) })
		})
	})
	content := container.NewVBox(
		plain(intro),
		widget.NewCard("", "", pd.diff),
		plain(p.backupWords()),
		plain(u.afterFixWords(p)),
	)
	u.preview = pd
	pd.d = u.showDialog(title, content, buttons(pd.apply, pd.cancel, pd.apply), 600, func() {
		if u.preview == pd {
			u.preview = nil
		}
	})
}

// afterFixWords says what happens after the change: FlowMeter, running
// or not, reads it at its next start; who loses it.
func (u *window) afterFixWords(p *preview) string {
	after := "FlowMeter is not running now: it reads the change when it next starts."
	if runsHere(u.verdict) {
		after = "FlowMeter reads the file only when it starts, and it is running now: Localguard then offers to restart it, for the change to take effect."
	}
	if p.key == "HOST" {
		if who := lostAccess(u.verdict); who != "" {
			after += " " + who
		}
	}
	return after
}

// applied reports a written (or refused) change; the verdict that follows
// says whether FlowMeter must restart.
func (u *window) applied(p *preview, backup string, err error) {
	if err != nil {
		u.say("Localguard changed nothing: "+err.Error(), true)
		return
	}
	u.fixed, u.lastFix = true, p
	u.peer.fixed()
	u.undo.Show()
	// The settings file's path stands in the footer: the notice names
	// the line, and the backup beside the file.
	text := fmt.Sprintf("Changed line %d of the settings file: it now says %s=%s.", p.line, p.key, p.value)
	if p.exists {
		text += " The original is kept beside it, as " + filepath.Base(backup) + "."
	} else {
		text = fmt.Sprintf("Created the settings file, with one line: %s=%s.", p.key, p.value)
	}
	// It holds while the fix is in place: until an undo.
	u.sayWhile(text, func(v netcheck.Verdict) bool { return v.UndoAvailable })
}

// tapUndo asks, then puts the file back as it was before the last fix;
// pressed again, before the fix before that, down to the file as it was
// before Localguard first changed it. FlowMeter may be open to the
// network again at its next start, hence the question.
func (u *window) tapUndo() {
	u.undoAsk = u.ask("Undo the fix?", undoWords(u.lastFix), "Keep the fix", "Undo", false, func(yes bool) {
		u.undoAsk = nil
		if yes {
			u.undoNow()
		}
	})
}

// undoNow puts the file back as it was before the last fix.
func (u *window) undoNow() {
	u.undo.Disable()
	u.eng.undo(func(left int, err error) {
		u.do(func() {
			u.undo.Enable()
			switch {
			case errors.Is(err, envfix.ErrNothingToUndo):
				u.fixed = false
				u.undo.Hide()
				u.say("There is no fix to undo.", false)
			case err != nil:
				u.say("Could not undo: "+err.Error(), true)
			default:
				u.fixed, u.lastFix = left > 0, nil
				if left == 0 {
					u.undo.Hide()
				}
				u.say(undoneWords(left), false)
			}
		})
	})
}

// stopDialog asks before stopping FlowMeter, whose loaded data is lost.
type stopDialog struct {
	d       dialog.Dialog
	restart *widget.Button
	stop    *widget.Button
	keep    *widget.Button
	// process is the FlowMeter process held when the dialog opened; only
	// it is ever signalled.
	process *netcheck.FlowMeterProcess
}

// tapStop asks, then stops the FlowMeter process that must restart. The
// process is taken hold of as the dialog opens (its start time, command
// line and, on Linux, a pidfd), so that a click after it ended cannot reach
// another process that took its pid.
func (u *window) tapStop() {
	l, ok := restartFor(u.verdict)
	if !ok {
		return
	}
	process, err := holdFlowMeter(l.PID, l.Cmdline)
	if err != nil {
		u.say(sentence(err), false)
		u.eng.checkNow()
		return
	}
	sd := &stopDialog{process: process}
	warning := widget.NewLabel("Every dataset loaded in FlowMeter's memory will be lost, and anyone using FlowMeter now is cut off. Save or export what you need first.")
	warning.Wrapping = fyne.TextWrapWord
	warning.Importance = widget.DangerImportance
	warning.TextStyle = fyne.TextStyle{Bold: true}
	sd.keep = widget.NewButton("Keep it running", func() { sd.d.Hide() })
	sd.stop = widget.NewButtonWithIcon("Only stop it", theme.MediaStopIcon(), func() {
		u.stopFlowMeter(process) // before Hide, which lets go of the process
		sd.d.Hide()
	})
	sd.restart = widget.NewButtonWithIcon("Restart FlowMeter", theme.ViewRefreshIcon(), func() {
		sd.process = nil // the restart holds it now, until it stops it
		sd.d.Hide()
		u.restartFlowMeter(l, process)
	})
	content := container.NewVBox(plain(restartWords(l, netcheck.LogDir())), warning)
	if note := restartNote(l); note != "" {
		content.Add(plain(note))
	}
	u.stopAsk = sd
	sd.d = u.showDialog("Restart FlowMeter now?", content, buttons(sd.restart, sd.keep, sd.stop, sd.restart), 560, func() {
		sd.process.Release() // after Stop or Keep, nothing is held any more
		if u.stopAsk == sd {
			u.stopAsk = nil
		}
	})
}

// holdFlowMeter takes hold of the process the dialog names; tests replace
// it to show the dialog for a fixture's pid.
var holdFlowMeter = netcheck.HoldFlowMeter

// stopFlowMeter stops the process held; the watch sees it go.
func (u *window) stopFlowMeter(p *netcheck.FlowMeterProcess) {
	err := p.Stop()
	switch {
	case errors.Is(err, netcheck.ErrAlreadyStopped):
		u.say("FlowMeter had already stopped; nothing was signalled. Start it again the way you usually do.", false)
	case err != nil:
		u.say(sentence(err), true)
	default:
		u.last, u.stoppedPID = actionStopped, p.PID
	}
	u.eng.checkNow()
}

// sentence is an error as the window shows it: a sentence with a capital.
func sentence(err error) string {
	s := err.Error()
	if s == "" {
		return s
	}
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// howToDialog shows the change to make when the .env is not the cause,
// with a button that copies it.
type howToDialog struct {
	d     dialog.Dialog
	text  *widget.Entry
	copy  *widget.Button
	close *widget.Button
}

// showHowTo opens the advice: the exact text to copy.
func (u *window) showHowTo(v netcheck.Verdict) {
	hd := &howToDialog{}
	hd.text = widget.NewMultiLineEntry()
	hd.text.SetText(v.Advice) // the exact text, to copy
	hd.text.Wrapping = fyne.TextWrapWord
	hd.text.TextStyle = fyne.TextStyle{Monospace: true}
	hd.text.SetMinRowsVisible(3)
	hd.copy = widget.NewButtonWithIcon("Copy", theme.ContentCopyIcon(), func() {
		u.app.Clipboard().SetContent(v.Advice)
		hd.copy.SetText("Copied")
	})
	hd.close = widget.NewButton("Close", func() { hd.d.Hide() })
	content := container.NewVBox(
		plain("FlowMeter is not on the network because of its settings file, so changing the file would not help. Change this instead, then restart FlowMeter:"),
		hd.text,
		plain("Localguard checks again by itself and turns green when FlowMeter is local-only."),
	)
	u.howTo = hd
	hd.d = u.showDialog("How to make FlowMeter local-only", content, buttons(hd.copy, hd.close, hd.copy), 560, func() {
		if u.howTo == hd {
			u.howTo = nil
		}
	})
}
