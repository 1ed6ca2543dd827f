package ui

import (
	"bufio"
	"encoding/json"
	"io"
	"sync"

	"localguard/netcheck"
)

// The tray process and its window process talk over the window's
// standard input and output, one JSON message per line: no socket, no
// port, nothing another program can reach.
//
// The tray sends the window what the tray menu asks (open, fix, check
// now, quit) and, when the window starts, the verdict the tray shows.
// The window sends the tray every verdict it shows, says when the user
// changed what the tray must know (settings, trusted networks, the
// install) and when a fix was applied, and answers each open or fix once
// done (a window closing as it was asked is gone before it could do it:
// the tray then opens a new one).
const (
	opVerdict = "verdict" // v: the verdict shown (both ways)
	opChanged = "changed" // settings, trust or install changed: read them again
	opFixed   = "fixed"   // a fix was applied: the next green is its effect
	opRaise   = "raise"   // show the window and bring it to the front
	opFix     = "fix"     // show the window and start the fix
	opCheck   = "check"   // check now
	opQuit    = "quit"    // Localguard quits
	opShown   = "shown"   // the window did what opRaise or opFix asked
)

// message is one line between the tray and its window.
type message struct {
	Op      string            `json:"op"`
	Verdict *netcheck.Verdict `json:"verdict,omitempty"`
	// Env is the install to show (opRaise from a second start with
	// --env).
	Env string `json:"env,omitempty"`
	// Prefs are the window's settings as they are now (opChanged): the
	// tray takes them as they are, whether or not they could be saved.
	Prefs *prefValues `json:"prefs,omitempty"`
}

// link sends messages on one stream; safe for concurrent use.
type link struct {
	mu  sync.Mutex
	enc *json.Encoder
}

func newLink(w io.Writer) *link { return &link{enc: json.NewEncoder(w)} }

// send writes m; a closed peer is not an error worth telling anyone
// about: the other side is gone and does its own cleaning up.
func (l *link) send(m message) {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.enc.Encode(m)
}

// receive calls handle with each message read from r until r ends.
// A line that is not a message is skipped.
func receive(r io.Reader, handle func(message)) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 16<<20) // a verdict with many relays is long
	for sc.Scan() {
		var m message
		if json.Unmarshal(sc.Bytes(), &m) == nil && m.Op != "" {
			handle(m)
		}
	}
}
