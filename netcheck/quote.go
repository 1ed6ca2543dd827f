package netcheck

// ShellQuote quotes an argument (a path) for a command a person pastes into
// the shell of this OS: PowerShell, the default on Windows; a POSIX shell
// elsewhere. ShellName names that shell.
func ShellQuote(s string) string { return shellQuote(s) }
