package ui

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows"
)

// claimInstance makes this process the user's one Localguard in this
// Windows session: it holds a named mutex, and waits on a named event a
// later start sets to have its window opened. When one already runs, its
// event is set and errRunning returned. (A later start's --env is not
// handed over on Windows: the running one opens its window on the install
// it shows.)
func claimInstance(env string, open func(env string)) (release func(), err error) {
	mutexName, _ := windows.UTF16PtrFromString(`Local\` + instanceName)
	eventName, _ := windows.UTF16PtrFromString(`Local\` + instanceName + ".open")
	// The event first (auto-reset; the running Localguard's own, when one
	// runs): a start that finds the mutex always finds the event too.
	ev, err := windows.CreateEvent(nil, 0, 0, eventName)
	if err != nil && !errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		return nil, fmt.Errorf("making sure Localguard runs once: %w", err)
	}
	mutex, err := windows.CreateMutex(nil, false, mutexName)
	if errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		windows.CloseHandle(mutex)
		defer windows.CloseHandle(ev)
		if err := windows.SetEvent(ev); err != nil {
			return nil, fmt.Errorf("another Localguard is already running, but could not be asked to open its window (%v): quit it from its tray icon and start it again", err)
		}
		return nil, errRunning
	}
	if err != nil {
		windows.CloseHandle(ev)
		return nil, fmt.Errorf("making sure Localguard runs once: %w", err)
	}
	go func() {
		for {
			s, err := windows.WaitForSingleObject(ev, windows.INFINITE)
			if err != nil || s != windows.WAIT_OBJECT_0 {
				return
			}
			open("")
		}
	}()
	return func() { windows.CloseHandle(mutex) }, nil
}
