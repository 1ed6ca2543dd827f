package ui

import "localguard/netcheck"

// peer hears what the window shows and what the user changes in it.
type peer interface {
	// verdict: the window shows v.
	verdict(v netcheck.Verdict)
	// fixed: a fix was applied; the next safe verdict is its effect.
	fixed()
	// changed: a setting, a trusted network or the install changed.
	changed()
}

// trayPeer is the tray process, over the window's standard output: the
// tray shows each verdict in its icon and menu, notifies, and reads the
// settings again when told.
type trayPeer struct {
	link  *link
	prefs *prefs // the window's settings, sent with each change
}

func (p *trayPeer) verdict(v netcheck.Verdict) { p.link.send(message{Op: opVerdict, Verdict: &v}) }
func (p *trayPeer) fixed()                     { p.link.send(message{Op: opFixed}) }
func (p *trayPeer) changed() {
	v := p.prefs.values()
	p.link.send(message{Op: opChanged, Prefs: &v})
}

// shown answers the tray's open or fix: done.
func (p *trayPeer) shown() { p.link.send(message{Op: opShown}) }

// notesPeer is the window alone, where the desktop has no tray: it
// notifies by itself.
type notesPeer struct{ notes notifier }

func (p *notesPeer) verdict(v netcheck.Verdict) { p.notes.verdict(v) }
func (p *notesPeer) fixed()                     { p.notes.fixApplied() }
func (p *notesPeer) changed()                   {}
