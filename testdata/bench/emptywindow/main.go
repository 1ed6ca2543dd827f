// Command emptywindow is the peer of Localguard's window in `make bench`:
// an empty Fyne window of the same size, built the same way, so that
// Localguard's memory and idle CPU are read against Fyne's own.
package main

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/widget"
)

func main() {
	a := app.NewWithID("io.github.localguard.bench.emptywindow")
	w := a.NewWindow("Empty Fyne window")
	w.SetContent(widget.NewLabel(""))
	w.Resize(fyne.NewSize(780, 740)) // Localguard's window's size (ui.newMainWindow)
	w.ShowAndRun()
}
