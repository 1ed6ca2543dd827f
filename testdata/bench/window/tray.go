package main

import (
	"bufio"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/godbus/dbus/v5"
)

// trayHost is the desktop's side of a tray, as far as fyne.io/systray
// needs one: a StatusNotifierWatcher on the session bus that accepts
// items, and reads their icon and menu as a panel does; and the desktop's
// notification service, which notes when each notification came.
type trayHost struct {
	conn *dbus.Conn
	mu   sync.Mutex
	// items are the status notifier items registered.
	items []trayItem
	// notes are when notifications came, and their titles.
	notes []note
}

// note is one notification received.
type note struct {
	at    time.Time
	title string
}

// notifier is the notification service's object.
type notifier struct{ t *trayHost }

// Notify is org.freedesktop.Notifications.Notify.
func (n notifier) Notify(app string, replaces uint32, icon, summary, body string, actions []string, hints map[string]dbus.Variant, timeout int32) (uint32, *dbus.Error) {
	n.t.mu.Lock()
	defer n.t.mu.Unlock()
	n.t.notes = append(n.t.notes, note{time.Now(), summary})
	return uint32(len(n.t.notes)), nil
}

// GetCapabilities is org.freedesktop.Notifications.GetCapabilities.
func (n notifier) GetCapabilities() ([]string, *dbus.Error) { return []string{"body"}, nil }

// GetServerInformation is org.freedesktop.Notifications.GetServerInformation.
func (n notifier) GetServerInformation() (string, string, string, string, *dbus.Error) {
	return "bench", "localguard", "1", "1.2", nil
}

// notifications is how many notifications came so far.
func (t *trayHost) notifications() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.notes)
}

// waitNotification waits for a notification after the first n and
// returns when it came.
func (t *trayHost) waitNotification(n int, limit time.Duration) (time.Time, error) {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		t.mu.Lock()
		if len(t.notes) > n {
			at := t.notes[n].at
			t.mu.Unlock()
			return at, nil
		}
		t.mu.Unlock()
		time.Sleep(5 * time.Millisecond)
	}
	return time.Time{}, fmt.Errorf("no notification within %v", limit)
}

// count is how many items registered so far.
func (t *trayHost) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.items)
}

// waitRegistered waits for an item after the first n.
func (t *trayHost) waitRegistered(n int, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for t.count() <= n {
		if time.Now().After(deadline) {
			return fmt.Errorf("no tray icon registered within %v", limit)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return nil
}

// waitIcon waits until the newest item's icon is the shield of colour rgb
// (RRGGBB), read from its largest bitmap as a panel reads it, every 5 ms.
func (t *trayHost) waitIcon(rgb string, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	last := ""
	for time.Now().Before(deadline) {
		c, err := t.iconColor()
		if err == nil && c == rgb {
			return nil
		}
		last = c
		time.Sleep(5 * time.Millisecond)
	}
	return fmt.Errorf("the tray icon did not turn #%s within %v (it is #%s)", rgb, limit, last)
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

// iconColor reads the item's icon as a panel does (IconPixmap, ARGB in
// network order) and returns the colour at the middle of its largest
// bitmap, as RRGGBB.
func (t *trayHost) iconColor() (string, error) {
	it, err := t.item()
	if err != nil {
		return "", err
	}
	v, err := t.conn.Object(string(it.sender), it.path).GetProperty("org.kde.StatusNotifierItem.IconPixmap")
	if err != nil {
		return "", err
	}
	var pixmaps []struct {
		W, H int32
		Data []byte
	}
	if err := dbus.Store([]any{v.Value()}, &pixmaps); err != nil {
		return "", err
	}
	w, h, best := 0, 0, -1
	for i, p := range pixmaps {
		if int(p.W) > w && len(p.Data) == int(4*p.W*p.H) {
			w, h, best = int(p.W), int(p.H), i
		}
	}
	if best < 0 {
		return "", errors.New("the tray icon has no bitmap")
	}
	// The shield's fill is its most common opaque colour that is not the
	// white of its mark.
	counts := map[string]int{}
	data := pixmaps[best].Data
	for i := 0; i+3 < len(data) && i < 4*w*h; i += 4 {
		if data[i] < 250 || (data[i+1] > 240 && data[i+2] > 240 && data[i+3] > 240) {
			continue
		}
		counts[fmt.Sprintf("%02x%02x%02x", data[i+1], data[i+2], data[i+3])]++
	}
	top, n := "", 0
	for c, k := range counts {
		if k > n {
			top, n = c, k
		}
	}
	return top, nil
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
	if err := conn.Export(notifier{t}, "/org/freedesktop/Notifications", "org.freedesktop.Notifications"); err != nil {
		return fmt.Errorf("exporting the notification service: %w", err)
	}
	reply, err = conn.RequestName("org.freedesktop.Notifications", dbus.NameFlagDoNotQueue)
	if err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		return fmt.Errorf("owning org.freedesktop.Notifications: %v (reply %v)", err, reply)
	}
	b.tray = t
	b.env = append(b.env, "DBUS_SESSION_BUS_ADDRESS="+addr)
	return nil
}
