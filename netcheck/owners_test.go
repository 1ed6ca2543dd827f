package netcheck

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestReadCommandLine reads the command lines FlowMeter is started with,
// and others that only look alike, as /proc/PID/cmdline gives them.
func TestReadCommandLine(t *testing.T) {
	for _, tc := range []struct {
		name    string // kernel's short name
		cmdline string // arguments separated by "|"
		start   StartStyle
		entry   bool
		host    string
		hostSet bool
	}{
		{"", "python3|-m|app.main", StartPythonModule, true, "", false},
		{"", "/usr/bin/python3.11|-u|-X|dev|-m|app.main", StartPythonModule, true, "", false},
		{"", "python|app/main.py", StartPythonModule, true, "", false},
		{"", `C:\Python312\python.exe|app\main.py`, StartPythonModule, true, "", false},
		{"", "/home/ana/FlowMeter/backend/.venv/bin/python|/home/ana/FlowMeter/backend/app/main.py", StartPythonModule, true, "", false},
		{"", "python3|-m|http.server|8000", StartUnknown, false, "", false},
		{"", "python3|-c|import app.main", StartUnknown, false, "", false},
		{"", "python3|-m|app.other", StartUnknown, false, "", false},
		// uvicorn, as its script (shebang) or as a module.
		{"", "/usr/bin/python3|/usr/bin/uvicorn|app.main:app|--reload", StartUvicorn, true, "", false},
		{"", "python3|-m|uvicorn|app.main:app|--host|0.0.0.0|--port|8000", StartUvicorn, true, "0.0.0.0", true},
		{"", "python3|-m|uvicorn|--host=::|app.main:app", StartUvicorn, true, "::", true},
		{"", "uvicorn.exe|app.main:app|--host|127.0.0.1", StartUvicorn, true, "127.0.0.1", true},
		{"", "python3|-m|uvicorn|--host|a|--host|b|app.main:app", StartUvicorn, true, "b", true},
		{"", "python3|-m|uvicorn|--app-dir|/srv/x|main:app", StartUvicorn, true, "", false},
		{"", "python3|-m|uvicorn|other.api:app|--host|0.0.0.0", StartUvicorn, false, "0.0.0.0", true},
		{"", "python3|-m|uvicorn|--reload-dir|app.main|other:app", StartUvicorn, false, "", false},
		// gunicorn: --bind, -b, -bHOST, port and brackets dropped.
		{"", "/usr/bin/python3|/usr/bin/gunicorn|app.main:app|-k|uvicorn.workers.UvicornWorker", StartGunicorn, true, "", false},
		{"", "gunicorn|-k|uvicorn.workers.UvicornWorker|--bind|0.0.0.0:8000|app.main:app", StartGunicorn, true, "0.0.0.0", true},
		{"", "gunicorn|-b|[::1]:8000|app.main", StartGunicorn, true, "::1", true},
		{"", "gunicorn|-b127.0.0.1:9000|app.main:app", StartGunicorn, true, "127.0.0.1", true},
		{"", "gunicorn|--bind=:8000|app.main:app", StartGunicorn, true, "", true},
		{"", "gunicorn|--bind|unix:/run/fm.sock|app.main:app", StartGunicorn, true, "", false},
		{"", "gunicorn: master [app.main:app]", StartGunicorn, true, "", false},
		{"", "gunicorn: worker [other:app]", StartGunicorn, false, "", false},
		// The packaged FlowMeter.
		{"", "/opt/FlowMeter/FlowMeter", StartPackaged, true, "", false},
		{"", `C:\Program Files\FlowMeter\FlowMeter.exe`, StartPackaged, true, "", false},
		{"FlowMeter", "", StartPackaged, true, "", false},
		// Container port publishers.
		{"", "/usr/bin/docker-proxy|-proto|tcp|-host-ip|0.0.0.0|-host-port|8000|-container-ip|172.17.0.2|-container-port|8000", StartContainer, false, "0.0.0.0", true},
		{"", "rootlessport", StartContainer, false, "", false},
		{"rootlessport", "", StartContainer, false, "", false},
		// Vite: a bare --host is every address.
		{"", "node|/home/ana/FlowMeter/frontend/node_modules/.bin/vite|--host", StartVite, true, "", true},
		{"", "node|node_modules/vite/bin/vite.js|--host|192.168.1.5|--port|3000", StartVite, true, "192.168.1.5", true},
		{"", "node|node_modules/vite/bin/vite.js", StartVite, true, "", false},
		{"", "node|server.js|--host", StartUnknown, false, "", false},
		{"", "bash", StartUnknown, false, "", false},
		{"", "", StartUnknown, false, "", false},
	} {
		var args []string
		if tc.cmdline != "" {
			args = strings.Split(tc.cmdline, "|")
		}
		got := readCommandLine(tc.name, args)
		if got.start != tc.start || got.entry != tc.entry || got.host != tc.host || got.hostSet != tc.hostSet {
			t.Errorf("%q %q: %s entry=%v host=%q set=%v; want %s entry=%v host=%q set=%v", tc.name, tc.cmdline,
				got.start, got.entry, got.host, got.hostSet, tc.start, tc.entry, tc.host, tc.hostSet)
		}
	}
}

// TestNamedDirs tells a command line that names the checkout from one that
// merely shares a prefix with it.
func TestNamedDirs(t *testing.T) {
	dir := osPath("/home/ana/FlowMeter/backend")
	for _, tc := range []struct {
		cmdline, cwd string
		want         bool
	}{
		{"python3|/home/ana/FlowMeter/backend/app/main.py", "/", true},
		{"python3|-m|uvicorn|--app-dir|/home/ana/FlowMeter/backend|app.main:app", "/", true},
		{"python3|-m|uvicorn|--app-dir=/home/ana/FlowMeter/backend|app.main:app", "/", true},
		{"python3|backend/app/main.py", "/home/ana/FlowMeter", true},
		{"python3|app/main.py", "", false},
		{"python3|/home/ana/FlowMeter/backend2/app/main.py", "/", false},
		{"python3|/home/ana/FlowMeter/frontend/x.py", "/", false},
		{"python3|-m|app.main", "/home/ana/FlowMeter/backend", false},
	} {
		args := strings.Split(tc.cmdline, "|")
		for i, a := range args {
			if k, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(v, "/") {
				args[i] = k + "=" + osPath(v)
			} else if strings.HasPrefix(a, "/") || strings.Contains(a, "/") {
				args[i] = filepath.FromSlash(a)
				if strings.HasPrefix(a, "/") {
					args[i] = osPath(a)
				}
			}
		}
		cwd := tc.cwd
		if cwd != "" {
			cwd = osPath(cwd)
		}
		if got := slices.Contains(namedDirs(args, cwd), dir); got != tc.want {
			t.Errorf("namedDirs(%q, cwd %q) names %s: %v, want %v", tc.cmdline, tc.cwd, dir, got, tc.want)
		}
	}
}

func TestOwnerGetenv(t *testing.T) {
	o := &Owner{Environ: []string{"HOST=0.0.0.0", "EMPTY=", "X=a=b"}}
	for _, tc := range []struct {
		name, want string
		ok         bool
	}{{"HOST", "0.0.0.0", true}, {"EMPTY", "", true}, {"X", "a=b", true}, {"host", "", false}, {"PORT", "", false}} {
		if v, ok := o.Getenv(tc.name); v != tc.want || ok != tc.ok {
			t.Errorf("Getenv(%q) = %q, %v; want %q, %v", tc.name, v, ok, tc.want, tc.ok)
		}
	}
	if _, ok := (&Owner{}).Getenv("HOST"); ok {
		t.Error("an unreadable environment has HOST set")
	}
}
