package ui

import (
	"path/filepath"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"

	"localguard/netcheck"
)

// tapChoose opens the folder chooser, starting at the install's folder.
func (u *window) tapChoose() {
	d := dialog.NewFolderOpen(func(dir fyne.ListableURI, err error) {
		if err != nil {
			u.say("Could not open that folder: "+err.Error(), true)
			return
		}
		if dir == nil {
			return // cancelled
		}
		env, err := netcheck.InstallIn(dir.Path())
		if err != nil {
			u.say(err.Error(), true)
			return
		}
		u.chooseInstall(env)
	}, u.win)
	if start := u.verdict.Env.Path; start != "" {
		if uri, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(start))); err == nil {
			d.SetLocation(uri)
		}
	}
	d.Resize(fyne.NewSize(640, 480))
	d.Show()
}

// chooseInstall watches the install whose settings file is envPath.
func (u *window) chooseInstall(envPath string) {
	u.installPath.SetText(envPath)
	u.title.SetText("Checking FlowMeter…")
	u.fixed = false
	u.undo.Hide()
	u.eng.choose(envPath, func(err error) {
		if err != nil {
			u.do(func() { u.say("Could not use "+envPath+": "+err.Error(), true) })
		}
	})
}
