//go:build linux || freebsd || openbsd || netbsd

package ui

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// autostartPath is the XDG autostart entry: $XDG_CONFIG_HOME/autostart/,
// else ~/.config/autostart/.
func autostartPath() (string, error) {
	dir := os.Getenv("XDG_CONFIG_HOME")
	if dir == "" || !filepath.IsAbs(dir) {
		home, err := os.UserHomeDir()
		if err != nil {
			return "", fmt.Errorf("finding the home folder: %w", err)
		}
		dir = filepath.Join(home, ".config")
	}
	return filepath.Join(dir, "autostart", AppID+".desktop"), nil
}

// desktopEntry is the autostart entry that starts exe.
func desktopEntry(exe string) string {
	return "[Desktop Entry]\n" +
		"Type=Application\n" +
		"Name=Localguard\n" +
		"Comment=Keeps FlowMeter reachable from this computer only\n" +
		"Exec=" + desktopExecQuote(exe) + " " + hiddenFlag + "\n" +
		"Icon=" + AppID + "\n" +
		"Terminal=false\n" +
		"X-GNOME-Autostart-enabled=true\n"
}

// desktopExecQuote quotes a path for an Exec key, as the Desktop Entry
// Specification says: in double quotes, with ", `, $ and \ escaped by a
// backslash, and that backslash doubled as the string escape asks.
func desktopExecQuote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"', '`', '$':
			b.WriteString(`\\`)
		case '\\':
			b.WriteString(`\\\`)
		case '%':
			b.WriteString("%") // a field code: doubled below
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String()
}

// autostartEntry is what the entry at autostartPath says.
func autostartEntry(exe string) string { return desktopEntry(exe) }
