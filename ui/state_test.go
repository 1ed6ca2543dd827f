package ui

import (
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"localguard/netcheck"
)

// TestNoticeLeavesWithItsState: an error said in one state (a wrong
// folder) leaves when another install is chosen, and a notice leaves at
// Check now; a fix's notice stays while the fix is in place.
func TestNoticeLeavesWithItsState(t *testing.T) {
	u := newStill(t)
	u.showNoInstall(netcheck.ErrNoInstall)
	u.say("/tmp has no FlowMeter in it: choose the FlowMeter folder, the one with backend/ in it", true)
	if u.notice.Hidden {
		t.Fatal("the wrong folder's error is not shown")
	}
	u.chooseInstall(verdicts["at-risk"].Env.Path)
	u.render(verdicts["at-risk"])
	if !u.notice.Hidden || u.notice.Text != "" {
		t.Errorf("after the right folder, the wrong one's error stays: %q", u.notice.Text)
	}
	u.say("Could not undo: the file was changed.", true)
	u.tapCheckNow()
	if !u.notice.Hidden {
		t.Errorf("Check now left %q", u.notice.Text)
	}
	u.sayWhile("Changed line 4 of the settings file.", func(v netcheck.Verdict) bool { return v.UndoAvailable })
	u.tapCheckNow()
	u.render(verdicts["after-undo"])
	if u.notice.Hidden {
		t.Error("the fix's notice left while the fix is in place")
	}
}

// TestNoEmptyHeadings: with no FlowMeter found, neither "Where it can be
// reached" nor "Why" stands with nothing under it; with a verdict, both
// show over their rows.
func TestNoEmptyHeadings(t *testing.T) {
	u := newStill(t)
	u.showNoInstall(netcheck.ErrNoInstall)
	if u.reachTitle.Visible() || u.whyTitle.Visible() {
		t.Errorf("no FlowMeter, yet headings show: reach %v, why %v", u.reachTitle.Visible(), u.whyTitle.Visible())
	}
	if words := allText(u.win.Content()); strings.Contains(words, "Where it can be reached") || strings.Contains(words, "Why") {
		t.Errorf("the window shows empty headings:\n%s", words)
	}
	u.render(verdicts["exposed"])
	if !u.reachTitle.Visible() || !u.whyTitle.Visible() || len(u.reach.Objects) == 0 || len(u.why.Objects) == 0 {
		t.Error("a verdict's headings or rows do not show")
	}
	u.showNoInstall(netcheck.ErrNoInstall)
	if u.reachTitle.Visible() || len(u.reach.Objects) != 0 {
		t.Error("the last FlowMeter's rows stay under no FlowMeter")
	}
}

// TestChooserNeverOpensByItself: the real window, on a machine with no
// FlowMeter and nothing remembered, asks for the folder in its header and
// opens no dialog over itself; its one button opens the chooser.
func TestChooserNeverOpensByItself(t *testing.T) {
	isolate(t)
	h := newHarness(t, "")
	h.until("the window to ask for the folder", func() bool { return h.u.noInstall })
	if top := h.u.win.Canvas().Overlays().Top(); top != nil {
		t.Fatalf("a dialog opened by itself over the window: %T", top)
	}
	if h.u.action.Hidden || h.u.action.Text != labelChooseFolder {
		t.Fatalf("the header's button reads %q (hidden %v), want %q", h.u.action.Text, h.u.action.Hidden, labelChooseFolder)
	}
	test.Tap(h.u.action)
	if h.u.folder == nil {
		t.Fatal("the header's button opened no chooser")
	}
}

// TestWhyColumn: Why's labels stand in one column as wide in every state,
// with one FlowMeter, two, or none running.
func TestWhyColumn(t *testing.T) {
	var want float32
	for _, v := range []netcheck.Verdict{verdicts["exposed"], verdicts["at-risk"], twoFlowMeters(), verdicts["show-how"]} {
		u := newStill(t)
		u.render(v)
		x := whyValueColumn(t, u)
		if want == 0 {
			want = x
		}
		if x != want {
			t.Errorf("%s: Why's values start at x=%.0f, want %.0f as in the first state", v.Status, x, want)
		}
	}
}

// whyValueColumn is where the values of Why's first table start.
func whyValueColumn(t *testing.T, u *window) float32 {
	t.Helper()
	var x float32 = -1
	for _, p := range placed(u.win, false) {
		if p.o != u.why {
			continue
		}
		for _, o := range u.why.Objects {
			if table, ok := o.(*fyne.Container); ok {
				x = p.at.pos.Width + table.Objects[1].Position().X
				break
			}
		}
	}
	if x < 0 {
		t.Fatal("no Why table")
	}
	return x
}

// TestMiddleEllipsis: a path too long keeps its file name and loses its
// middle; one that fits is whole.
func TestMiddleEllipsis(t *testing.T) {
	path := "/home/ana/Projects/process-engineering/FlowMeter/backend/.env"
	fitsIn := func(n int) func(string) bool {
		return func(s string) bool { return utf8.RuneCountInString(s) <= n }
	}
	if got := middleEllipsis(path, fitsIn(100)); got != path {
		t.Errorf("a path that fits: %q", got)
	}
	got := middleEllipsis(path, fitsIn(30))
	if utf8.RuneCountInString(got) != 30 || !strings.Contains(got, "…") || !strings.HasSuffix(got, "backend/.env") || !strings.HasPrefix(got, "/home") {
		t.Errorf("cut to 30: %q", got)
	}
	// In the window at 600×400, the settings file's name stays in view.
	u := newStill(t)
	u.win.Resize(fyne.NewSize(600, 400))
	v := verdicts["exposed"]
	v.Env.Path = "/home/ana/Projects/process-engineering/FlowMeter-1.0.0-alpha.3/backend/.env"
	u.render(v)
	if shown := u.installPath.Text; !strings.HasSuffix(shown, "backend/.env") || !strings.Contains(shown, "…") || u.installPath.Full() != v.Env.Path {
		t.Errorf("at 600×400 the path reads %q (whole: %q)", shown, u.installPath.Full())
	}
}

// TestWindowSizeKept: the size the window was closed at is the size it
// opens at next time, through settings.json; a size too small for the
// window's layout is raised to 600×400.
func TestWindowSizeKept(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	a := test.NewTempApp(t)
	w := a.NewWindow(windowTitle)
	pr := loadPrefs(path)
	if got := pr.windowSize(); got != defaultWindowSize {
		t.Errorf("first opening at %v, want %v", got, defaultWindowSize)
	}
	save := keepWindowSize(w, pr)
	w.Resize(fyne.NewSize(912, 655))
	save()
	again := loadPrefs(path)
	w2 := a.NewWindow(windowTitle)
	keepWindowSize(w2, again)
	if got := w2.Canvas().Size(); got != fyne.NewSize(912, 655) {
		t.Errorf("reopened at %v, want 912×655", got)
	}
	if err := again.setWindowSize(fyne.NewSize(300, 200)); err != nil {
		t.Fatal(err)
	}
	if got := loadPrefs(path).windowSize(); got != minWindowSize {
		t.Errorf("a tiny size reopens at %v, want %v", got, minWindowSize)
	}
}

// TestSafeChoiceIsDefault: Enter in a question presses its safe choice:
// trusting a public address is not done, an undo is not made; the
// highlighted button is that choice.
func TestSafeChoiceIsDefault(t *testing.T) {
	u := newStill(t)
	u.render(publicVerdict())
	u.trust[0].check.SetChecked(true)
	if u.trustAsk == nil {
		t.Fatal("trusting a public address asked nothing")
	}
	if u.trustAsk.no.Importance != widget.HighImportance || u.trustAsk.yes.Importance == widget.HighImportance {
		t.Error("the highlighted button is not \"Do not trust\"")
	}
	enter(u)
	if u.trust[0].check.Checked || u.trustAsk != nil {
		t.Errorf("Enter trusted the public address (ticked %v) or left the question open", u.trust[0].check.Checked)
	}

	u.render(verdicts["after-undo"])
	undone := false
	u.tapUndo()
	ask := u.undoAsk
	if ask == nil || ask.no.Text != "Keep the fix" || ask.no.Importance != widget.HighImportance {
		t.Fatalf("Undo's question: %+v", ask)
	}
	ask.yes.OnTapped = func() { undone = true }
	enter(u)
	if undone || u.undoAsk != nil {
		t.Error("Enter undid the fix, or left the question open")
	}
}

// enter types Enter into the window, as a person would.
func enter(u *window) {
	if f := u.win.Canvas().OnTypedKey(); f != nil {
		f(&fyne.KeyEvent{Name: fyne.KeyReturn})
	}
}

// TestFixWords: the preview says FlowMeter runs when it does, and counts
// no container of this computer among the colleagues who lose it.
func TestFixWords(t *testing.T) {
	u := newStill(t)
	u.render(twoFlowMeters())
	words := u.afterFixWords(&preview{key: "HOST"})
	if !strings.Contains(words, "it is running now") || strings.Contains(words, "if it is running") {
		t.Errorf("FlowMeter runs, yet: %q", words)
	}
	colleagues, _, _ := strings.Cut(words[strings.Index(words, "Colleagues"):], "will no longer")
	if strings.Contains(colleagues, "172.17.0.1") || !strings.Contains(colleagues, "http://192.168.1.23:8000") {
		t.Errorf("the colleagues who lose FlowMeter: %q", words)
	}
	u.render(verdicts["at-risk"])
	if words := u.afterFixWords(&preview{key: "HOST"}); !strings.Contains(words, "not running now") {
		t.Errorf("FlowMeter does not run, yet: %q", words)
	}
}

// TestPrefsKeepOthersChanges: a change made by one process (the tray
// noting it explained itself) keeps what the other wrote since (the
// window's size, written as it closed).
func TestPrefsKeepOthersChanges(t *testing.T) {
	path := filepath.Join(t.TempDir(), "settings.json")
	tray, win := loadPrefs(path), loadPrefs(path)
	if err := win.setWindowSize(fyne.NewSize(700, 500)); err != nil {
		t.Fatal(err)
	}
	if err := tray.setToldTray(); err != nil {
		t.Fatal(err)
	}
	got := loadPrefs(path)
	if got.windowSize() != fyne.NewSize(700, 500) || !got.toldTray() {
		t.Errorf("after both: size %v, told %v", got.windowSize(), got.toldTray())
	}
}
