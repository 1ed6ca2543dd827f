package system

import (
	"context"
	"sync"
	"time"

	"golang.org/x/sys/windows"
)

// Windows announces interface changes (NotifyIpInterfaceChange) and address
// changes (NotifyUnicastIpAddressChange) through callbacks on its own
// threads. A Go callback is never freed, so there is one, made once, and it
// wakes every watcher; a spurious wake costs one check.

var (
	linkMu       sync.Mutex
	linkWatchers = map[chan struct{}]bool{}
	linkCallback = sync.OnceValue(func() uintptr {
		return windows.NewCallback(func(_, _ uintptr, _ uint32) uintptr {
			linkMu.Lock()
			defer linkMu.Unlock()
			for c := range linkWatchers {
				select {
				case c <- struct{}{}:
				default: // one pending change is enough
				}
			}
			return 0
		})
	})
)

// linkResync is how often a change is reported anyway: a safety net for a
// notification lost, and for Wine 8, which sends the initial notification
// and then never another.
var linkResync = 10 * time.Second

// linkInitialWait is how long the first (initial) notification may take to
// arrive before notification is taken as not working.
var linkInitialWait = 2 * time.Second

// watchInterfaces reports changes of the machine's interfaces and addresses
// (a network joined or left, an address added or removed) as Windows
// announces them, for IPv4 and IPv6, and every linkResync anyway. It
// returns nil when it cannot register, or when the initial notification
// Windows sends at once never comes; the caller then lists the interfaces
// on every check.
func watchInterfaces(ctx context.Context) <-chan struct{} {
	changes := make(chan struct{}, 1)
	linkMu.Lock()
	linkWatchers[changes] = true
	linkMu.Unlock()
	var handles []windows.Handle
	stop := func() {
		for _, h := range handles {
			windows.CancelMibChangeNotify2(h)
		}
		linkMu.Lock()
		delete(linkWatchers, changes)
		linkMu.Unlock()
	}
	cb := linkCallback()
	for _, notify := range []func(uint16, uintptr, *windows.Handle) error{
		func(f uint16, cb uintptr, h *windows.Handle) error {
			return windows.NotifyIpInterfaceChange(f, cb, nil, true, h)
		},
		func(f uint16, cb uintptr, h *windows.Handle) error {
			return windows.NotifyUnicastIpAddressChange(f, cb, nil, true, h)
		},
	} {
		var h windows.Handle
		if err := notify(windows.AF_UNSPEC, cb, &h); err != nil {
			stop()
			return nil
		}
		handles = append(handles, h)
	}
	select {
	case <-changes: // the initial notification: the first check lists anyway
	case <-time.After(linkInitialWait):
		stop()
		return nil
	}
	go func() {
		tick := time.NewTicker(linkResync)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				stop()
				return
			case <-tick.C:
				select {
				case changes <- struct{}{}:
				default:
				}
			}
		}
	}()
	return changes
}
