package netcheck

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"localguard/envfix"
)

// Checker builds verdicts for one FlowMeter install, again and again: it
// keeps a Scanner, so that a poll while nothing changes is cheap.
type Checker struct {
	// EnvPath is the install's backend/.env.
	EnvPath string
	// Environ is the environment FlowMeter is assumed to start with when
	// it is not running: Localguard's own (os.Environ()).
	Environ []string
	// Store holds the trusted networks; nil trusts none.
	Store *Store
	// Others are other installs found, named in the verdict.
	Others []string

	scanner Scanner
	cache   checkCache
}

// Check builds one verdict for the install at envPath.
func Check(envPath string, env []string) Verdict {
	c := &Checker{EnvPath: envPath, Environ: env}
	return c.Check(context.Background())
}

// Check builds the verdict: FlowMeter's settings, its live listeners, where
// they can be reached and why they are there.
func (c *Checker) Check(ctx context.Context) Verdict {
	c.cache.beginCheck()
	f, err := c.cache.load(c.EnvPath, c.Environ)
	if err != nil {
		return errorVerdict(c.EnvPath, err)
	}
	v := Verdict{Env: summarize(f), Listeners: []Listener{}, Findings: findings(f.Reading, c.EnvPath), UndoAvailable: envfix.UndoAvailable(c.EnvPath)}
	backend := filepath.Dir(f.Target)
	if abs, err := filepath.Abs(c.EnvPath); err == nil {
		backend = filepath.Dir(abs)
	}
	port := v.Env.Port
	if !v.Env.PortValid {
		port = envfix.DefaultPort
	}
	appName := f.Reading.Setting("APP_NAME", DefaultAppName).Value
	socks, scanErr := c.scanner.Scan(ctx, backend, port, appName)
	ifaces, ifErr := c.cache.interfaces()
	causes := make([]Cause, len(socks))
	for i, s := range socks {
		causes[i] = causeOf(s, c.cache.load)
		v.Listeners = append(v.Listeners, c.listener(ctx, s, causes[i], ifaces))
	}
	c.judge(&v, f, causes)
	if err := errors.Join(scanErr, ifErr); err != nil {
		v.Message += fmt.Sprintf(" (Localguard could not see everything: %v.)", err)
		if v.Status == StatusSafe || scanErr != nil {
			// Unseen listeners may be exposed: never a safe on a guess, nor an at-risk on a partial view.
			v.Status = StatusError
		}
	}
	if len(c.Others) > 0 {
		v.OtherInstalls = c.Others
		v.Message += fmt.Sprintf(" Other FlowMeter installs: %s (check them with --env).", strings.Join(c.Others, ", "))
	}
	return v
}

// listener describes one FlowMeter socket: owner, cause, sandbox and every
// non-loopback address that answers.
func (c *Checker) listener(ctx context.Context, s FlowMeterSocket, cause Cause, ifaces []Interface) Listener {
	l := Listener{
		Address: s.Addr.String(), Port: s.Port, Cause: cause.Kind, Why: cause.Why,
		FormulaSandbox: c.cache.remember(sandboxKey(s.Socket), sandboxTTL, func() answer {
			return answer{state: SandboxState(ctx, probeAddr(s.Socket), s.Port)}
		}).state,
		ExposedOn: []Exposure{},
	}
	if o := s.Owner; o != nil {
		l.PID, l.Process, l.Cmdline, l.Cwd = o.PID, o.Name, o.Cmdline, o.Cwd
	}
	gateways := map[string]string{}
	subnets := map[string]netip.Prefix{}
	for _, it := range ifaces {
		if it.Gateway != nil && it.Gateway.HardwareAddr != nil {
			gateways[it.Name] = it.Gateway.HardwareAddr.String()
		}
		for _, a := range it.Addrs {
			subnets[it.Name+" "+a.Prefix.Addr().WithZone("").String()] = a.Prefix
		}
	}
	var reaches []Reach
	for _, r := range ReachableAddrs(s.Socket, ifaces) {
		if r.Kind != KindLoopback {
			reaches = append(reaches, r)
		}
	}
	// Confirm every address with a real connect, all at once; a watching
	// Checker remembers the answers while the socket and the network stay.
	ok := make([]bool, len(reaches))
	var wg sync.WaitGroup
	for i, r := range reaches {
		a, known := c.cache.answers[probeKey(s.Socket, r)]
		if known && c.cache.enabled {
			ok[i] = a.ok
			continue
		}
		wg.Go(func() { ok[i] = Probe(ctx, r.Addr, s.Port) })
	}
	wg.Wait()
	for i, r := range reaches {
		c.cache.remember(probeKey(s.Socket, r), 0, func() answer { return answer{ok: ok[i]} })
	}
	for i, r := range reaches {
		if !ok[i] {
			continue
		}
		l.ExposedOn = append(l.ExposedOn, Exposure{
			Interface: r.Interface, Address: r.Addr.String(), Kind: string(r.Kind),
			Trusted: c.Store != nil && c.Store.Trusts(r.Interface, subnets[r.Interface+" "+r.Addr.WithZone("").String()], gateways[r.Interface]),
			URL:     URL(r.Addr, s.Port),
		})
	}
	return l
}

// judge sets the status, the message and the fix from the settings and the
// listeners.
func (c *Checker) judge(v *Verdict, f *envfix.File, causes []Cause) {
	settingsLocal := envfix.ClassifyHost(v.Env.Host).Local()
	var exposedOn []string
	var exposing []int
	for i, l := range v.Listeners {
		before := len(exposedOn)
		for _, e := range l.ExposedOn {
			if !e.Trusted {
				exposedOn = append(exposedOn, fmt.Sprintf("%s (%s, %s)", e.Interface, kindWords(e.Kind), e.Address))
			}
		}
		if len(exposedOn) > before {
			exposing = append(exposing, i)
		}
	}
	switch {
	case len(exposing) > 0:
		v.Status = StatusExposed
		c.exposedMessage(v, f, causes, exposing, exposedOn)
	case !settingsLocal:
		v.Status = StatusAtRisk
		v.Message = fmt.Sprintf("At its next start FlowMeter would %s (HOST=%s, %s).", bindPhrase(envfix.ClassifyHost(v.Env.Host)), quoteHost(v.Env.Host), whereHost(v.Env))
		switch trusted := trustedOnly(v.Listeners); {
		case trusted != "":
			v.Message = "FlowMeter can be reached only from this computer and networks you trust (" + trusted + ") for now. " + v.Message
		case len(v.Listeners) > 0:
			v.Message = "FlowMeter is on this computer only for now. " + v.Message
		}
		c.fileFixOrAdvice(v, f)
	default:
		v.Status = StatusSafe
		v.Message = fmt.Sprintf("FlowMeter's settings keep it on this computer only (HOST=%s, %s).", v.Env.Host, whereHost(v.Env))
		if n := len(v.Listeners); n > 0 {
			v.Message = fmt.Sprintf("FlowMeter (pid %d) can be reached from this computer only", v.Listeners[0].PID)
			if trusted := trustedOnly(v.Listeners); trusted != "" {
				v.Message += " and networks you trust (" + trusted + ")"
			}
			v.Message += fmt.Sprintf(", and its settings keep it so (HOST=%s).", v.Env.Host)
		}
	}
}

// exposedMessage says who can reach FlowMeter, why, and what to do.
func (c *Checker) exposedMessage(v *Verdict, f *envfix.File, causes []Cause, exposing []int, exposedOn []string) {
	l, cause := v.Listeners[exposing[0]], causes[exposing[0]]
	var b strings.Builder
	fmt.Fprintf(&b, "FlowMeter on port %d can be reached by anyone on %s", l.Port, joinWords(exposedOn))
	if slices.ContainsFunc(exposing, func(i int) bool { return v.Listeners[i].FormulaSandbox == "off" }) {
		b.WriteString(", and its formula sandbox is off, so they can run any program on this computer")
	} else {
		b.WriteString(" and read every dataset loaded in it")
	}
	b.WriteString(". ")
	owner := "FlowMeter"
	if l.PID != 0 {
		owner = fmt.Sprintf("FlowMeter (%s, pid %d)", l.Cmdline, l.PID)
	}
	switch {
	case cause.FileFixes() && c.fixedSince(cause):
		fmt.Fprintf(&b, "%s is already fixed; restart %s to apply it.", cause.EnvFile, owner)
		v.RestartPID = l.PID
	case cause.FileFixes():
		fmt.Fprintf(&b, "It is there because of %s.", cause.Why)
		v.Fix = "localguard fix --env " + shellQuote(cause.EnvFile)
	case cause.Advice != "":
		fmt.Fprintf(&b, "It is there because %s; changing the .env would not help: %s.", cause.Why, cause.Advice)
		v.Advice = cause.Advice
	default:
		fmt.Fprintf(&b, "Localguard cannot tell why: %s.", cause.Why)
		if !envfix.ClassifyHost(v.Env.Host).Local() {
			v.Fix = "localguard fix --env " + shellQuote(c.EnvPath)
		}
	}
	v.Message = b.String()
}

// fixedSince reports whether the .env a running FlowMeter read at its
// start now keeps it local: the fix is written, the restart is not done.
func (c *Checker) fixedSince(cause Cause) bool {
	f, err := c.cache.load(cause.EnvFile, c.Environ)
	return err == nil && f.Reading.Host().Source != envfix.SourceEnvironment && envfix.ClassifyHost(f.Reading.Host().Value).Local()
}

// fileFixOrAdvice offers `localguard fix` when the file decides the host,
// and says what to change instead when the environment does.
func (c *Checker) fileFixOrAdvice(v *Verdict, f *envfix.File) {
	if v.Env.HostSource == string(envfix.SourceEnvironment) {
		v.Advice = fmt.Sprintf("unset %s, or set it to %s, where FlowMeter is started", v.Env.HostVariable, envfix.LocalHost)
		v.Message += fmt.Sprintf(" The environment variable %s beats the file: %s.", v.Env.HostVariable, v.Advice)
		return
	}
	v.Fix = "localguard fix --env " + shellQuote(c.EnvPath)
}

// trustedOnly names the trusted networks the listeners answer on.
func trustedOnly(ls []Listener) string {
	var names []string
	for _, l := range ls {
		for _, e := range l.ExposedOn {
			if e.Trusted && !slices.Contains(names, e.Interface) {
				names = append(names, e.Interface)
			}
		}
	}
	return strings.Join(names, ", ")
}

// kindWords names a kind of network for people.
func kindWords(kind string) string {
	switch AddrKind(kind) {
	case KindLAN:
		return "local network"
	case KindPublic:
		return "public address"
	case KindVPN:
		return "VPN"
	case KindVirtual:
		return "virtual network"
	case KindLinkLocal:
		return "link-local"
	}
	return kind
}

// Words says who shares a kind of network, for people.
func (k AddrKind) Words() string {
	switch k {
	case KindLAN:
		return "local network: anyone on it"
	case KindPublic:
		return "public address: possibly the whole internet"
	case KindVPN:
		return "VPN: everyone on the VPN"
	case KindVirtual:
		return "virtual network: containers and virtual machines"
	case KindLinkLocal:
		return "link-local: anyone on the same cable or Wi-Fi"
	case KindLoopback:
		return "this computer only"
	}
	return string(k)
}

// joinWords joins "a", "b" and "c" as "a, b and c".
func joinWords(s []string) string {
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " and " + s[len(s)-1]
}

// findings turns the settings' risks into the verdict's findings, each with
// the command that fixes it when the file decides it.
func findings(r *envfix.Reading, envPath string) []Finding {
	out := []Finding{}
	for _, risk := range r.Risks() {
		f := Finding{Key: risk.Key, Severity: risk.Severity, Message: risk.Message}
		if risk.Setting.Source == envfix.SourceEnvironment {
			f.Message += fmt.Sprintf(" It comes from the environment variable %s: unset it where FlowMeter is started.", risk.Setting.EnvName)
		} else {
			f.Fix = fmt.Sprintf("localguard fix --env %s --finding %s", shellQuote(envPath), risk.Key)
		}
		out = append(out, f)
	}
	return out
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

// PlanFix plans the change to the .env that makes FlowMeter bind to
// 127.0.0.1. It refuses when the file is not what decides the address (a
// HOST variable in the environment, or a running FlowMeter's flag,
// variable or container), since changing it would then change nothing.
func (c *Checker) PlanFix(ctx context.Context) (*envfix.Plan, error) {
	if v := c.Check(ctx); v.Status == StatusExposed && v.Fix == "" && v.Advice != "" {
		return nil, fmt.Errorf("%s is not what puts FlowMeter on the network, so changing it would change nothing: %s: %w", c.EnvPath, v.Advice, ErrNotTheFile)
	}
	f, err := envfix.Load(c.EnvPath, c.Environ)
	if err != nil {
		return nil, err
	}
	if h := f.Reading.Host(); h.Source == envfix.SourceEnvironment && !envfix.ClassifyHost(h.Value).Local() {
		return nil, fmt.Errorf("the environment variable %s=%s beats %s, so changing the file would change nothing: unset %s, or set it to %s, where FlowMeter is started: %w",
			h.EnvName, quoteHost(h.Value), c.EnvPath, h.EnvName, envfix.LocalHost, ErrNotTheFile)
	}
	return envfix.PlanLocalOnly(f)
}

// PlanFinding plans the change that makes the setting key (a finding's key)
// safe, through the same reading, verification and write as the HOST fix.
func (c *Checker) PlanFinding(key string) (*envfix.Plan, error) {
	f, err := envfix.Load(c.EnvPath, c.Environ)
	if err != nil {
		return nil, err
	}
	for _, r := range f.Reading.Risks() {
		if !strings.EqualFold(r.Key, key) {
			continue
		}
		if r.Setting.Source == envfix.SourceEnvironment {
			return nil, fmt.Errorf("%s comes from the environment variable %s, which beats %s: unset it where FlowMeter is started: %w", r.Key, r.Setting.EnvName, c.EnvPath, ErrNotTheFile)
		}
		return envfix.PlanSet(f, r.Key, r.SafeValue)
	}
	return nil, fmt.Errorf("%s has no risky %s setting: run localguard check to see the findings: %w", c.EnvPath, strings.ToUpper(key), ErrNoFinding)
}

// ErrNoFinding means the setting named is not a finding of the file.
var ErrNoFinding = errors.New("no such finding")

// ErrNotTheFile means the .env is not what puts FlowMeter on its address.
var ErrNotTheFile = errors.New("the .env does not decide the address")

// ApplyFix writes a plan made by PlanFix, keeping a backup.
func ApplyFix(p *envfix.Plan) (envfix.Backup, error) { return envfix.Apply(p) }

// Undo puts back the .env as it was before the last fix.
func Undo(envPath string) error { return envfix.Undo(envPath) }

// BackupPath is where applying the plan keeps the original file.
func BackupPath(p *envfix.Plan) string { return envfix.BackupFor(p.File).Path }

// UndoAvailable reports whether a fix of the .env at envPath can be undone.
func UndoAvailable(envPath string) bool { return envfix.UndoAvailable(envPath) }

// IsNothingToUndo reports whether err says there was no fix to undo.
func IsNothingToUndo(err error) bool { return errors.Is(err, envfix.ErrNothingToUndo) }
