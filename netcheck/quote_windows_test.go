package netcheck

import "testing"

// TestShellQuotePowerShell: paths come out as PowerShell reads them back
// (Wine has no real PowerShell to ask: the rules of its verbatim strings).
func TestShellQuotePowerShell(t *testing.T) {
	for in, want := range map[string]string{
		`C:\Users\ana\FlowMeter\backend\.env`:    `C:\Users\ana\FlowMeter\backend\.env`,
		`C:\Users\ana\My FlowMeter\backend\.env`: `'C:\Users\ana\My FlowMeter\backend\.env'`,
		`C:\Users\O'Brien\FlowMeter\.env`:        `'C:\Users\O''Brien\FlowMeter\.env'`,
		`C:\Users\O’Brien\FlowMeter\.env`:        `'C:\Users\O’’Brien\FlowMeter\.env'`,
		`C:\$env:USERNAME\a(1)\.env`:             `'C:\$env:USERNAME\a(1)\.env'`,
		"C:\\tick`n\\;&\\.env":                   "'C:\\tick`n\\;&\\.env'",
		`C:\100%\.env`:                           `'C:\100%\.env'`,
		``:                                       `''`,
	} {
		if got := ShellQuote(in); got != want {
			t.Errorf("ShellQuote(%q) = %s, want %s", in, got, want)
		}
	}
}
