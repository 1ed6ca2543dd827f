// Command baretray is the bench's peer for the tray: a bare
// fyne.io/systray program with Localguard's shield and a menu of the same
// shape, doing nothing else; its icon is the PNG named by its argument
// (it imports nothing of Localguard's, nor of Fyne's). `make
// bench-window` measures it beside Localguard in the tray.
package main

import (
	"fmt"
	"os"

	"fyne.io/systray"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: baretray ICON.png")
		os.Exit(2)
	}
	icon, err := os.ReadFile(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "baretray:", err)
		os.Exit(1)
	}
	systray.Run(func() {
		systray.SetIcon(icon)
		systray.SetTooltip("Bare tray")
		status := systray.AddMenuItem("Bare tray", "")
		status.Disable()
		systray.AddSeparator()
		systray.AddMenuItem("Make it local-only…", "")
		systray.AddMenuItem("Open", "")
		systray.AddMenuItem("Check now", "")
		systray.AddSeparator()
		quit := systray.AddMenuItem("Quit", "")
		go func() {
			<-quit.ClickedCh
			systray.Quit()
		}()
	}, nil)
}
