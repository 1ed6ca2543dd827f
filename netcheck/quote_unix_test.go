//go:build unix

package netcheck

import (
	"os/exec"
	"testing"
)

// TestShellQuoteSh: the real sh reads every quoted path back as it was.
func TestShellQuoteSh(t *testing.T) {
	for _, in := range []string{
		"/home/ana/FlowMeter/backend/.env", "/home/ana/My FlowMeter/.env", "/home/o'brien/.env",
		"/tmp/$HOME/`id`/a;b&c|d/*.env", "/tmp/new\nline", "",
	} {
		out, err := exec.Command("sh", "-c", "printf %s "+ShellQuote(in)).Output()
		if err != nil || string(out) != in {
			t.Errorf("sh read %q back as %q (%v)", in, out, err)
		}
	}
}
