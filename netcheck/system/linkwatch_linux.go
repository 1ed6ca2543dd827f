package system

import (
	"context"
	"errors"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// watchInterfaces reports changes of the machine's interfaces and addresses
// (a network joined or left, an address added or removed) as the kernel
// announces them on a netlink route socket. It returns nil when it cannot
// listen; the caller then lists the interfaces on every check.
func watchInterfaces(ctx context.Context) <-chan struct{} {
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_RAW|unix.SOCK_CLOEXEC|unix.SOCK_NONBLOCK, unix.NETLINK_ROUTE)
	if err != nil {
		return nil
	}
	groups := uint32(unix.RTMGRP_LINK | unix.RTMGRP_IPV4_IFADDR | unix.RTMGRP_IPV6_IFADDR)
	if err := unix.Bind(fd, &unix.SockaddrNetlink{Family: unix.AF_NETLINK, Groups: groups}); err != nil {
		unix.Close(fd)
		return nil
	}
	// Through os.File the reads wait in Go's poller, so Close ends them.
	sock := os.NewFile(uintptr(fd), "netlink-route")
	changes := make(chan struct{}, 1)
	go func() {
		<-ctx.Done()
		sock.Close()
	}()
	go func() {
		buf := make([]byte, 16<<10)
		for {
			if _, err := sock.Read(buf); err != nil {
				if ctx.Err() != nil {
					return
				}
				// An overflow (ENOBUFS) lost events: report a change. Any
				// other error is retried after a pause, never in a loop.
				if !errors.Is(err, unix.ENOBUFS) {
					time.Sleep(time.Second)
				}
			}
			select {
			case changes <- struct{}{}:
			default: // one pending change is enough
			}
		}
	}()
	return changes
}
