package ui

import (
	"errors"
	"time"
)

// errRunning means another Localguard of this user runs: it was asked to
// open its window, and this start has nothing more to do.
var errRunning = errors.New("another Localguard is already running: its window was opened")

// busName is Localguard's name on the session bus, and its object there.
const (
	busName = AppID
	busPath = "/io/github/localguard/localguard"
)

// instanceName is the one Localguard's name: on the session bus, and of
// the Windows mutex and event (tests give theirs another, so as never to
// reach a real one).
var instanceName = busName

// askTimeout is how long a start waits for the running Localguard, or the
// desktop's notification service, to answer.
const askTimeout = 5 * time.Second
