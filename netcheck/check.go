package netcheck

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"localguard/envfix"
	"localguard/netcheck/ask"
	"localguard/netcheck/firewall"
	"localguard/netcheck/system"
)

// Checker builds verdicts again and again: it keeps a Scanner, so that a
// poll while nothing changes is cheap. Every FlowMeter on this computer is
// judged; EnvPath only chooses whose settings are read and fixed.
type Checker struct {
	// EnvPath is the chosen install's backend/.env; "" when no install is
	// known (FlowMeter may still run from an unknown folder).
	EnvPath string
	// Environ is the environment FlowMeter is assumed to start with when
	// it is not running: Localguard's own (os.Environ()).
	Environ []string
	// Store holds the trusted networks; nil trusts none.
	Store *Store
	// Others are other installs found, named in the verdict.
	Others []string
	// Checked, when set, is called by Watch after every check, changed or
	// not, so that a window can say when it last looked.
	Checked func(at time.Time)

	// hints are the installs known when the Checker was opened (nil: only
	// EnvPath and Others).
	hints []Hint
	// backend is EnvPath's folder resolved, kept while EnvPath stays.
	backend struct{ path, dir string }
	scanner Scanner
	served  servedScanner
	relays  relayScanner
	compose composeCache
	cache   checkCache
	// firewall reads the host firewall when its rules or the networks
	// change; exes are the executables of the listeners' processes.
	firewall firewall.Reader
	exes     map[int32]string
}

// Open makes the Checker for an install: envPath when given, else the one
// discovery puts first (see Discover). It always returns a Checker: with no
// install known, its EnvPath is "" and its verdicts judge whatever FlowMeter
// runs, from whatever folder.
func Open(ctx context.Context, envPath string, store *Store, home string, environ []string) *Checker {
	return open(ctx, envPath, store, home, environ, "")
}

// open is Open keeping the answers in answers (see KeepAnswers) from its
// first scan on.
func open(ctx context.Context, envPath string, store *Store, home string, environ []string, answers string) *Checker {
	c := &Checker{EnvPath: envPath, Environ: environ, Store: store}
	c.KeepAnswers(answers)
	known := knownInstalls(store, home)
	if envPath != "" {
		c.hints = append(c.hints, hintFor(envPath, environ))
	}
	for _, in := range known {
		c.hints = append(c.hints, hintFor(in.EnvPath, environ))
	}
	socks, _ := c.scanner.Scan(ctx, c.hints...)
	found := mergeInstalls(runningInstalls(socks), known)
	if envPath == "" && len(found) > 0 {
		c.EnvPath = found[0].EnvPath
	}
	for _, in := range found {
		if !sameInstall(in.EnvPath, c.EnvPath) {
			c.Others = append(c.Others, in.EnvPath)
		}
	}
	return c
}

// OpenInstall is Open for the user of this computer, as the command line
// and the window both start: it looks in the user's home folder, and
// remembers the install chosen in store for next time (remembering is a
// convenience: a store that cannot be saved changes no verdict). With no
// install known it returns ErrNoInstall beside a Checker that still judges
// every FlowMeter running, from whatever folder, and finds one that starts
// later.
func OpenInstall(ctx context.Context, envPath string, store *Store, environ []string) (*Checker, error) {
	home, _ := os.UserHomeDir()
	c := open(ctx, envPath, store, home, environ, answersFile())
	if c.EnvPath == "" {
		return c, ErrNoInstall
	}
	if abs, err := filepath.Abs(c.EnvPath); err == nil && store != nil && store.Install != abs {
		store.Install = abs
		store.Save()
	}
	return c, nil
}

// KeepAnswers keeps what the sockets a neighbour can reach answered (those
// that are not FlowMeter) in file between runs, so that a later check asks
// nothing new while they live, and beside it the sockets that answered as
// FlowMeter (see identityFile); "" keeps them in memory only.
func (c *Checker) KeepAnswers(file string) {
	c.served.mu.Lock()
	c.served.file, c.served.loaded = file, false
	c.served.mu.Unlock()
	c.scanner.keep(identitiesFile(file))
}

// hintFor is the scan hint of an install: its backend folder and port.
func hintFor(envPath string, environ []string) Hint {
	h := Hint{BackendDir: filepath.Dir(envPath)}
	if f, err := envfix.Load(envPath, environ); err == nil {
		if _, n, ok := f.Reading.Port(); ok {
			h.Port = n
		}
	}
	return h
}

// OneShot readies this process for a command that checks and ends (not
// for the tray or watch): /proc is read with raw system calls, see
// system.QuickProcReads.
func OneShot() { system.QuickProcReads() }

// Check builds the verdict: the facts of the live machine, judged.
func (c *Checker) Check(ctx context.Context) Verdict {
	return Judge(c.Gather(ctx))
}

// Gather reads the facts a verdict is judged from: the chosen install's
// settings, every FlowMeter's sockets and owners, the interfaces, and the
// answers of connects to this computer's own addresses.
func (c *Checker) Gather(ctx context.Context) Facts {
	c.cache.beginCheck()
	c.exes = nil
	f := Facts{Trusted: c.Store}
	socks, scanErr := c.scanner.Scan(ctx, c.scanHints()...)
	if c.EnvPath == "" {
		// No install was known: a FlowMeter that runs now names one.
		if in := runningInstalls(socks); len(in) > 0 {
			c.EnvPath = in[0].EnvPath
		}
	}
	if c.EnvPath != "" {
		f.Install = c.installFacts()
		f.UndoAvailable = envfix.UndoAvailable(c.EnvPath)
	}
	ifaces, ifErr := c.cache.interfaces()
	f.ScanErr = errors.Join(scanErr, ifErr)
	f.Interfaces = ifaces
	var servedRelays []RelayFacts
	if scanErr == nil && ifErr == nil {
		var more []FlowMeterSocket
		socks, more, servedRelays = c.servedFacts(ctx, socks, ifaces)
		socks = append(socks, more...)
	}
	for _, s := range socks {
		f.Listeners = append(f.Listeners, c.listenerFacts(ctx, s, ifaces))
	}
	f.Installs = c.installStates(f.Listeners)
	f.NAT = natFacts(socks, ifaces)
	f.NAT.LoopbackRelays = c.natTargets(ctx, f.NAT, socks)
	if scanErr == nil {
		f.Relays = mergeRelays(c.relayFacts(ctx, socks, ifaces, f.Install), c.servedRelayFacts(ctx, servedRelays, ifaces))
		proxies, entries := c.portProxyRelays(ctx, socks, ifaces)
		f.Relays, f.NAT.PortProxies = append(f.Relays, proxies...), entries
		if err := c.relays.err(); err != nil {
			f.ScanErr = errors.Join(f.ScanErr, err)
		}
	}
	c.firewallFacts(&f)
	return f
}

// scanHints are the installs a scan is told of: those known when the
// Checker was opened, else the chosen one (with its port) and the others.
func (c *Checker) scanHints() []Hint {
	if c.hints != nil || c.EnvPath == "" {
		return c.hints
	}
	file, _ := c.cache.load(c.EnvPath, c.Environ)
	hints := []Hint{{BackendDir: filepath.Dir(c.EnvPath), Port: installPort(file)}}
	for _, o := range c.Others {
		hints = append(hints, Hint{BackendDir: filepath.Dir(o)})
	}
	return hints
}

// installFacts reads the chosen install's .env as FlowMeter reads it, and
// the compose file beside its backend.
func (c *Checker) installFacts() *InstallFacts {
	abs := c.EnvPath
	if a, err := filepath.Abs(abs); err == nil {
		abs = a
	}
	if c.backend.path != abs {
		c.backend.path, c.backend.dir = abs, resolveDir(filepath.Dir(abs))
	}
	in := &InstallFacts{EnvPath: c.EnvPath, Backend: c.backend.dir}
	in.File, in.Err = c.cache.load(c.EnvPath, c.Environ)
	if in.Err != nil {
		_, err := os.Lstat(c.EnvPath)
		in.Exists = err == nil
	}
	in.Compose = c.compose.published(composeProjectOf(in.Backend, c.Environ), c.Environ)
	return in
}

// relayFacts finds the relays of the FlowMeters found, each with the
// addresses it answered on; a container's source is the install's compose
// file when that publishes FlowMeter's ports.
func (c *Checker) relayFacts(ctx context.Context, socks []FlowMeterSocket, ifaces []Interface, install *InstallFacts) []RelayFacts {
	var out []RelayFacts
	for _, rf := range c.relays.find(ctx, socks, c.scanner.Sockets(), c.scanner.reader(), ownAddrsOf(ifaces), c.scanner.commandLines(), c.scanner.listedPIDs(listedFresh)) {
		if !rf.Socket.Addr.IsValid() {
			rf.Answered = map[netip.Addr]bool{}
		} else {
			rf.Answered = c.answered(ctx, rf.Socket, ifaces)
		}
		if rf.Kind == RelayContainer && install != nil {
			for _, cf := range install.Compose {
				if len(cf.Published) > 0 && rf.Source == "" {
					rf.Source = cf.File
				}
			}
		}
		out = append(out, rf)
	}
	return out
}

func installPort(f *envfix.File) int {
	if f == nil {
		return 0
	}
	_, n, ok := f.Reading.Port()
	if !ok {
		return 0
	}
	return n
}

// installStates lists the installs known, running ones first.
func (c *Checker) installStates(ls []ListenerFacts) []InstallState {
	sameInstall := installMatcher()
	var running []InstallState
	for _, l := range ls {
		if l.Backend == "" {
			continue
		}
		p := filepath.Join(l.Backend, ".env")
		if !slices.ContainsFunc(running, func(s InstallState) bool { return sameInstall(s.EnvPath, p) }) {
			running = append(running, InstallState{EnvPath: p, Running: true})
		}
	}
	out := running
	for _, p := range append([]string{c.EnvPath}, c.Others...) {
		if p == "" || slices.ContainsFunc(out, func(s InstallState) bool { return sameInstall(s.EnvPath, p) }) {
			continue
		}
		out = append(out, InstallState{EnvPath: p})
	}
	// The chosen install keeps the path it was given.
	for i := range out {
		if c.EnvPath != "" && sameInstall(out[i].EnvPath, c.EnvPath) {
			out[i].EnvPath = c.EnvPath
		}
	}
	return out
}

// sameInstall reports whether two .env paths are the same install's.
func sameInstall(a, b string) bool { return installMatcher()(a, b) }

// installMatcher is sameInstall for one check: each path's folder is
// resolved and looked up once, however many comparisons it is in (a watch
// compares the same few installs on every poll).
func installMatcher() func(a, b string) bool {
	type folder struct {
		dir  string
		info os.FileInfo
	}
	seen := map[string]folder{}
	lookup := func(p string) folder {
		f, ok := seen[p]
		if !ok {
			f.dir = resolveDir(filepath.Dir(p))
			f.info, _ = os.Stat(f.dir)
			seen[p] = f
		}
		return f
	}
	return func(a, b string) bool {
		if a == "" || b == "" {
			return a == b
		}
		fa, fb := lookup(a), lookup(b)
		// Else another spelling of the same folder (FlowMeter and
		// flowmeter on a case-insensitive disk, a bind mount).
		return fa.dir == fb.dir || fa.info != nil && fb.info != nil && os.SameFile(fa.info, fb.info)
	}
}

// listenerFacts gathers what a verdict needs of one socket: the settings
// its process reads, the connects that succeed on this computer's
// addresses, and the formula sandbox. A socket on an address this computer
// does not have is never connected to.
func (c *Checker) listenerFacts(ctx context.Context, s FlowMeterSocket, ifaces []Interface) ListenerFacts {
	lf := ListenerFacts{FlowMeterSocket: s, Answered: map[netip.Addr]bool{}, Sandbox: SandboxUnknown}
	if s.Owner != nil && s.Owner.Start == StartContainer {
		lf.ComposeFile = composeFileOf(s.Backend)
	}
	if s.SettingsDir != "" {
		var env []string
		if s.Owner != nil {
			env = s.Owner.Environ
		}
		lf.Settings, lf.SettingsErr = c.cache.load(filepath.Join(s.SettingsDir, ".env"), env)
	}
	if s.Foreign {
		return lf
	}
	if !s.Unchecked {
		lf.Sandbox = c.cache.remember(sandboxKey(s.Socket), sandboxTTL, func() answer {
			return answer{state: SandboxState(ctx, probeAddr(s.Socket), s.Port)}
		}).state
	}
	lf.Answered = c.answered(ctx, s.Socket, ifaces)
	return lf
}

// answered connects to every non-loopback address a socket may be reached
// on (only this computer's own), all at once, and returns those that
// answered; a watching Checker remembers the answers while the socket and
// the network stay.
func (c *Checker) answered(ctx context.Context, s system.Socket, ifaces []Interface) map[netip.Addr]bool {
	out := map[netip.Addr]bool{}
	var addrs []netip.Addr
	for _, r := range ReachableAddrs(s, ifaces) {
		if r.Kind != KindLoopback && !slices.Contains(addrs, r.Addr) {
			addrs = append(addrs, r.Addr)
		}
	}
	ok := make([]bool, len(addrs))
	if _, never := ask.NeverSend(s.Port); never {
		// Never connected to (it may act on the connection alone): taken
		// as answering wherever it may be reached.
		for _, a := range addrs {
			out[a] = true
		}
		return out
	}
	var wg sync.WaitGroup
	for i, a := range addrs {
		if ans, known := c.cache.answers[probeKey(s, a)]; known && c.cache.enabled {
			ok[i] = ans.ok
			continue
		}
		wg.Go(func() { ok[i] = Probe(ctx, a, s.Port) })
	}
	wg.Wait()
	for i, a := range addrs {
		c.cache.remember(probeKey(s, a), 0, func() answer { return answer{ok: ok[i]} })
		if ok[i] {
			out[a] = true
		}
	}
	return out
}

// trustedOnly names the trusted networks the listeners answer on.
func trustedOnly(ls []Listener) string {
	var names []string
	for _, l := range ls {
		for _, e := range l.ExposedOn {
			name := e.Interface
			if e.Kind == KindVirtual {
				name = guestsName(e.Interface)
			}
			if e.Trusted && !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	return strings.Join(names, ", ")
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
	for _, risk := range r.RisksIn(envPath) {
		f := Finding{Key: risk.Key, Severity: Severity(risk.Severity), Message: risk.Message}
		switch {
		case risk.Setting.Source == envfix.SourceEnvironment:
			// An error's message already names the variable to correct.
			if risk.Severity != envfix.SeverityError {
				f.Message += fmt.Sprintf(" It comes from the environment variable %s: unset it where FlowMeter is started.", risk.Setting.EnvName)
			}
		case risk.SafeValue != "":
			f.Fix = fmt.Sprintf("%s --finding %s", fixCommand(envPath), risk.Key)
		}
		out = append(out, f)
	}
	return out
}

// bindPhrase says in plain words where a host class puts FlowMeter.
func bindPhrase(h envfix.Host) string {
	switch h.Class {
	case envfix.HostAll:
		return "listen on every network interface, IPv4 and IPv6"
	case envfix.HostAllIPv4:
		return "listen on every IPv4 network interface"
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
	switch e.HostSource {
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

// Plan plans the change a fix asks for: the one that makes the setting
// key (a finding's key) safe, or, when key is "", the HOST fix (PlanFix).
func (c *Checker) Plan(ctx context.Context, key string) (*envfix.Plan, error) {
	if key != "" {
		return c.PlanFinding(key)
	}
	return c.PlanFix(ctx)
}

// PlanFix plans the change to the .env that makes FlowMeter bind to
// 127.0.0.1. It refuses when the file is not what decides the address (a
// HOST variable in the environment, or a running FlowMeter's flag,
// variable or container), since changing it would then change nothing.
func (c *Checker) PlanFix(ctx context.Context) (*envfix.Plan, error) {
	if c.EnvPath == "" {
		return nil, ErrNoInstall
	}
	if advice := c.notTheFile(ctx); advice != "" {
		return nil, fmt.Errorf("%s is not what puts FlowMeter on the network, so changing it would change nothing: %s: %w", c.EnvPath, advice, ErrNotTheFile)
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

// notTheFile is the change to make instead of the .env, when this
// install's own FlowMeter is reachable from an untrusted network for a
// reason the file does not control (a flag, a variable, a container); ""
// when the file is the fix. Other installs' FlowMeters are theirs.
func (c *Checker) notTheFile(ctx context.Context) string {
	f := c.Gather(ctx)
	v := Judge(f)
	if f.Install == nil {
		return ""
	}
	for i, lf := range f.Listeners {
		if lf.Backend != f.Install.Backend || len(untrusted(v.Listeners[i])) == 0 {
			continue
		}
		if cause := causeOf(lf); !cause.FileFixes() && cause.Advice != "" {
			return cause.Advice
		}
	}
	return ""
}

// PlanFinding plans the change that makes the setting key (a finding's key)
// safe, through the same reading, verification and write as the HOST fix.
func (c *Checker) PlanFinding(key string) (*envfix.Plan, error) {
	if c.EnvPath == "" {
		return nil, ErrNoInstall
	}
	f, err := envfix.Load(c.EnvPath, c.Environ)
	if err != nil {
		return nil, err
	}
	manual := ""
	for _, r := range f.Reading.RisksIn(c.EnvPath) {
		if !strings.EqualFold(r.Key, key) {
			continue
		}
		if r.SafeValue == "" { // no value is clearly right: the person corrects it
			manual = r.Message
			continue
		}
		if r.Setting.Source == envfix.SourceEnvironment {
			return nil, fmt.Errorf("%s comes from the environment variable %s, which beats %s: unset it where FlowMeter is started: %w", r.Key, r.Setting.EnvName, c.EnvPath, ErrNotTheFile)
		}
		return envfix.PlanSet(f, r.Key, r.SafeValue)
	}
	if manual != "" {
		return nil, fmt.Errorf("%s Localguard cannot choose that value for you, so it changes nothing: %w", manual, envfix.ErrNoSafeEdit)
	}
	return nil, fmt.Errorf("%s has no risky %s setting: run localguard check to see the findings: %w", c.EnvPath, strings.ToUpper(key), ErrNoFinding)
}

// ErrNoFinding means the setting named is not a finding of the file.
var ErrNoFinding = errors.New("no such finding")

// ErrNotTheFile means the .env is not what puts FlowMeter on its address.
var ErrNotTheFile = errors.New("the .env does not decide the address")
