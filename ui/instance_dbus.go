//go:build linux || freebsd || openbsd || netbsd

package ui

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/godbus/dbus/v5"
	"golang.org/x/sys/unix"
)

// opener is Localguard's object on the session bus: a later start calls
// its Open.
type opener struct{ open func(env string) }

// Open opens the window, on the install whose .env is env when not "".
func (o opener) Open(env string) *dbus.Error {
	go o.open(env)
	return nil
}

// claimInstance makes this process the user's one Localguard. Another
// start finds it by its name on the session bus (as desktop applications
// do) and calls its Open, which runs open. When one already runs, it is
// asked to open its window for env and errRunning is returned.
//
// Without a session bus (no desktop session: no tray either), a lock file
// keeps the user to one Localguard, which cannot be asked for its window.
func claimInstance(env string, open func(env string)) (release func(), err error) {
	conn, err := dbus.SessionBus() // shared with the tray and notifications: not closed
	if err != nil {
		return claimLockFile()
	}
	return claimOn(conn, env, open)
}

// claimOn is claimInstance on the bus conn.
func claimOn(conn *dbus.Conn, env string, open func(env string)) (release func(), err error) {
	if err := conn.Export(opener{open}, busPath, busName); err != nil {
		return nil, fmt.Errorf("offering Localguard on the session bus: %w", err)
	}
	reply, err := conn.RequestName(instanceName, dbus.NameFlagDoNotQueue)
	if err != nil {
		conn.Export(nil, busPath, busName)
		return nil, fmt.Errorf("taking Localguard's name on the session bus: %w", err)
	}
	if reply == dbus.RequestNameReplyPrimaryOwner {
		return func() { conn.ReleaseName(instanceName); conn.Export(nil, busPath, busName) }, nil
	}
	conn.Export(nil, busPath, busName)
	ctx, cancel := context.WithTimeout(context.Background(), askTimeout)
	defer cancel()
	call := conn.Object(instanceName, busPath).CallWithContext(ctx, busName+".Open", 0, env)
	if call.Err != nil {
		return nil, fmt.Errorf("another Localguard is already running, but did not answer when asked to open its window (%v): quit it from its tray icon and start it again", call.Err)
	}
	return nil, errRunning
}

// claimLockFile holds a lock only one Localguard of this user can hold,
// in the user's runtime folder (or the temporary one).
func claimLockFile() (release func(), err error) {
	dir := os.Getenv("XDG_RUNTIME_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, "localguard-"+strconv.Itoa(os.Getuid())+".lock")
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("making sure Localguard runs once: %w", err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, errors.New("another Localguard is already running for this user, and without a desktop session bus it cannot be asked to show its window: switch to it")
		}
		return nil, fmt.Errorf("making sure Localguard runs once: %w", err)
	}
	return func() { f.Close() }, nil
}
