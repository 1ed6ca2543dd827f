package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// pathLabel shows a file's path on one line; a path too long for its width
// loses characters from its middle ("/home/ana/Flo…/backend/.env"), so
// that the file's name and its folder stay in view.
type pathLabel struct {
	widget.Label
	full string
}

func newPathLabel() *pathLabel {
	l := &pathLabel{}
	l.Truncation = fyne.TextTruncateClip
	l.Selectable = true
	l.ExtendBaseWidget(l)
	return l
}

// SetText shows path, shortened in the middle to fit.
func (l *pathLabel) SetText(path string) {
	l.full = path
	l.fit(l.Size().Width)
}

// Full is the whole path, however it is shown.
func (l *pathLabel) Full() string { return l.full }

// Resize shortens the path anew for the new width.
func (l *pathLabel) Resize(s fyne.Size) {
	l.Label.Resize(s)
	l.fit(s.Width)
}

func (l *pathLabel) fit(width float32) {
	text := l.full
	if width > 0 {
		room := width - 2*theme.InnerPadding()
		text = middleEllipsis(l.full, func(s string) bool {
			return fyne.MeasureText(s, theme.TextSize(), l.TextStyle).Width <= room
		})
	}
	if text != l.Text {
		l.Label.SetText(text)
	}
}

// middleEllipsis is s, or, when fits says it is too long, s with as few
// characters as will do taken from its middle and replaced by "…": two
// thirds of what is kept come from the end, where a path's file name is.
func middleEllipsis(s string, fits func(string) bool) string {
	if fits(s) {
		return s
	}
	r := []rune(s)
	cut := func(keep int) string {
		head := keep / 3
		return string(r[:head]) + "…" + string(r[len(r)-(keep-head):])
	}
	// The most characters kept that still fit: a binary search.
	lo, hi := 0, len(r)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if fits(cut(mid)) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return cut(lo)
}
