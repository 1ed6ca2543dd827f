//go:build !windows

package netcheck

import "strings"

// ShellName is the shell commands to paste are quoted for.
const ShellName = "sh"

// ShellNote follows the words before a command to paste ("fix"): the shell it is
// quoted for, where that is not the obvious one.
const ShellNote = ""

// shellQuote quotes for a POSIX shell: bare when only safe characters,
// else in single quotes, each single quote closed, escaped and reopened.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+:@%", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
