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
	// It says what to choose; folders are listed one per line, their
	// names whole (the grid breaks them mid-word).
	d.SetTitleText("Choose the FlowMeter folder (the one with backend/ in it)")
	d.SetConfirmText("Use this folder")
	d.SetView(dialog.ListView)
	if start := u.verdict.Env.Path; start != "" {
		if uri, err := storage.ListerForURI(storage.NewFileURI(filepath.Dir(start))); err == nil {
			d.SetLocation(uri)
		}
	}
	d.Resize(dialogSizeIn(fyne.NewSize(640, 480), u.win.Canvas().Size()))
	u.folder = d
	d.SetOnClosed(func() {
		if u.folder == d {
			u.folder = nil
		}
	})
	d.Show()
}

// chooseInstall watches the install whose settings file is envPath.
func (u *window) chooseInstall(envPath string) {
	// Nothing said of the install before (a wrong folder) holds for this
	// one.
	u.clearNotice()
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
