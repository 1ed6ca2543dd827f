package netcheck

import (
	"path/filepath"
	"slices"
	"strings"

	"localguard/netcheck/internal/argv"
)

// The readers of command lines netcheck shares with netcheck/relay.
var (
	flagValue        = argv.Flag
	viteHost         = argv.ViteHost
	baseName         = argv.Base
	isContainerProxy = argv.IsContainerProxy
	isViteScript     = argv.IsViteScript
	atoiOr0          = argv.Atoi
)

// Reading command lines: how a process was started, and the address flag
// it was given.

// commandLine is what a command line says about FlowMeter.
type commandLine struct {
	start StartStyle
	// entry: the command runs FlowMeter's entry point (app.main, the
	// packaged executable, a Vite dev server), not merely some program of
	// that kind.
	entry bool
	// python: the process is a Python interpreter or a Python server
	// (uvicorn, gunicorn), which may serve FlowMeter whatever it runs.
	python bool
	// containerPort is docker-proxy's -container-port, 0 when not given.
	containerPort int
	host          string
	hostSet       bool
}

// readCommandLine recognises how a process was started from its name (the
// kernel's short name, may be "") and its arguments.
func readCommandLine(name string, args []string) commandLine {
	if len(args) == 0 {
		return nameOnlyLine(name)
	}
	if len(args) == 1 && strings.HasPrefix(args[0], "gunicorn: ") {
		// setproctitle: "gunicorn: master [app.main:app]".
		_, app, _ := strings.Cut(args[0], "[")
		return commandLine{start: StartGunicorn, python: true, entry: isEntryApp(strings.TrimSuffix(app, "]"))}
	}
	exe := baseName(args[0])
	switch {
	case isPackaged(exe) || isPackaged(name) && !isPython(exe):
		return commandLine{start: StartPackaged, entry: true}
	case isContainerProxy(exe) || isContainerProxy(name):
		return containerProxyLine(args[1:])
	case exe == "uvicorn" || exe == "gunicorn" || isPython(exe):
		return pythonServerLine(exe, args)
	}
	if slices.ContainsFunc(args, isViteScript) {
		c := commandLine{start: StartVite, entry: true}
		c.host, c.hostSet = viteHost(args[1:])
		return c
	}
	return commandLine{start: StartUnknown}
}

// nameOnlyLine recognises a process whose arguments cannot be read by its
// name alone.
func nameOnlyLine(name string) commandLine {
	switch {
	case isContainerProxy(name):
		return commandLine{start: StartContainer}
	case isPackaged(name):
		return commandLine{start: StartPackaged, entry: true}
	}
	return commandLine{start: StartUnknown}
}

// containerProxyLine reads a container port publisher's arguments (after
// the program): the address and the container's port it publishes to.
func containerProxyLine(args []string) commandLine {
	c := commandLine{start: StartContainer}
	c.host, c.hostSet = flagValue(args, "-host-ip", "--host-ip")
	if p, ok := flagValue(args, "-container-port", "--container-port"); ok {
		c.containerPort = atoiOr0(p)
	}
	return c
}

// pythonServerLine reads the command line of uvicorn, gunicorn or a
// Python interpreter (exe), which may serve FlowMeter whatever it runs.
func pythonServerLine(exe string, args []string) commandLine {
	var c commandLine
	switch exe {
	case "uvicorn":
		c = uvicornLine(args[1:])
	case "gunicorn":
		c = gunicornLine(args[1:])
	default:
		c = pythonLine(args)
	}
	c.python = true
	return c
}

// pythonLine reads `python [options] (-m module | script) args...`.
func pythonLine(args []string) commandLine {
	module, script, rest := pythonTarget(args)
	switch {
	case module == "uvicorn" || baseName(script) == "uvicorn":
		return uvicornLine(rest)
	case module == "gunicorn" || baseName(script) == "gunicorn":
		return gunicornLine(rest)
	case module == "app.main" || strings.HasSuffix(filepath.ToSlash(strings.ReplaceAll(script, `\`, "/")), "app/main.py"):
		return commandLine{start: StartPythonModule, entry: true}
	case baseName(script) == "run.py":
		return commandLine{start: StartRunPy, entry: true}
	}
	return commandLine{start: StartUnknown}
}

// pythonTarget finds what a python command line runs: the module after -m,
// or the script, and the arguments given to it.
func pythonTarget(args []string) (module, script string, rest []string) {
	for i := 1; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-m":
			if i+1 < len(args) {
				return args[i+1], "", args[i+2:]
			}
			return "", "", nil
		case strings.HasPrefix(a, "-m") && !strings.HasPrefix(a, "--"):
			return a[2:], "", args[i+1:]
		case a == "-c" || a == "-" || a == "--":
			return "", "", nil
		case a == "-W" || a == "-X" || a == "--check-hash-based-pycs":
			i++ // these take a value
		case strings.HasPrefix(a, "-"):
		default:
			return "", a, args[i+1:]
		}
	}
	return "", "", nil
}

// uvicornLine reads uvicorn's arguments: the app and --host.
func uvicornLine(args []string) commandLine {
	c := commandLine{start: StartUvicorn}
	c.host, c.hostSet = flagValue(args, "--host")
	c.entry = anyEntryApp(args, uvicornValueFlags)
	return c
}

// gunicornLine reads gunicorn's arguments: the app and --bind/-b (the last
// one; gunicorn binds every --bind given).
func gunicornLine(args []string) commandLine {
	c := commandLine{start: StartGunicorn}
	if b, ok := flagValue(args, "--bind", "-b"); ok {
		c.host, c.hostSet = bindHost(b)
	}
	c.entry = anyEntryApp(args, gunicornValueFlags)
	return c
}

// gunicornValueFlags are gunicorn's options whose value could look like an
// app spec.
var gunicornValueFlags = map[string]bool{
	"-b": true, "--bind": true, "-c": true, "--config": true, "-k": true, "--worker-class": true,
	"--chdir": true, "--pythonpath": true, "-n": true, "--name": true, "--paste": true,
}

// uvicornValueFlags are uvicorn's options that take a value, so that the
// value is not taken for the app.
var uvicornValueFlags = map[string]bool{
	"--host": true, "--port": true, "--uds": true, "--fd": true, "--reload-dir": true,
	"--reload-include": true, "--reload-exclude": true, "--reload-delay": true,
	"--workers": true, "--loop": true, "--http": true, "--ws": true,
	"--ws-max-size": true, "--ws-ping-interval": true, "--ws-ping-timeout": true,
	"--lifespan": true, "--interface": true, "--env-file": true,
	"--log-config": true, "--log-level": true, "--root-path": true,
	"--limit-concurrency": true, "--backlog": true, "--limit-max-requests": true,
	"--timeout-keep-alive": true, "--ssl-keyfile": true, "--ssl-certfile": true,
	"--ssl-keyfile-password": true, "--ssl-version": true, "--ssl-cert-reqs": true,
	"--ssl-ca-certs": true, "--ssl-ciphers": true, "--header": true,
	"--forwarded-allow-ips": true, "--app-dir": true, "--h11-max-incomplete-event-size": true,
	"--timeout-graceful-shutdown": true,
}

// anyEntryApp reports whether an argument that is not an option (nor the
// value of one of valueFlags) names FlowMeter's app.
func anyEntryApp(args []string, valueFlags map[string]bool) bool {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if strings.HasPrefix(a, "-") {
			if valueFlags[a] {
				i++
			}
			continue
		}
		if isEntryApp(a) {
			return true
		}
	}
	return false
}

// isEntryApp reports whether an ASGI app spec is FlowMeter's: app.main:app,
// app.main (gunicorn's default attribute) or main:app (run from inside
// backend/app).
func isEntryApp(spec string) bool {
	module, _, colon := strings.Cut(spec, ":")
	return module == "app.main" || colon && module == "main"
}

// bindHost is the host part of a gunicorn bind: "0.0.0.0:8000" → 0.0.0.0,
// "[::1]:8000" → ::1, ":8000" → "" , "localhost" → localhost. Unix sockets
// and inherited descriptors (unix:, fd://) have no host.
func bindHost(b string) (string, bool) {
	if strings.HasPrefix(b, "unix:") || strings.HasPrefix(b, "fd://") {
		return "", false
	}
	if strings.HasPrefix(b, "[") {
		if end := strings.Index(b, "]"); end > 0 {
			return b[1:end], true
		}
	}
	if strings.Count(b, ":") == 1 {
		host, _, _ := strings.Cut(b, ":")
		return host, true
	}
	return b, true
}

// isPython reports whether an executable name is a Python interpreter
// (python, python3, python3.11, pythonw, python3.11-dbg...).
func isPython(exe string) bool {
	return strings.HasPrefix(strings.ToLower(exe), "python")
}

func isPackaged(exe string) bool { return strings.EqualFold(exe, "FlowMeter") }
