package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Every dialog of the window has one layout: its title, its text (which
// scrolls when the window is too small for it), and one row of buttons
// along the bottom edge, right-aligned, that never scrolls: the choice
// that keeps things as they are first, the one that acts last. The
// default, which Enter presses, is the safe choice, and is the one
// highlighted.

// dialogButtons are a dialog's buttons in their order, and the default.
type dialogButtons struct {
	all  []*widget.Button
	dflt *widget.Button
}

// buttons lists b in order, with dflt (one of them) the default.
func buttons(dflt *widget.Button, b ...*widget.Button) dialogButtons {
	for _, x := range b {
		x.Importance = widget.MediumImportance
	}
	if dflt != nil {
		dflt.Importance = widget.HighImportance
	}
	return dialogButtons{all: b, dflt: dflt}
}

// dialogContent is a dialog's body over its row of buttons: the body
// scrolls, the buttons stay on the bottom edge.
func dialogContent(body fyne.CanvasObject, b dialogButtons) (content fyne.CanvasObject, row *fyne.Container) {
	row = container.NewHBox(layout.NewSpacer())
	for _, x := range b.all {
		row.Add(x)
	}
	scroll := container.NewVScroll(body)
	return container.NewBorder(nil, container.NewVBox(widget.NewSeparator(), row), nil, nil, scroll), row
}

// dialogMargin is what a dialog leaves free around itself in the window.
const dialogMargin = 24

// showDialog opens a dialog of title with body and buttons b, width wide
// at most, and as tall as its text needs, within the window: the text
// scrolls, the buttons stay visible. closed runs when it closes, however
// it closes.
//
// Esc cancels it and Enter presses the default button, or closes a dialog
// that has none.
func (u *window) showDialog(title string, body fyne.CanvasObject, b dialogButtons, width float32, closed func()) dialog.Dialog {
	content, row := dialogContent(body, b)
	d := dialog.NewCustomWithoutButtons(title, content, u.win)
	c := u.win.Canvas()
	before := c.OnTypedKey()
	c.SetOnTypedKey(func(ev *fyne.KeyEvent) {
		switch ev.Name {
		case fyne.KeyEscape:
			d.Hide()
		case fyne.KeyReturn, fyne.KeyEnter:
			main := b.dflt
			if main == nil {
				d.Hide()
				return
			}
			if !main.Disabled() && !main.Hidden && main.OnTapped != nil {
				main.OnTapped()
			}
		}
	})
	d.SetOnClosed(func() {
		c.SetOnTypedKey(before)
		if closed != nil {
			closed()
		}
	})
	d.Resize(dialogSize(body, row, width, c.Size()))
	d.Show()
	return d
}

// dialogSize is the size a dialog asks for: width (or the window's width
// less a margin, when narrower), and the height its body needs at that
// width. Fyne keeps a dialog within the window, where the body scrolls.
func dialogSize(body fyne.CanvasObject, row *fyne.Container, width float32, window fyne.Size) fyne.Size {
	if max := window.Width - 2*dialogMargin; window.Width > 0 && max < width {
		width = max
	}
	pad := theme.Padding()
	// Fyne's dialog takes 32 px of its width and 2×16 px of its height for
	// its margins, the pop-up under it a padding on each side.
	const dialogPadWidth, dialogPadHeight = 32, 16
	inner := width - dialogPadWidth - 4*pad
	// Laid out at its width first, so that wrapped text says how many
	// lines it takes.
	body.Resize(fyne.NewSize(inner, body.MinSize().Height))
	h := body.MinSize().Height
	title := widget.NewLabelWithStyle("Title", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}).MinSize().Height
	return fyne.NewSize(width, h+row.MinSize().Height+theme.SeparatorThicknessSize()+3*pad+title+pad+2*dialogPadHeight+4*pad)
}

// question is a yes-or-no dialog in the window's one layout: no keeps
// things as they are, yes acts.
type question struct {
	d       dialog.Dialog
	yes, no *widget.Button
}

// Confirm presses yes, as a person would.
func (q *question) Confirm() { q.yes.OnTapped() }

// Dismiss presses no, as a person would.
func (q *question) Dismiss() { q.no.OnTapped() }

// ask opens a question: text, then noText (which keeps things as they
// are) and yesText (which acts); safeYes says which of the two is the safe
// choice, the default. answer hears the choice; closing the dialog
// otherwise (Esc) answers no.
func (u *window) ask(title, text, noText, yesText string, safeYes bool, answer func(yes bool)) *question {
	q := &question{}
	answered := false
	reply := func(yes bool) {
		answered = true
		q.d.Hide()
		answer(yes)
	}
	q.no = widget.NewButton(noText, func() { reply(false) })
	q.yes = widget.NewButton(yesText, func() { reply(true) })
	dflt := q.no
	if safeYes {
		dflt = q.yes
	}
	q.d = u.showDialog(title, plain(text), buttons(dflt, q.no, q.yes), 520, func() {
		if !answered { // closed with Esc
			answered = true
			answer(false)
		}
	})
	return q
}

// dialogSizeIn is size, made smaller where the window is.
func dialogSizeIn(size, window fyne.Size) fyne.Size {
	if window.Width > 0 {
		size = size.Min(window.Subtract(fyne.NewSize(2*dialogMargin, 2*dialogMargin)))
	}
	return size
}
