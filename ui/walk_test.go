package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// texts lists the text of every visible label under o, in order.
func texts(o fyne.CanvasObject) []string {
	var out []string
	walk(o, func(o fyne.CanvasObject) {
		switch w := o.(type) {
		case *widget.Label:
			out = append(out, w.Text)
		case *pathLabel:
			out = append(out, w.Text)
		}
	})
	return out
}

// allText is every visible label's text under o, one a line.
func allText(o fyne.CanvasObject) string { return strings.Join(texts(o), "\n") }

// walk calls f on o and on every visible object under it: containers'
// objects, cards' content, scrolls' content.
func walk(o fyne.CanvasObject, f func(fyne.CanvasObject)) {
	if o == nil || !o.Visible() {
		return
	}
	f(o)
	switch w := o.(type) {
	case *fyne.Container:
		for _, c := range w.Objects {
			walk(c, f)
		}
	case *widget.Card:
		walk(w.Content, f)
	case *container.Scroll:
		walk(w.Content, f)
	}
}
