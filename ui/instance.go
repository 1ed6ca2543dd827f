package ui

import "errors"

// errRunning means another Localguard of this user runs: it was asked to
// open its window, and this start has nothing more to do.
var errRunning = errors.New("another Localguard is already running: its window was opened")

// busName is Localguard's name on the session bus, and its object there.
const (
	busName = AppID
	busPath = "/io/github/localguard/localguard"
)
