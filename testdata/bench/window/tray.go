package main

import (
	"bufio"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"

	"github.com/godbus/dbus/v5"
)

// trayHost is the desktop's side of a tray, as far as Fyne's tray needs
// one: a StatusNotifierWatcher on the session bus that accepts items.
type trayHost struct {
	conn *dbus.Conn
	mu   sync.Mutex
	// items are the status notifier items registered.
	items []string
}

// RegisterStatusNotifierItem is the watcher's method a tray icon calls.
func (t *trayHost) RegisterStatusNotifierItem(service string) *dbus.Error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.items = append(t.items, service)
	return nil
}

func (t *trayHost) registered() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.items) > 0
}

// startBus starts a private session bus and the tray host on it, and
// gives the children its address.
func (b *bench) startBus() error {
	cmd := exec.Command(lookPath("dbus-daemon"), "--session", "--nofork", "--print-address")
	cmd.Env = b.env
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting dbus-daemon: %w", err)
	}
	b.onCleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	addr, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return fmt.Errorf("dbus-daemon gave no address: %w", err)
	}
	addr = strings.TrimSpace(addr)
	conn, err := dbus.Connect(addr)
	if err != nil {
		return fmt.Errorf("connecting to the session bus: %w", err)
	}
	b.onCleanup(func() { conn.Close() })
	t := &trayHost{conn: conn}
	if err := conn.Export(t, "/StatusNotifierWatcher", "org.kde.StatusNotifierWatcher"); err != nil {
		return fmt.Errorf("exporting the tray host: %w", err)
	}
	reply, err := conn.RequestName("org.kde.StatusNotifierWatcher", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		return fmt.Errorf("owning org.kde.StatusNotifierWatcher: %v (reply %v)", err, reply)
	}
	b.tray = t
	b.env = append(b.env, "DBUS_SESSION_BUS_ADDRESS="+addr)
	return nil
}
