package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"localguard/netcheck"
)

// settingsDialog is the settings: interval, notifications, start at
// login, trusted networks.
type settingsDialog struct {
	d             dialog.Dialog
	interval      *widget.Select
	notifications *widget.Check
	startAtLogin  *widget.Check
	trusted       *fyne.Container
	remove        []*widget.Button
	close         *widget.Button
}

func (u *window) tapSettings() {
	sd := &settingsDialog{}
	var labels []string
	for _, i := range intervals {
		labels = append(labels, i.label)
	}
	sd.interval = widget.NewSelect(labels, func(label string) {
		for _, i := range intervals {
			if d := time.Duration(i.seconds) * time.Second; i.label == label && d != u.prefs.interval() {
				if err := u.prefs.setInterval(d); err != nil {
					u.say(sentence(err), true)
				}
				u.eng.setInterval(d)
			}
		}
	})
	sd.interval.Selected = intervalLabel(int(u.prefs.interval() / time.Second))
	sd.notifications = widget.NewCheck("Notify me when FlowMeter's status changes", func(on bool) {
		if err := u.prefs.setNotifications(on); err != nil {
			u.say(sentence(err), true)
		}
		u.peer.changed()
	})
	sd.notifications.Checked = u.prefs.notifications()
	sd.startAtLogin = widget.NewCheck(autostartWords(), nil)
	sd.startAtLogin.Checked = autostartEnabled()
	sd.startAtLogin.OnChanged = func(on bool) { u.setStartAtLogin(sd, on) }
	sd.trusted = container.NewVBox(plain("Reading…"))
	sd.close = widget.NewButton("Close", func() { sd.d.Hide() })
	form := widget.NewForm(
		widget.NewFormItem("Check", sd.interval),
		widget.NewFormItem("Notifications", sd.notifications),
		widget.NewFormItem("At login", sd.startAtLogin),
		widget.NewFormItem("Version", plain(Version)),
	)
	// The list scrolls in a fixed height: removing a network does not
	// shrink and re-centre the dialog under the pointer.
	list := container.NewVScroll(sd.trusted)
	list.SetMinSize(fyne.NewSize(0, 120))
	content := container.NewVBox(form, section("Trusted networks"), list)
	u.settings = sd
	sd.d = u.showDialog("Settings", content, buttons(sd.close, sd.close), 560, func() {
		if u.settings == sd {
			u.settings = nil
		}
	})
	u.listTrusted(sd)
}

// setStartAtLogin writes or removes the login entry; on failure the
// check goes back and the window says why.
func (u *window) setStartAtLogin(sd *settingsDialog, on bool) {
	var err error
	if on {
		err = enableAutostart()
	} else {
		err = disableAutostart()
	}
	if err != nil {
		sd.startAtLogin.OnChanged = nil
		sd.startAtLogin.SetChecked(!on)
		sd.startAtLogin.OnChanged = func(on bool) { u.setStartAtLogin(sd, on) }
		u.say("Could not change starting at login: "+err.Error(), true)
	}
}

// listTrusted fills the trusted networks, each with Remove.
func (u *window) listTrusted(sd *settingsDialog) {
	u.eng.trusted(func(list []netcheck.Network) {
		u.do(func() {
			sd.trusted.RemoveAll()
			sd.remove = nil
			if len(list) == 0 {
				sd.trusted.Add(plain("None. Tick \"I trust this network\" next to an address in the window to add one."))
			}
			for _, n := range list {
				// A network of this computer's own guests is trusted by
				// default: untrusting it is remembered.
				label := "Remove"
				if n.Virtual {
					label = "Untrust"
				}
				b := widget.NewButtonWithIcon(label, theme.DeleteIcon(), func() {
					u.eng.distrust(n, func(err error) {
						u.do(func() {
							if err != nil {
								u.say("Could not remove "+n.Interface+": "+err.Error(), true)
							}
							u.listTrusted(sd)
						})
					})
				})
				sd.remove = append(sd.remove, b)
				sd.trusted.Add(container.NewBorder(nil, nil, nil, b, plain(networkWords(n))))
			}
		})
	})
}

// networkWords names a trusted network as people know it, with its
// address range: Wi-Fi "Home" (192.168.1.0/24); by its interface where the
// system gave no name: wlan0 (192.168.1.0/24). The gateway's hardware
// address, which tells it from a café's with the same range, stays out:
// nobody knows a network by it.
func networkWords(n netcheck.Network) string {
	if n.Name != "" {
		return fmt.Sprintf("%s (%s)", n.Name, n.Subnet)
	}
	return fmt.Sprintf("%s (%s)", n.Interface, n.Subnet)
}

// autostartWords says what starting at login does: that Localguard
// starts hidden in the tray. The program's path, which would make the
// dialog wider than the window, is in the README.
func autostartWords() string {
	return "Start Localguard when I log in, hidden in the tray"
}
