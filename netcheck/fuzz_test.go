package netcheck

import (
	"strings"
	"testing"
)

// FuzzReadCommandLine: any command line is read without a panic, and the
// style is one of the documented ones.
func FuzzReadCommandLine(f *testing.F) {
	for _, s := range []string{
		"python3\x00-m\x00app.main", "python3\x00-m\x00uvicorn\x00app.main:app\x00--host",
		"gunicorn\x00-b\x00[::1", "gunicorn: master [app.main:app", "node\x00vite\x00--host\x00--port",
		"docker-proxy\x00-host-ip\x00-host-port\x0099999999999", "python\x00-m", "python\x00-W",
	} {
		f.Add("", s)
	}
	f.Fuzz(func(t *testing.T, name, cmdline string) {
		c := readCommandLine(name, strings.Split(cmdline, "\x00"))
		switch c.start {
		case StartPythonModule, StartUvicorn, StartGunicorn, StartPackaged, StartContainer, StartVite, StartUnknown:
		default:
			t.Fatalf("style %q", c.start)
		}
		if !c.hostSet && c.host != "" {
			t.Fatalf("host %q without a flag", c.host)
		}
	})
}
