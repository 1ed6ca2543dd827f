package ui

import (
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"localguard/netcheck"
)

// window is Localguard's main window. Every widget a test drives or reads
// is a field (the fyne-io/calculator habit); render fills them from one
// verdict and decides nothing.
type window struct {
	app fyne.App
	win fyne.Window
	eng *engine
	// do brings a background result onto the UI thread: fyne.Do, or a
	// test's queue.
	do    func(func())
	prefs *prefs
	// peer hears of every verdict shown and every change the user makes:
	// the tray process, or, without a tray, the window's own notifier.
	peer peer

	// The status header.
	shield  *canvas.Image
	title   *widget.Label
	message *widget.Label
	action  *widget.Button // "Make FlowMeter local-only…" or "Show how to fix…"
	undo    *widget.Button
	notice  *widget.Label // what the last action did, or why it failed

	// The restart that finishes a fix.
	stop *widget.Button

	// The details, which scroll under the header: each heading shows
	// only with something under it.
	scroll      *container.Scroll
	top         *fyne.Container // the header, pinned over the details
	findings    *fyne.Container
	findingFix  map[string]*widget.Button
	reachTitle  *widget.Label
	reach       *fyne.Container
	trust       []*trustToggle
	whyTitle    *widget.Label
	why         *fyne.Container
	installPath *pathLabel
	choose      *widget.Button
	checkNow    *widget.Button
	settingsBtn *widget.Button
	checked     *widget.Label

	// Dialogs open now, for tests to drive.
	preview  *previewDialog
	howTo    *howToDialog
	stopAsk  *stopDialog
	settings *settingsDialog
	folder   *dialog.FileDialog
	// relayStop are the relays' Stop buttons, by pid; relayAsk the
	// question stopping one asks, while it is open.
	relayStop map[int32]*widget.Button
	relayAsk  *question
	// undoAsk is Undo's question, while it is open.
	undoAsk *question
	// trustAsk is the question trusting a public address or a VPN asks,
	// while it is open.
	trustAsk *question
	// trustAnswer answers the question trusting a network asks, while it
	// is open.
	trustAnswer func(yes bool)

	// State of this run.
	verdict   netcheck.Verdict
	known     bool // a verdict has arrived
	noInstall bool
	fixed     bool // a fix was applied in this run; Undo is offered
	// lastFix is the fix applied last in this run, which Undo's question
	// names; nil when the fix to undo is an earlier run's.
	lastFix *preview
	last    lastAction
	// stoppedPID is the FlowMeter process the user stopped.
	stoppedPID int32
	// restarted is the FlowMeter the window started again, whose log the
	// Why section names while it runs.
	restarted restartedRun
	// noticeFresh: the notice was said since the header last changed.
	noticeFresh bool
	// noticeKeep, when set, says whether the notice still holds for a
	// verdict.
	noticeKeep func(netcheck.Verdict) bool
	onRender   func() // for tests: called after each render
	// quit ends the window's app (keeping where the window stands first).
	quit func()
	now  func() time.Time
}

// trustToggle is one exposure's "I trust this network" check.
type trustToggle struct {
	exposure netcheck.Exposure
	check    *widget.Check
	// asked: the user answered yes to the question trusting it asks.
	asked bool
}

// newWindow builds the window's widgets; nothing is checked until start.
func newWindow(a fyne.App, w fyne.Window, eng *engine, do func(func()), p peer, pr *prefs) *window {
	u := &window{app: a, win: w, eng: eng, do: do, peer: p, prefs: pr, now: time.Now, quit: a.Quit}
	u.shield = canvas.NewImageFromResource(shieldFor(netcheck.StatusError).vector)
	u.shield.FillMode = canvas.ImageFillContain
	u.shield.SetMinSize(fyne.NewSize(72, 72))
	u.title = widget.NewLabel("Checking FlowMeter…")
	u.title.TextStyle = fyne.TextStyle{Bold: true}
	u.title.SizeName = theme.SizeNameSubHeadingText
	u.title.Wrapping = fyne.TextWrapWord
	u.message = widget.NewLabel("Localguard is looking at FlowMeter's settings and at this computer's network.")
	u.message.Wrapping = fyne.TextWrapWord
	u.action = widget.NewButton(labelMakeLocal, u.tapAction)
	u.action.Importance = widget.HighImportance
	u.action.Hide()
	u.undo = widget.NewButtonWithIcon(labelUndo, theme.ContentUndoIcon(), u.tapUndo)
	u.undo.Hide()
	u.notice = widget.NewLabel("")
	u.notice.Wrapping = fyne.TextWrapWord
	u.notice.Hide()

	u.stop = widget.NewButtonWithIcon(labelStop, theme.ViewRefreshIcon(), u.tapStop)
	u.stop.Importance = widget.DangerImportance
	u.stop.Hide()

	u.findings = container.NewVBox()
	u.findingFix = map[string]*widget.Button{}
	u.reachTitle = section("Where it can be reached")
	u.reach = container.NewVBox()
	u.whyTitle = section("Why")
	u.why = container.NewVBox()
	u.hideDetails()
	// A path too long for the window loses its middle, never its file
	// name; it stays selectable whole.
	u.installPath = newPathLabel()
	u.choose = widget.NewButtonWithIcon(labelChange, theme.FolderOpenIcon(), u.tapChoose)
	u.checkNow = widget.NewButtonWithIcon(labelCheckNow, theme.ViewRefreshIcon(), u.tapCheckNow)
	u.settingsBtn = widget.NewButtonWithIcon(labelSettings, theme.SettingsIcon(), u.tapSettings)
	u.checked = widget.NewLabel("")
	u.checked.Importance = widget.LowImportance

	w.SetContent(u.layout())
	return u
}

// layout arranges the window: the header on top, the details scrolling
// under it, the install and the buttons at the bottom.
func (u *window) layout() fyne.CanvasObject {
	header := container.NewBorder(nil, nil, container.NewVBox(u.shield), nil,
		// The notice stands under the buttons, so that they never move as
		// it comes and goes.
		container.NewVBox(u.title, u.message,
			container.NewHBox(u.action, u.stop, u.undo), u.notice))
	details := container.NewVBox(u.findings, u.reachTitle, u.reach, u.whyTitle, u.why)
	footer := container.NewVBox(
		widget.NewSeparator(),
		container.NewBorder(nil, nil, widget.NewLabelWithStyle("FlowMeter settings file:", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}), u.choose, u.installPath),
		container.NewHBox(u.checkNow, u.settingsBtn, layout.NewSpacer(), u.checked),
	)
	// The header (the status and its one button) and the footer stay; the
	// details scroll between them: at 600×400 nothing is cut, the status
	// never scrolls out of sight, and the window never grows itself to fit
	// its content.
	u.scroll = container.NewVScroll(container.NewPadded(details))
	u.top = container.NewVBox(container.NewPadded(header), widget.NewSeparator())
	// In this order, so that Tab reaches the header's buttons first.
	return container.New(layout.NewBorderLayout(u.top, footer, nil, nil), u.top, u.scroll, footer)
}

// hideDetails empties the details and hides their headings: nothing is
// known to put under them.
func (u *window) hideDetails() {
	u.findings.RemoveAll()
	u.reach.RemoveAll()
	u.why.RemoveAll()
	u.trust = nil
	for _, o := range []fyne.CanvasObject{u.reachTitle, u.reach, u.whyTitle, u.why} {
		o.Hide()
	}
}

// showDetails shows the headings again, over what render put there.
func (u *window) showDetails() {
	for _, o := range []fyne.CanvasObject{u.reachTitle, u.reach, u.whyTitle, u.why} {
		o.Show()
	}
}

// section is a heading in the details.
func section(title string) *widget.Label {
	l := widget.NewLabelWithStyle(title, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// render shows a verdict in the window, and tells the peer (the tray, or
// the notifier).
func (u *window) render(v netcheck.Verdict) {
	if (u.last == actionStopped || u.last == actionRestarted) && restarted(v, u.stoppedPID) {
		u.last = actionNone // FlowMeter is back: the stop is over
	}
	h := headerFor(v, true, u.last)
	switch {
	case u.noticeKeep != nil:
		// A notice about a state of the file (a fix in place) stays while
		// that state lasts.
		if !u.noticeKeep(v) {
			u.clearNotice()
		}
	case h.title != u.title.Text:
		// Any other belongs to the state it was said in, or to the one its
		// action brings: it leaves at the next change after that.
		if !u.noticeFresh {
			u.clearNotice()
		}
		u.noticeFresh = false
	}
	if h.title != u.title.Text || u.noInstall {
		// Another state: its details are read from the top.
		u.scroll.ScrollToTop()
	}
	u.verdict, u.known, u.noInstall = v, true, false
	u.shield.Resource = h.shield.vector
	u.shield.Refresh()
	u.win.SetIcon(h.shield.bitmap) // the taskbar shows the status too
	u.title.Importance = h.importance
	u.title.SetText(h.title)
	u.message.SetText(h.sentence)
	switch h.action {
	case "", labelStop:
		u.action.Hide() // the restart's own button stands in the header
	default:
		u.action.SetText(h.action)
		u.action.Show()
	}
	u.undo.Hidden = !u.fixed && !v.UndoAvailable
	u.undo.Refresh()
	u.renderRestart(v)
	u.showDetails()
	u.renderFindings(v)
	u.renderReach(v)
	u.renderWhy(v)
	u.installPath.SetText(v.Env.Path)
	u.showChecked(u.now())
	u.peer.verdict(v)
	u.relayout()
	if u.onRender != nil {
		u.onRender()
	}
}

// renderRestart offers to stop FlowMeter when only its restart is left.
func (u *window) renderRestart(v netcheck.Verdict) {
	// Which process still runs, and its pid, is told under Why.
	if _, ok := restartFor(v); !ok {
		u.stop.Hide()
		return
	}
	u.stop.Show()
}

// restarted reports whether the install's FlowMeter runs again: a process
// of it other than the one stopped (another install's does not count).
func restarted(v netcheck.Verdict, stopped int32) bool {
	for _, l := range v.Listeners {
		if l.PID != stopped && (l.EnvPath == "" || l.EnvPath == v.Env.Path) {
			return true
		}
	}
	return false
}

// showChecked says when Localguard last looked: every check, changed or
// not, so that the line moves while the window is open.
func (u *window) showChecked(at time.Time) {
	if u.noInstall {
		// Still looking: a FlowMeter that starts now is found and shown.
		u.checked.SetText("Last looked for FlowMeter " + at.Format("15:04:05"))
		return
	}
	u.checked.SetText("Last checked " + at.Format("15:04:05"))
}

// noInstallWords is what the window says when it found no FlowMeter: in
// its own words, never the command line's flags.
const noInstallWords = "Localguard did not find FlowMeter on this computer. Choose its folder (the one with backend/ in it); meanwhile Localguard keeps looking, and moves on by itself when FlowMeter starts."

// showNoInstall asks for the FlowMeter folder when none was found.
func (u *window) showNoInstall(err error) {
	u.noInstall = true
	u.shield.Resource = shieldFor(netcheck.StatusError).vector
	u.shield.Refresh()
	u.win.SetIcon(shieldFor(netcheck.StatusError).bitmap)
	u.title.Importance = widget.MediumImportance
	u.title.SetText("Which FlowMeter should Localguard guard?")
	u.message.SetText(noInstallWords)
	// The one button chooses the folder; the chooser never opens by
	// itself over the window.
	u.action.SetText(labelChooseFolder)
	u.action.Show()
	u.undo.Hide()
	u.stop.Hide()
	u.hideDetails()
	u.scroll.ScrollToTop()
	u.installPath.SetText("none chosen yet")
	u.checked.SetText("")
	u.relayout()
	if u.onRender != nil {
		u.onRender()
	}
}

// say shows what the last action did, or why it failed, in one sentence.
func (u *window) say(text string, important bool) {
	u.notice.Importance = widget.MediumImportance
	if important {
		u.notice.Importance = widget.DangerImportance
	}
	u.notice.SetText(asSentence(text))
	u.notice.Show()
	u.noticeFresh, u.noticeKeep = true, nil
	u.relayout()
}

// relayout lays the window out again for a header that grew or shrank
// (a button or the notice shown or hidden, a longer sentence), so that
// the details below it move at once.
func (u *window) relayout() {
	if c := u.win.Content(); c != nil {
		c.Refresh()
	}
}

// sayWhile shows a notice that holds as long as keep says so.
func (u *window) sayWhile(text string, keep func(netcheck.Verdict) bool) {
	u.say(text, false)
	u.noticeKeep = keep
}

func (u *window) clearNotice() {
	u.notice.SetText("")
	u.notice.Hide()
	u.noticeKeep = nil
	u.relayout()
}

func (u *window) tapCheckNow() {
	if u.noticeKeep == nil {
		// What was said belongs to the state before this check.
		u.clearNotice()
	}
	u.checked.SetText("Checking…")
	u.eng.checkNow()
}
