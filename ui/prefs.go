package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"fyne.io/fyne/v2"

	"localguard/envfix"
	"localguard/netcheck"
)

// prefs are the window's and the tray's own settings: how often to check,
// whether to notify, and whether closing to the tray was explained. They
// live in a file of their own beside netcheck's store (what the engine
// remembers: the install, the trusted networks), not in Fyne's
// preferences, because the tray process that reads them runs no Fyne
// app. Both processes read the file; the window writes it while it is
// open and tells the tray, which reads it again (see link).
type prefs struct {
	mu   sync.Mutex
	path string // "" when nothing is kept on disk
	v    prefValues
}

// prefValues is the file's content.
type prefValues struct {
	IntervalSeconds int   `json:"interval_seconds,omitempty"`
	Notifications   *bool `json:"notifications,omitempty"`
	ToldTray        bool  `json:"told_tray,omitempty"`
	// WindowWidth and WindowHeight are the window's size when it was
	// last closed, so that it opens again as the user left it.
	WindowWidth  float32 `json:"window_width,omitempty"`
	WindowHeight float32 `json:"window_height,omitempty"`
	// WindowPosition is where the window stood when it was last closed,
	// in the system's own terms (see winpos.go); absent until a position
	// could be read (never on Wayland).
	WindowPosition *windowPos `json:"window_position,omitempty"`
}

// defaultWindowSize is the window's size at its first opening.
var defaultWindowSize = fyne.NewSize(800, 600)

// minWindowSize is the smallest size kept: the window is laid out for
// 600×400 and up.
var minWindowSize = fyne.NewSize(600, 400)

// windowSize is the size the window opens at: as it was last closed, or
// the default.
func (p *prefs) windowSize() fyne.Size {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.v.WindowWidth <= 0 || p.v.WindowHeight <= 0 {
		return defaultWindowSize
	}
	return fyne.NewSize(p.v.WindowWidth, p.v.WindowHeight).Max(minWindowSize)
}

// setWindowSize keeps the window's size for its next opening; an
// unchanged size writes nothing.
func (p *prefs) setWindowSize(s fyne.Size) error {
	if s.Width <= 0 || s.Height <= 0 {
		return nil
	}
	p.mu.Lock()
	same := p.v.WindowWidth == s.Width && p.v.WindowHeight == s.Height
	p.mu.Unlock()
	if same {
		return nil
	}
	return p.change(func(v *prefValues) { v.WindowWidth, v.WindowHeight = s.Width, s.Height })
}

// windowPosition is where the window stood when it was last closed; ok
// is false when no position is kept.
func (p *prefs) windowPosition() (pos windowPos, ok bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.v.WindowPosition == nil {
		return windowPos{}, false
	}
	return *p.v.WindowPosition, true
}

// setWindowPosition keeps the window's position for its next opening; an
// unchanged position writes nothing.
func (p *prefs) setWindowPosition(pos windowPos) error {
	p.mu.Lock()
	same := p.v.WindowPosition != nil && *p.v.WindowPosition == pos
	p.mu.Unlock()
	if same {
		return nil
	}
	return p.change(func(v *prefValues) { v.WindowPosition = &pos })
}

// prefsFile is the settings file: beside the store, in Localguard's
// folder of the user's configuration folder.
func prefsFile() string {
	if homeMissing != nil {
		return "" // the configuration folder is a temporary one
	}
	store, err := netcheck.DefaultStorePath()
	if err != nil {
		return ""
	}
	return filepath.Join(filepath.Dir(store), "settings.json")
}

// loadPrefs reads the settings at path; a missing or unreadable file
// gives the defaults (a damaged one is replaced at the next change).
func loadPrefs(path string) *prefs {
	p := &prefs{path: path}
	if path == "" {
		return p
	}
	// Read through envfix.ReadFile: the window may be replacing it.
	var v prefValues
	if b, err := envfix.ReadFile(path); err == nil && json.Unmarshal(b, &v) == nil {
		p.v = v // damaged or unreadable: the defaults
	}
	return p
}

// set takes v as the settings, in memory (what the window says it has).
func (p *prefs) set(v prefValues) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.v = v
}

// values are the settings as they are now.
func (p *prefs) values() prefValues {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.v
}

// interval is how often the watch checks.
func (p *prefs) interval() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.v.IntervalSeconds < 1 {
		return netcheck.DefaultInterval
	}
	return time.Duration(p.v.IntervalSeconds) * time.Second
}

// notifications reports whether a change of status is notified.
func (p *prefs) notifications() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.v.Notifications == nil || *p.v.Notifications
}

// toldTray reports whether closing to the tray was explained once.
func (p *prefs) toldTray() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.v.ToldTray
}

func (p *prefs) setInterval(d time.Duration) error {
	return p.change(func(v *prefValues) { v.IntervalSeconds = int(d / time.Second) })
}

func (p *prefs) setNotifications(on bool) error {
	return p.change(func(v *prefValues) { v.Notifications = &on })
}

func (p *prefs) setToldTray() error {
	return p.change(func(v *prefValues) { v.ToldTray = true })
}

// change changes the settings and writes them. Without a file the change
// holds for this run.
func (p *prefs) change(f func(*prefValues)) error {
	p.mu.Lock()
	// What the other process wrote since (the window's size, written as
	// it closed) is kept: the change applies to the file as it is now.
	if p.path != "" {
		var now prefValues
		if b, err := envfix.ReadFile(p.path); err == nil && json.Unmarshal(b, &now) == nil {
			p.v = now
		}
	}
	f(&p.v)
	v := p.v
	p.mu.Unlock()
	if p.path == "" {
		return nil
	}
	b, _ := json.MarshalIndent(v, "", "  ")
	dir := filepath.Dir(p.path)
	// Localguard's own folder is made when missing, never the folders
	// above it (as the store does).
	if err := os.Mkdir(dir, 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("saving the settings: %w", err)
	}
	if err := envfix.WriteFileAtomic(p.path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("saving the settings: %w", err)
	}
	return nil
}

// Fyne's preference keys, where versions before the settings file kept
// the window's settings.
const (
	fynePrefInterval      = "checkIntervalSeconds"
	fynePrefNotifications = "notifications"
	fynePrefToldTray      = "toldTray"
)

// adoptFynePrefs takes the settings an earlier version kept in Fyne's
// preferences, the first time the window runs with no settings file of
// its own; it reports whether it took any.
func (p *prefs) adoptFynePrefs(old fyne.Preferences) bool {
	if p.path == "" {
		return false
	}
	if _, err := os.Stat(p.path); !errors.Is(err, fs.ErrNotExist) {
		return false
	}
	var v prefValues
	v.IntervalSeconds = old.IntWithFallback(fynePrefInterval, 0)
	// Kept when both fallbacks give the same: the value is there.
	if on := old.BoolWithFallback(fynePrefNotifications, true); on == old.BoolWithFallback(fynePrefNotifications, false) {
		v.Notifications = &on
	}
	v.ToldTray = old.Bool(fynePrefToldTray)
	if v == (prefValues{}) {
		return false
	}
	p.change(func(cur *prefValues) { *cur = v })
	return true
}
