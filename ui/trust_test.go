package ui

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"localguard/netcheck"
)

// hostExposure is an exposure on a real address of this machine, which
// the store can identify as a network.
func hostExposure(t *testing.T) netcheck.Exposure {
	t.Helper()
	addNetwork(t)
	iface, a, ok := networkAddr(t)
	if !ok {
		t.Skip("this machine has no non-loopback IPv4 address to trust")
	}
	return netcheck.Exposure{
		Interface: iface, Address: a.Prefix.Addr().String(), Kind: a.Kind,
		URL: fmt.Sprintf("http://%s:8000", a.Prefix.Addr()),
	}
}

// networkAddr is this machine's first IPv4 address beyond loopback, with
// its interface's name; ok is false when it has none.
func networkAddr(t *testing.T) (iface string, a netcheck.InterfaceAddr, ok bool) {
	t.Helper()
	ifaces, err := netcheck.Interfaces()
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range ifaces {
		for _, a := range it.Addrs {
			if a.Kind != netcheck.KindLoopback && a.Prefix.Addr().Is4() {
				return it.Name, a, true
			}
		}
	}
	return "", netcheck.InterfaceAddr{}, false
}

// storedTrust reads the trusted networks as the next run would.
func storedTrust(t *testing.T, config string) []string {
	t.Helper()
	s, err := netcheck.OpenStore(filepath.Join(config, "localguard", "state.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, n := range s.Trusted {
		names = append(names, n.Interface)
	}
	return names
}

// TestTrustPersists ticks "I trust this network", checks the store on
// disk, unticks it, then trusts again and removes it from the settings.
func TestTrustPersists(t *testing.T) {
	dir := isolate(t)
	config := filepath.Join(dir, "config")
	h := newHarness(t, install(t, "HOST=127.0.0.1\n"))
	h.status(netcheck.StatusSafe)
	e := hostExposure(t)
	exposed := func(trusted bool) {
		v := verdicts["exposed"]
		l := v.Listeners[0]
		e.Trusted = trusted
		l.ExposedOn = []netcheck.Exposure{e}
		v.Listeners = []netcheck.Listener{l}
		h.u.render(v)
	}

	exposed(false)
	test.Tap(h.u.trust[0].check)
	if q := trustQuestion(e, true); q != "" {
		// A public address or a VPN asks first; not ticked until yes.
		if h.u.trustAnswer == nil || h.u.trust[0].check.Checked {
			t.Fatalf("trusting %s (%s) did not ask first", e.Interface, e.Kind)
		}
		h.u.trustAnswer(true)
	}
	h.until("the trust to be saved", func() bool { return slices.Contains(storedTrust(t, config), e.Interface) })

	h.status(netcheck.StatusSafe) // the watch restarts after the change
	exposed(true)
	if !h.u.trust[0].check.Checked {
		t.Fatal("a trusted exposure shows unticked")
	}
	test.Tap(h.u.trust[0].check)
	h.until("the trust to be removed", func() bool { return len(storedTrust(t, config)) == 0 })

	exposed(false)
	test.Tap(h.u.trust[0].check)
	if h.u.trustAnswer != nil {
		h.u.trustAnswer(true)
	}
	h.until("the trust to be saved again", func() bool { return len(storedTrust(t, config)) == 1 })
	// The networks of this computer's own guests (Docker's bridge...) are
	// listed too, after those the user trusted: trusted by default.
	ifaces, _ := netcheck.Interfaces()
	guests := len((&netcheck.Store{}).TrustedNetworks(ifaces))
	test.Tap(h.u.settingsBtn)
	h.until("the trusted networks in the settings", func() bool { return h.u.settings != nil && len(h.u.settings.remove) == 1+guests })
	test.Tap(h.u.settings.remove[0])
	h.until("the network to be removed", func() bool { return len(storedTrust(t, config)) == 0 && len(h.u.settings.remove) == guests })
}

// TestSettingsPersist changes the interval and the notifications and
// checks the settings file keeps them.
func TestSettingsPersist(t *testing.T) {
	isolate(t)
	h := newHarness(t, install(t, "HOST=127.0.0.1\n"))
	h.status(netcheck.StatusSafe)
	test.Tap(h.u.settingsBtn)
	sd := h.u.settings
	if sd.interval.Selected != intervalLabel(int(netcheck.DefaultInterval/time.Second)) || !sd.notifications.Checked {
		t.Fatalf("defaults: interval %q, notifications %v", sd.interval.Selected, sd.notifications.Checked)
	}
	sd.interval.SetSelected("every 30 seconds")
	test.Tap(sd.notifications)
	if got := h.u.prefs.interval().Seconds(); got != 30 {
		t.Errorf("interval saved as %vs, want 30s", got)
	}
	if h.u.prefs.notifications() {
		t.Error("notifications still on after unticking")
	}
	test.Tap(sd.close)
	test.Tap(h.u.settingsBtn)
	if h.u.settings.interval.Selected != "every 30 seconds" || h.u.settings.notifications.Checked {
		t.Errorf("reopened: interval %q, notifications %v", h.u.settings.interval.Selected, h.u.settings.notifications.Checked)
	}
}
