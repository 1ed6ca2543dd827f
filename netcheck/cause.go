package netcheck

import (
	"fmt"
	"net/netip"
	"strings"

	"localguard/envfix"
)

// CauseKind is what put a listener or a relay on its address, in the
// words of the JSON contract.
type CauseKind string

// The causes of a listener's or a relay's address.
const (
	// CauseEnvFile: a HOST line of the .env.
	CauseEnvFile CauseKind = "env-file"
	// CauseDefault: the program's own default address.
	CauseDefault CauseKind = "default"
	// CauseEnvironment: an environment variable.
	CauseEnvironment CauseKind = "environment"
	// CauseCommandLine: a flag on the command line.
	CauseCommandLine CauseKind = "command-line"
	// CauseConfig: a relay's configuration file (nginx, Vite).
	CauseConfig CauseKind = "config"
	// CauseContainer: a container that publishes the port.
	CauseContainer CauseKind = "container"
	// CauseUnknown: Localguard cannot tell.
	CauseUnknown CauseKind = "unknown"
)

// Cause is what put a listener on its address, and what to change instead
// when it is not the .env.
type Cause struct {
	Kind CauseKind
	// Why says it in plain words: "HOST=0.0.0.0 on line 4 of …/.env".
	Why string
	// Advice is the change to make when the .env is not the cause, "" when
	// `localguard fix` is the change.
	Advice string
	// EnvFile is the .env the owning process reads (its working
	// directory's), when the cause is the file or FlowMeter's default.
	EnvFile string
}

// FileFixes reports whether changing the .env changes the address at the
// next start.
func (c Cause) FileFixes() bool {
	return c.Kind == CauseEnvFile || c.Kind == CauseDefault && c.EnvFile != ""
}

// causeOf works out why FlowMeter's socket is on its address, following
// FLOWMETER.md's table of start styles: a pure function of the facts.
func causeOf(lf ListenerFacts) Cause {
	o := lf.Owner
	if o == nil {
		return Cause{Kind: CauseUnknown, Why: "the process holding it belongs to another user, so Localguard cannot see how it was started"}
	}
	port := lf.Port
	loopback := lf.Addr.IsLoopback()
	switch o.Start {
	case StartContainer:
		if f := lf.ComposeFile; f != "" {
			return Cause{Kind: CauseContainer,
				Why:    fmt.Sprintf("a container publishes port %d on every address (%s)", port, o.Name),
				Advice: fmt.Sprintf("run %s to publish the ports of %s on this computer only (it shows the change, keeps a backup and can be undone), then run docker compose up -d", sourceFixCommand(f), f)}
		}
		return Cause{Kind: CauseContainer,
			Why: fmt.Sprintf("a container publishes port %d on every address (%s)", port, o.Name),
			Advice: fmt.Sprintf(`in docker-compose.yaml, publish the ports on this computer only: "127.0.0.1:%d:8000" instead of "%d:8000", and "127.0.0.1:3000:3000" instead of "3000:3000" for the web page server, then run docker-compose up -d`,
				port, port)}
	case StartVite:
		switch {
		case o.HostFlagSet:
			return Cause{Kind: CauseCommandLine,
				Why:    "FlowMeter's web page server (Vite) was started with --host, and it passes /api on to FlowMeter",
				Advice: "stop the web page server and start it again without --host (npm run dev)"}
		case loopback:
			return Cause{Kind: CauseDefault, Why: "FlowMeter's web page server (Vite) listens on this computer only unless started with --host"}
		}
		return Cause{Kind: CauseUnknown,
			Why:    "FlowMeter's web page server (Vite) listens beyond this computer without --host: its config (server.host in frontend/vite.config.ts) may say so",
			Advice: "remove server.host from frontend/vite.config.ts, then restart npm run dev"}
	case StartPackaged, StartRunPy:
		what := "the released FlowMeter"
		if o.Start == StartRunPy {
			what = "run.py"
		}
		if loopback {
			return Cause{Kind: CauseDefault, Why: what + " always binds 127.0.0.1, whatever the .env says"}
		}
		return Cause{Kind: CauseUnknown, Why: what + " should bind 127.0.0.1 only, yet listens on " + lf.Addr.String()}
	case StartUvicorn:
		return flagOrVariable(o, "--host", "UVICORN_HOST", "uvicorn binds 127.0.0.1 when neither --host nor UVICORN_HOST is given")
	case StartGunicorn:
		if o.HostFlagSet {
			return flagCause(o, "--bind", fmt.Sprintf("--bind 127.0.0.1:%d", port))
		}
		if v, ok := o.Getenv("PORT"); ok {
			return Cause{Kind: CauseEnvironment,
				Why:    fmt.Sprintf("gunicorn binds 0.0.0.0:$PORT when PORT is set in its environment (PORT=%s)", v),
				Advice: fmt.Sprintf("start gunicorn with --bind 127.0.0.1:%s", v)}
		}
		return Cause{Kind: CauseDefault, Why: "gunicorn binds 127.0.0.1:8000 when no --bind is given"}
	case StartPythonModule:
		return settingsCause(lf)
	}
	return Cause{Kind: CauseUnknown, Why: fmt.Sprintf("it was started in a way Localguard does not recognise (%q), so where its address comes from cannot be read; only its answer showed it is FlowMeter", o.Cmdline)}
}

// flagOrVariable is the cause for a server whose address comes from a flag,
// else a variable, else a loopback default.
func flagOrVariable(o *Owner, flag, variable, def string) Cause {
	if o.HostFlagSet {
		return flagCause(o, flag, flag+" 127.0.0.1")
	}
	if v, ok := o.Getenv(variable); ok {
		return Cause{Kind: CauseEnvironment,
			Why:    fmt.Sprintf("the environment variable %s=%s", variable, quoteHost(v)),
			Advice: fmt.Sprintf("unset %s (or set it to 127.0.0.1) where FlowMeter is started, then restart it", variable)}
	}
	if o.Environ == nil {
		return Cause{Kind: CauseUnknown, Why: fmt.Sprintf("Localguard may not read its environment, where %s may be set", variable)}
	}
	return Cause{Kind: CauseDefault, Why: def}
}

func flagCause(o *Owner, flag, instead string) Cause {
	return Cause{Kind: CauseCommandLine,
		Why:    fmt.Sprintf("it was started with %s %s (%s)", flag, quoteHost(o.HostFlag), o.Cmdline),
		Advice: fmt.Sprintf("start it with %s instead", instead)}
}

// settingsCause is the cause for `python -m app.main`, which binds what
// FlowMeter's settings say: the environment, else the .env in its working
// folder, else 0.0.0.0.
func settingsCause(lf ListenerFacts) Cause {
	o := lf.Owner
	if o.Environ != nil {
		for _, kv := range o.Environ {
			if k, v, _ := strings.Cut(kv, "="); strings.EqualFold(k, "HOST") {
				return Cause{Kind: CauseEnvironment,
					Why:    fmt.Sprintf("the environment variable %s=%s it was started with", k, quoteHost(v)),
					Advice: fmt.Sprintf("unset %s (or set it to 127.0.0.1) where FlowMeter is started, then restart it", k)}
			}
		}
	}
	if lf.SettingsDir == "" || lf.Settings == nil {
		return Cause{Kind: CauseUnknown, Why: "Localguard cannot read the .env it started with: " + settingsUnknownWhy(lf)}
	}
	envFile := lf.Settings.Path
	host := lf.Settings.Reading.Host()
	line := lf.Settings.Reading.LineOf(host.Statement)
	switch {
	case host.Source == envfix.SourceFile && !bindsLike(lf.Addr, host.Value):
		// The file changed since FlowMeter read it (a fix, an undo, an
		// edit): say both, never the new line as the running cause.
		return Cause{Kind: CauseEnvFile, EnvFile: envFile,
			Why: fmt.Sprintf("%s said otherwise when it started; it now says HOST=%s (line %d), which takes effect at its next start", envFile, quoteHost(host.Value), line)}
	case host.Source == envfix.SourceFile:
		return Cause{Kind: CauseEnvFile, EnvFile: envFile,
			Why: fmt.Sprintf("HOST=%s on line %d of %s", quoteHost(host.Value), line, envFile)}
	}
	return Cause{Kind: CauseDefault, EnvFile: envFile,
		Why: "FlowMeter's default HOST 0.0.0.0, as " + envFile + " sets no HOST"}
}

// bindsLike reports whether a socket on addr is what HOST=host binds: a
// wildcard for every-interface hosts, loopback for loopback hosts, the
// address itself otherwise (a name is given the benefit of the doubt).
func bindsLike(addr netip.Addr, host string) bool {
	h := envfix.ClassifyHost(host)
	switch h.Class {
	case envfix.HostAll, envfix.HostAllIPv4, envfix.HostAllIPv6:
		return addr.IsUnspecified()
	case envfix.HostLoopback:
		return addr.IsLoopback()
	case envfix.HostAddress:
		return addr.Unmap() == h.Addr.Unmap()
	}
	if h.Local() {
		return addr.IsLoopback()
	}
	return true
}
