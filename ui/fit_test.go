package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"localguard/netcheck"
)

// rect is an object's place in the window.
type rect struct{ pos, size fyne.Size }

func (r rect) within(o rect) bool {
	return r.pos.Width >= o.pos.Width-0.5 && r.pos.Height >= o.pos.Height-0.5 &&
		r.pos.Width+r.size.Width <= o.pos.Width+o.size.Width+0.5 &&
		r.pos.Height+r.size.Height <= o.pos.Height+o.size.Height+0.5
}

func (r rect) String() string {
	return fmt.Sprintf("%.0f,%.0f %.0f×%.0f", r.pos.Width, r.pos.Height, r.size.Width, r.size.Height)
}

// placedObject is an object as the window shows it: where, and the part
// of the window it can show in (the scrolls around it clip it).
type placedObject struct {
	o        fyne.CanvasObject
	at, clip rect
	scrolled bool // inside a scroll
}

// place lists every visible object under o, laid out as it is, with its
// place in the window: containers, widgets' renderers, scrolls (whose
// content is clipped to the scroll).
func place(o fyne.CanvasObject, origin fyne.Position, clip rect, scrolled bool, out *[]placedObject) {
	if o == nil || !o.Visible() {
		return
	}
	at := origin.Add(o.Position())
	r := rect{fyne.NewSize(at.X, at.Y), o.Size()}
	*out = append(*out, placedObject{o: o, at: r, clip: clip, scrolled: scrolled})
	switch w := o.(type) {
	case *fyne.Container:
		for _, c := range w.Objects {
			place(c, at, clip, scrolled, out)
		}
		return
	case *container.Scroll:
		clip = intersect(clip, r)
		place(w.Content, at, clip, true, out)
		return
	}
	if w, ok := o.(fyne.Widget); ok {
		for _, c := range test.WidgetRenderer(w).Objects() {
			place(c, at, clip, scrolled, out)
		}
	}
}

func intersect(a, b rect) rect {
	x0, y0 := max(a.pos.Width, b.pos.Width), max(a.pos.Height, b.pos.Height)
	x1 := min(a.pos.Width+a.size.Width, b.pos.Width+b.size.Width)
	y1 := min(a.pos.Height+a.size.Height, b.pos.Height+b.size.Height)
	return rect{fyne.NewSize(x0, y0), fyne.NewSize(max(0, x1-x0), max(0, y1-y0))}
}

// placed lays out what the window shows (its content, or its top dialog)
// and lists it.
func placed(w fyne.Window, top bool) []placedObject {
	c := w.Canvas()
	whole := rect{size: c.Size()}
	var out []placedObject
	if top {
		o := c.Overlays().Top()
		if o == nil {
			return nil
		}
		place(o, fyne.Position{}, whole, false, &out)
		return out
	}
	place(c.Content(), fyne.Position{}, whole, false, &out)
	return out
}

// checkButtonsShow fails the test unless the top dialog has buttons and
// every button not in a scroll shows whole within the window.
func checkButtonsShow(t *testing.T, name string, w fyne.Window) {
	t.Helper()
	objs := placed(w, true)
	if objs == nil {
		t.Fatalf("%s: no dialog open", name)
	}
	n := 0
	for _, p := range objs {
		checkControlWhole(t, name, w, p)
		b, ok := p.o.(*widget.Button)
		if !ok || p.scrolled {
			continue
		}
		n++
		if !p.at.within(p.clip) || !p.at.within(rect{size: w.Canvas().Size()}) || p.at.size.Height < b.MinSize().Height-0.5 {
			t.Errorf("%s: the button %q is at %s, outside the %s window (or cut: it needs %.0f px)", name, b.Text, p.at, p.clip, b.MinSize().Height)
		}
	}
	if n == 0 {
		t.Errorf("%s: a dialog with no button outside its scroll", name)
	}
}

// checkControlWhole fails when a dialog's checkbox or list is cut, or
// runs past the window's right edge (as the at-login box did with the
// program's path in its label).
func checkControlWhole(t *testing.T, name string, w fyne.Window, p placedObject) {
	t.Helper()
	switch p.o.(type) {
	case *widget.Check, *widget.Select:
	default:
		return
	}
	right := p.at.pos.Width + p.at.size.Width
	if p.at.size.Width < p.o.MinSize().Width-0.5 || right > w.Canvas().Size().Width+0.5 {
		t.Errorf("%s: a %T is cut or runs off the window: at %s, it needs %.0f px", name, p.o, p.at, p.o.MinSize().Width)
	}
}

// TestDialogsFit opens every dialog of the window in a 600×400 window,
// and at 800×600, and fails when any of its buttons is cut or outside.
func TestDialogsFit(t *testing.T) {
	defer stubHold()()
	for _, size := range []fyne.Size{fyne.NewSize(600, 400), fyne.NewSize(800, 600)} {
		for _, d := range dialogCases {
			t.Run(fmt.Sprintf("%s-%.0fx%.0f", d.name, size.Width, size.Height), func(t *testing.T) {
				u := newStill(t)
				u.win.Resize(size)
				u.render(d.verdict)
				d.open(u)
				checkButtonsShow(t, d.name, u.win)
			})
		}
	}
}

// stubHold lets the restart dialog open for a fixture's pid.
func stubHold() (restore func()) {
	holdFlowMeter = func(pid int32, _ string) (*netcheck.FlowMeterProcess, error) {
		return &netcheck.FlowMeterProcess{PID: pid}, nil
	}
	return func() { holdFlowMeter = netcheck.HoldFlowMeter }
}

// longPreview is the preview of a fix whose diff and paths are long.
func longPreview() *preview {
	p := &preview{key: "HOST", value: "127.0.0.1", line: 4, path: "/home/ana/Projects/process-engineering/FlowMeter-1.0.0-alpha.3/backend/.env", exists: true,
		backup: "/home/ana/Projects/process-engineering/FlowMeter-1.0.0-alpha.3/backend/.env.localguard-backup",
		apply:  func(func(string, error)) {}}
	for i := 1; i <= 3; i++ {
		p.diff = append(p.diff, diffLine{' ', i, fmt.Sprintf("KEY%d=value", i)})
	}
	p.diff = append(p.diff, diffLine{'-', 4, "HOST=0.0.0.0"}, diffLine{'+', 4, "HOST=127.0.0.1"}, diffLine{' ', 5, "PORT=8000"})
	return p
}

// dialogCases are every dialog the window opens, each from the state it
// opens in.
var dialogCases = []struct {
	name    string
	verdict netcheck.Verdict
	open    func(u *window)
}{
	{"fix preview", verdicts["exposed"], func(u *window) { u.showPreview(longPreview()) }},
	{"undo", verdicts["after-undo"], func(u *window) { u.lastFix = longPreview(); u.tapUndo() }},
	{"trust public", publicVerdict(), func(u *window) { u.trust[0].check.SetChecked(true) }},
	{"trust VPN", vpnVerdict(), func(u *window) { u.trust[0].check.SetChecked(true) }},
	{"restart", verdicts["restart-needed"], func(u *window) { test.Tap(u.stop) }},
	{"settings", verdicts["safe"], func(u *window) { test.Tap(u.settingsBtn) }},
	{"how to fix", verdicts["show-how"], func(u *window) { test.Tap(u.action) }},
	{"stop relay", relayVerdict(), func(u *window) { test.Tap(u.relayStop[4711]) }},
	{"folder", verdicts["safe"], func(u *window) { test.Tap(u.choose) }},
}

// publicVerdict is FlowMeter exposed on a public address.
func publicVerdict() netcheck.Verdict {
	return exposedOnly(netcheck.Exposure{Interface: "eth0", Address: "192.0.2.2", Kind: netcheck.KindPublic, URL: "http://192.0.2.2:8000", Network: "wired network"})
}

// vpnVerdict is FlowMeter exposed on a VPN.
func vpnVerdict() netcheck.Verdict {
	return exposedOnly(netcheck.Exposure{Interface: "wg0", Address: "100.64.0.7", Kind: netcheck.KindVPN, URL: "http://100.64.0.7:8000", Network: "VPN \u201ccorp\u201d"})
}

// exposedOnly is FlowMeter exposed on e alone.
func exposedOnly(e netcheck.Exposure) netcheck.Verdict {
	v := verdicts["exposed"]
	l := exposedListener
	l.ExposedOn = []netcheck.Exposure{e}
	v.Listeners = []netcheck.Listener{l}
	return v
}

// relayVerdict is FlowMeter passed on by socat.
func relayVerdict() netcheck.Verdict {
	v := verdicts["safe"]
	v.Status = netcheck.StatusExposed
	v.Relays = []netcheck.Relay{{PID: 4711, Process: "socat", Program: "socat", Kind: netcheck.RelayProxy, Address: "0.0.0.0", Port: 9000, TargetPort: 8000,
		Advice:    "start socat with TCP-LISTEN:9000,bind=127.0.0.1",
		ExposedOn: []netcheck.Exposure{{Interface: "wlan0", Address: "192.168.1.23", Kind: "lan", URL: "http://192.168.1.23:9000", Network: "Wi-Fi"}}}}
	return v
}

// TestHeaderStaysInView: the status and its one button show, whole, after
// every change of state, even when the details were scrolled to their end
// before it; at 600×400 and 800×600.
func TestHeaderStaysInView(t *testing.T) {
	steps := []string{"exposed", "restart-needed", "safe", "after-undo", "at-risk", "error", "stopped"}
	for _, size := range []fyne.Size{fyne.NewSize(600, 400), fyne.NewSize(800, 600)} {
		t.Run(fmt.Sprintf("%.0fx%.0f", size.Width, size.Height), func(t *testing.T) {
			u := newStill(t)
			u.win.Resize(size)
			u.render(manyExposures())
			for _, name := range steps {
				u.scroll.ScrollToBottom()
				u.render(verdicts[name])
				checkHeaderShows(t, name, u)
			}
			u.scroll.ScrollToBottom()
			u.showNoInstall(netcheck.ErrNoInstall)
			checkHeaderShows(t, "no FlowMeter", u)
		})
	}
}

// checkHeaderShows fails unless the title, the sentence and the one
// button (when shown) are whole within the window and out of any scroll.
func checkHeaderShows(t *testing.T, state string, u *window) {
	t.Helper()
	want := map[fyne.CanvasObject]string{u.title: "title", u.message: "sentence"}
	for _, b := range []*widget.Button{u.action, u.stop} {
		if b.Visible() {
			want[b] = "button " + b.Text
		}
	}
	for _, p := range placed(u.win, false) {
		name, ok := want[p.o]
		if !ok {
			continue
		}
		delete(want, p.o)
		if p.scrolled || !p.at.within(p.clip) || p.at.size.Height < p.o.MinSize().Height-0.5 {
			t.Errorf("%s: the %s is at %s, not whole in view (%s; scrolls: %v)", state, name, p.at, p.clip, p.scrolled)
		}
	}
	for _, name := range want {
		t.Errorf("%s: the %s is not shown", state, name)
	}
}

// manyExposures is FlowMeter on many addresses: details longer than the
// window.
func manyExposures() netcheck.Verdict {
	v := verdicts["exposed"]
	l := exposedListener
	l.ExposedOn = nil
	for i := 1; i <= 8; i++ {
		l.ExposedOn = append(l.ExposedOn, netcheck.Exposure{Interface: fmt.Sprintf("eth%d", i), Address: fmt.Sprintf("192.168.%d.2", i), Kind: "lan",
			URL: fmt.Sprintf("http://192.168.%d.2:8000", i), Network: "wired network"})
	}
	v.Listeners = []netcheck.Listener{l}
	return v
}
