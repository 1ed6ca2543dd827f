package netcheck

import "strings"

// ShellName is the shell commands to paste are quoted for: PowerShell, the
// shell Windows opens by default (Windows Terminal, Win+X).
const ShellName = "PowerShell"

// ShellNote follows the words before a command to paste ("fix"): the shell it is
// quoted for, where that is not the obvious one.
const ShellNote = " (in PowerShell)"

// shellQuote quotes for PowerShell: bare when only characters PowerShell
// reads literally in an argument, else a verbatim single-quoted string, in
// which nothing expands ($, `, %) and a quote is doubled. PowerShell also
// takes the typographic quotes ‘ ’ ‚ ‛ as single quotes, so they are
// doubled too.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune(`\/._-:`, r))
	}) < 0 {
		return s
	}
	var b strings.Builder
	b.WriteByte('\'')
	for _, r := range s {
		if strings.ContainsRune("'\u2018\u2019\u201a\u201b", r) {
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String()
}
