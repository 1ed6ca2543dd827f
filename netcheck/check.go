package netcheck

import (
	"errors"
	"fmt"

	"localguard/envfix"
)

// Check builds the verdict for the FlowMeter install whose settings file is
// envPath, reading it with the process environment env (os.Environ form).
func Check(envPath string, env []string) Verdict {
	f, err := envfix.Load(envPath, env)
	if err != nil {
		return errorVerdict(envPath, err)
	}
	v := Verdict{Env: summarize(f), Listeners: []Listener{}, Findings: []Finding{}}
	host := envfix.ClassifyHost(v.Env.Host)
	if host.Local() {
		v.Status = StatusSafe
		v.Message = fmt.Sprintf("FlowMeter's settings keep it on this computer only (HOST=%s, %s).", v.Env.Host, whereHost(v.Env))
		return v
	}
	v.Status = StatusAtRisk
	v.Message = fmt.Sprintf("At its next start FlowMeter would %s (HOST=%s, %s).", bindPhrase(host), quoteHost(v.Env.Host), whereHost(v.Env))
	if v.Env.HostSource == string(envfix.SourceEnvironment) {
		v.Message += fmt.Sprintf(" The environment variable %s beats the file: unset it, or set it to %s, where FlowMeter is started.", v.Env.HostVariable, envfix.LocalHost)
	} else {
		v.Fix = "localguard fix --env " + shellQuote(envPath)
	}
	return v
}

func errorVerdict(path string, err error) Verdict {
	return Verdict{
		Status:    StatusError,
		Message:   err.Error(),
		Env:       EnvSummary{Path: path, Port: envfix.DefaultPort},
		Listeners: []Listener{},
		Findings:  []Finding{},
	}
}

// bindPhrase says in plain words where a host class puts FlowMeter.
func bindPhrase(h envfix.Host) string {
	switch h.Class {
	case envfix.HostAll:
		return "listen on every network interface, IPv4 and IPv6"
	case envfix.HostAllIPv4:
		return "listen on every network interface"
	case envfix.HostAllIPv6:
		return "listen on every IPv6 network interface"
	case envfix.HostAddress:
		return "listen on the network address " + h.Addr.String()
	case envfix.HostName:
		return "listen on whatever address that name resolves to"
	}
	return "fail to start, because no address has that name"
}

// whereHost says which setting decided the host.
func whereHost(e EnvSummary) string {
	switch envfix.Source(e.HostSource) {
	case envfix.SourceEnvironment:
		return "from the environment variable " + e.HostVariable
	case envfix.SourceFile:
		return fmt.Sprintf("from line %d of %s", e.HostLine, e.Path)
	}
	switch {
	case !e.Exists:
		return fmt.Sprintf("FlowMeter's default, as %s does not exist", e.Path)
	case e.HostLine > 0:
		return fmt.Sprintf("FlowMeter's default, as line %d of %s unsets HOST", e.HostLine, e.Path)
	}
	return fmt.Sprintf("FlowMeter's default, as %s has no HOST line FlowMeter reads", e.Path)
}

func quoteHost(h string) string {
	if h == "" {
		return `""`
	}
	return h
}

// PlanFix plans the change to the .env at envPath that makes FlowMeter bind
// to 127.0.0.1. It refuses when the file is not what decides the address,
// since changing it would then change nothing.
func PlanFix(envPath string, env []string) (*envfix.Plan, error) {
	f, err := envfix.Load(envPath, env)
	if err != nil {
		return nil, err
	}
	if h := f.Reading.Host(); h.Source == envfix.SourceEnvironment && !envfix.ClassifyHost(h.Value).Local() {
		return nil, fmt.Errorf("the environment variable %s=%s beats %s, so changing the file would change nothing: unset %s, or set it to %s, where FlowMeter is started: %w",
			h.EnvName, quoteHost(h.Value), envPath, h.EnvName, envfix.LocalHost, ErrNotTheFile)
	}
	return envfix.PlanLocalOnly(f)
}

// ErrNotTheFile means the .env is not what puts FlowMeter on its address.
var ErrNotTheFile = errors.New("the .env does not decide the address")

// ApplyFix writes a plan made by PlanFix, keeping a backup.
func ApplyFix(p *envfix.Plan) (envfix.Backup, error) { return envfix.Apply(p) }

// Undo puts back the .env as it was before the last fix.
func Undo(envPath string) error { return envfix.Undo(envPath) }

// IsNothingToUndo reports whether err says there was no fix to undo.
func IsNothingToUndo(err error) bool { return errors.Is(err, envfix.ErrNothingToUndo) }
