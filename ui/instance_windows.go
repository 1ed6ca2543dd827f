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
	mutexName, _ := windows.UTF16PtrFromString(`Local\` + busName)
	eventName, _ := windows.UTF16PtrFromString(`Local\` + busName + ".open")
	mutex, err := windows.CreateMutex(nil, false, mutexName)
	if errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		windows.CloseHandle(mutex)
		ev, err := windows.OpenEvent(windows.EVENT_MODIFY_STATE, false, eventName)
		if err != nil {
			return nil, fmt.Errorf("another Localguard is already running, but could not be asked to open its window (%v): quit it from its tray icon and start it again", err)
		}
		defer windows.CloseHandle(ev)
		if err := windows.SetEvent(ev); err != nil {
			return nil, fmt.Errorf("another Localguard is already running, but could not be asked to open its window (%v)", err)
		}
		return nil, errRunning
	}
	if err != nil {
		return nil, fmt.Errorf("making sure Localguard runs once: %w", err)
	}
	// Auto-reset. It may be there already: a Localguard that quit but
	// still ends holds it a moment; it is the same event, which this one
	// now waits on.
	ev, err := windows.CreateEvent(nil, 0, 0, eventName)
	if err != nil && !errors.Is(err, windows.ERROR_ALREADY_EXISTS) {
		windows.CloseHandle(mutex)
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
