//go:build darwin

package ui

import (
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// autostartPath is the LaunchAgent: ~/Library/LaunchAgents/<AppID>.plist.
func autostartPath() (string, error) {
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("finding the home folder: %w", err)
	}
	return filepath.Join(home, "Library", "LaunchAgents", AppID+".plist"), nil
}

// launchAgent is the property list that starts exe at login.
func launchAgent(exe string) string {
	var quoted strings.Builder
	xml.EscapeText(&quoted, []byte(exe))
	return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Label</key>
	<string>` + AppID + `</string>
	<key>ProgramArguments</key>
	<array>
		<string>` + quoted.String() + `</string>
		<string>` + hiddenFlag + `</string>
	</array>
	<key>RunAtLoad</key>
	<true/>
	<key>ProcessType</key>
	<string>Interactive</string>
</dict>
</plist>
`
}

// autostartEntry is what the entry at autostartPath says.
func autostartEntry(exe string) string { return launchAgent(exe) }
