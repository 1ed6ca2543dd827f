package main

import (
	"bufio"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"

	"github.com/godbus/dbus/v5"
)

// trayHost is the desktop's side of a tray, as far as Fyne's tray needs
// one: a StatusNotifierWatcher on the session bus that accepts items, and
// reads their icon and menu as a panel does.
type trayHost struct {
	conn *dbus.Conn
	mu   sync.Mutex
	// items are the status notifier items registered.
	items []trayItem
}

// trayItem is a registered item: the bus name that registered it and the
// path it gave.
type trayItem struct {
	sender dbus.Sender
	path   dbus.ObjectPath
}

// RegisterStatusNotifierItem is the watcher's method a tray icon calls.
func (t *trayHost) RegisterStatusNotifierItem(sender dbus.Sender, service string) *dbus.Error {
	t.mu.Lock()
	defer t.mu.Unlock()
	path := dbus.ObjectPath(service)
	if !path.IsValid() || !strings.HasPrefix(service, "/") {
		path = "/StatusNotifierItem"
	}
	t.items = append(t.items, trayItem{sender, path})
	return nil
}

func (t *trayHost) registered() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.items) > 0
}

func (t *trayHost) item() (trayItem, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.items) == 0 {
		return trayItem{}, errors.New("no tray item registered")
	}
	return t.items[len(t.items)-1], nil
}

// iconSize reads the item's icon as a panel does (IconPixmap) and returns
// the size of its largest bitmap, 0×0 when it has none.
func (t *trayHost) iconSize() (w, h int, err error) {
	it, err := t.item()
	if err != nil {
		return 0, 0, err
	}
	v, err := t.conn.Object(string(it.sender), it.path).GetProperty("org.kde.StatusNotifierItem.IconPixmap")
	if err != nil {
		return 0, 0, err
	}
	var pixmaps []struct {
		W, H int32
		Data []byte
	}
	if err := dbus.Store([]any{v.Value()}, &pixmaps); err != nil {
		return 0, 0, err
	}
	for _, p := range pixmaps {
		if int(p.W) > w && len(p.Data) == int(4*p.W*p.H) {
			w, h = int(p.W), int(p.H)
		}
	}
	return w, h, nil
}

// menuLayout is com.canonical.dbusmenu's layout of one item.
type menuLayout struct {
	ID       int32
	Props    map[string]dbus.Variant
	Children []dbus.Variant
}

// click clicks the tray menu item labelled label, as a panel does when
// the person picks it.
func (t *trayHost) click(label string) error {
	it, err := t.item()
	if err != nil {
		return err
	}
	obj := t.conn.Object(string(it.sender), "/StatusNotifierMenu")
	var revision uint32
	var root menuLayout
	if err := obj.Call("com.canonical.dbusmenu.GetLayout", 0, int32(0), int32(-1), []string{}).Store(&revision, &root); err != nil {
		return fmt.Errorf("reading the tray menu: %w", err)
	}
	for _, c := range root.Children {
		var item menuLayout
		if err := dbus.Store([]any{c.Value()}, &item); err != nil {
			return fmt.Errorf("reading the tray menu: %w", err)
		}
		if l, ok := item.Props["label"].Value().(string); ok && l == label {
			return obj.Call("com.canonical.dbusmenu.Event", 0, item.ID, "clicked", dbus.MakeVariant(""), uint32(0)).Err
		}
	}
	return fmt.Errorf("no %q in the tray menu", label)
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
