package netcheck

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FlowMeter started in ways Localguard does not recognise, on a port no
// .env names, judged from the neighbour's side (issue 18): found because
// its socket answers as FlowMeter, and explained as "a program Localguard
// does not recognise".

// uvicornRunCode is how a script or a `python3 -c` runs FlowMeter itself.
func uvicornRunCode(backend string, port int) string {
	return fmt.Sprintf("import sys; sys.path.insert(0, %q); import uvicorn; uvicorn.run('app.main:app', host='0.0.0.0', port=%d)", backend, port)
}

func TestUnrecognisedFlowMeters(t *testing.T) {
	needUvicorn(t)
	l := newLAN(t)
	for _, tc := range []struct {
		name  string
		start func(t *testing.T, backend string, port int) *child
	}{
		{"python3 -c from an unrelated folder", startPythonC},
		{"a script elsewhere", startScriptElsewhere},
		{"a renamed interpreter", startRenamedPython},
		{"a launcher running FlowMeter under another program, as debuggers do", startUnderLauncher},
	} {
		t.Run(tc.name, func(t *testing.T) {
			port := freePort(t)
			backend := checkout(t, "")
			p := tc.start(t, backend, port)
			p.waitFlowMeter(t, lo4, port)
			checkUnrecognised(t, l, port, p.pid())
			p.stop()
		})
	}
}

// checkUnrecognised wants the neighbour to read FlowMeter on port and the
// verdict (no install known, and another install's .env chosen) exposed
// by a listener on port, confirmed by its answer.
func checkUnrecognised(t *testing.T, l lan, port int, pid int32) {
	t.Helper()
	if !l.reads(t, l.v4, port) {
		t.Fatalf("the neighbour cannot read FlowMeter on port %d", port)
	}
	other := checkout(t, "HOST=127.0.0.1\n")
	for _, env := range []string{"", envOf(other)} {
		v := judgeAsUser(t, env)
		i := slices.IndexFunc(v.Listeners, func(li Listener) bool { return li.Port == port && len(li.ExposedOn) > 0 })
		if v.Status != StatusExposed || i < 0 {
			t.Errorf("--env %q: the neighbour reads FlowMeter on port %d, yet: %s: %s\n%s", env, port, v.Status, v.Message, listeners(v))
			continue
		}
		li := v.Listeners[i]
		if !li.Confirmed || !slices.Contains(li.SeenBy, SeenAnswer) || li.PID == 0 {
			t.Errorf("--env %q: listener %+v: want confirmed by its answer, with its process", env, li)
		}
		t.Logf("--env %q: %s: %s (seen by %v, pid %d, want %d)", env, v.Status, v.Message, li.SeenBy, li.PID, pid)
	}
}

func startPythonC(t *testing.T, backend string, port int) *child {
	return start(t, t.TempDir(), python, childEnv(), python, "-c", uvicornRunCode(backend, port))
}

func startScriptElsewhere(t *testing.T, backend string, port int) *child {
	p := filepath.Join(t.TempDir(), "serve_it.py")
	if err := os.WriteFile(p, []byte(strings.ReplaceAll(uvicornRunCode(backend, port), "; ", "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return start(t, t.TempDir(), python, childEnv(), python, p)
}

func startRenamedPython(t *testing.T, backend string, port int) *child {
	b, err := os.ReadFile(python)
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "calc-engine")
	if err := os.WriteFile(p, b, 0o755); err != nil {
		t.Fatal(err)
	}
	// The copy finds Python's library through PYTHONHOME, as an embedded
	// or bundled interpreter does.
	return start(t, t.TempDir(), p, childEnv("PYTHONHOME=/usr"), "calc-engine", "-c", uvicornRunCode(backend, port))
}

// launcherScript runs the program after "--" in its own process, as
// debugpy and IDE launchers do (runpy), after options of its own.
const launcherScript = `import runpy, sys
i = sys.argv.index("--")
sys.argv = sys.argv[i + 1:]
if sys.argv[0] == "-m":
    sys.argv = sys.argv[1:]
    runpy.run_module(sys.argv[0], run_name="__main__", alter_sys=True)
else:
    runpy.run_path(sys.argv[0], run_name="__main__")
`

func startUnderLauncher(t *testing.T, backend string, port int) *child {
	p := filepath.Join(t.TempDir(), "launcher.py")
	if err := os.WriteFile(p, []byte(launcherScript), 0o644); err != nil {
		t.Fatal(err)
	}
	return start(t, backend, python, childEnv(), python, p, "--listen", "5678", "--", "-m", "uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", fmt.Sprint(port))
}

var _ = context.Background
