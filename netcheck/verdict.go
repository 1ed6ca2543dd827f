// Package netcheck judges the live machine: it tells FlowMeter's listening
// sockets from other programs', finds what put each on its address and who
// can reach it (through relays too), and builds the one verdict Localguard
// shows everywhere: in the window, the tray, the notifications and the
// command line's --json. What it judges is read from the operating system
// by its subpackage system; the judgement itself (Judge) is a pure function
// of those facts.
//
// Package netcheck never imports Fyne.
package netcheck

import (
	"localguard/envfix"
	"localguard/netcheck/firewall"
)

// Status is the verdict's headline, with the exit code of `check`.
type Status string

// The statuses of the command-line contract.
const (
	StatusSafe    Status = "safe"
	StatusExposed Status = "exposed"
	StatusAtRisk  Status = "at-risk"
	StatusError   Status = "error"
)

// ExitCode is the exit code `localguard check` returns for the status.
func (s Status) ExitCode() int {
	switch s {
	case StatusSafe:
		return 0
	case StatusExposed:
		return 1
	case StatusAtRisk:
		return 2
	}
	return 3
}

// Verdict is everything Localguard knows about one FlowMeter install at one
// moment. Its JSON form is the contract in shared/CLI.md.
type Verdict struct {
	Status    Status     `json:"status"`
	Message   string     `json:"message"`
	Env       EnvSummary `json:"env"`
	Listeners []Listener `json:"listeners"`
	Findings  []Finding  `json:"findings"`
	// Relays are local processes that pass FlowMeter on beyond this
	// computer; never FlowMeter's own listeners.
	Relays []Relay `json:"relays"`

	// Fix is the command that fixes the verdict, or "" when there is none
	// Localguard can apply.
	Fix string `json:"fix_command,omitempty"`
	// Advice is what to change instead when the .env is not what puts
	// FlowMeter where it is (a flag, a variable, a container).
	Advice string `json:"advice,omitempty"`
	// OtherInstalls are other FlowMeter installs Localguard found.
	OtherInstalls []string `json:"other_installs,omitempty"`
	// Installs are every FlowMeter install found, running ones first.
	Installs []InstallState `json:"installs"`
	// RestartPID is the FlowMeter process that must restart for a fix
	// already written to take effect; 0 when none must.
	RestartPID int32 `json:"restart_pid,omitempty"`
	// UndoAvailable is true when Localguard fixed the .env and can put
	// its original bytes back.
	UndoAvailable bool `json:"undo_available"`
}

// EnvSummary is what FlowMeter's settings say, read as FlowMeter reads them.
type EnvSummary struct {
	Path       string        `json:"path"`
	Exists     bool          `json:"exists"`
	Host       string        `json:"host"`
	HostSource envfix.Source `json:"host_source"`
	Port       int           `json:"port"`

	// HostClass says how uvicorn binds Host (see envfix.HostClass).
	HostClass envfix.HostClass `json:"host_class"`
	// HostLine is the 1-based line of the .env that decides Host, 0 when
	// no line does.
	HostLine int `json:"host_line,omitempty"`
	// HostVariable names the environment variable that decides Host when
	// HostSource is "environment".
	HostVariable string `json:"host_variable,omitempty"`
	// PortValid is false when FlowMeter would refuse PORT and not start.
	PortValid bool `json:"port_valid"`
}

// Listener is one of FlowMeter's listening sockets.
type Listener struct {
	Address string    `json:"address"`
	Port    int       `json:"port"`
	PID     int32     `json:"pid"`
	Process string    `json:"process"`
	Cmdline string    `json:"cmdline"`
	Cwd     string    `json:"cwd"`
	Cause   CauseKind `json:"cause"`
	// Why says the cause in plain words: the deciding .env line, the flag,
	// the variable or the container.
	Why            string     `json:"why,omitempty"`
	FormulaSandbox Sandbox    `json:"formula_sandbox"`
	ExposedOn      []Exposure `json:"exposed_on"`
	// EnvPath is the backend/.env of the install the listener belongs to,
	// "" when that cannot be known (FlowMeter from an unknown folder).
	EnvPath string `json:"env_path"`
	// Confirmed is true once FlowMeter's own answers confirmed it; an
	// unconfirmed listener still counts (its owner is FlowMeter by how it
	// was started, or it may be FlowMeter).
	Confirmed bool `json:"confirmed"`
	// Unchecked is true when the listener may be FlowMeter's but neither
	// its process nor its answers tell: it keeps the verdict from safe
	// where it can be reached.
	Unchecked bool `json:"unchecked,omitempty"`
	// NotThisComputer is true when it listens on an address this computer
	// does not have: never probed, reachable by nobody until it has it.
	NotThisComputer bool `json:"not_this_computers_address,omitempty"`
	// SeenBy says how it was found: "answer" when the socket itself
	// answered as FlowMeter, and the hints that led there
	// ("command-line", "folder", "config", "container", "connection").
	SeenBy []SeenBy `json:"seen_by"`
}

// Exposure is one non-loopback address a listener answers on.
type Exposure struct {
	Interface string   `json:"interface"`
	Address   string   `json:"address"`
	Kind      AddrKind `json:"kind"`
	Trusted   bool     `json:"trusted"`
	URL       string   `json:"url"`
	// Network names the network for people, as the system does (Wi-Fi
	// "Costa-Guest", wired network, VPN "corp", containers on this computer); "" where nothing names it.
	Network string `json:"network,omitempty"`
	// FirewallCategory is Windows Firewall's category of that network
	// (Public, Private, Domain), read-only; "" elsewhere.
	FirewallCategory string `json:"firewall_category,omitempty"`
	// Via is this computer's own address on that network: Address, or
	// another interface's address when the weak host model lets a
	// neighbour route to Address through this one.
	Via string `json:"via,omitempty"`
	// Firewall is the host firewall's decision for a neighbour on that
	// network: blocked means it is not an exposure now (never safe: one
	// changed rule opens it); nil when it was not asked.
	Firewall *firewall.Answer `json:"firewall,omitempty"`
}

// Blocked reports whether the host firewall certainly keeps neighbours on
// that network out.
func (e Exposure) Blocked() bool { return e.Firewall != nil && e.Firewall.Decision == firewall.Blocked }

// Finding is another setting in the file that weakens FlowMeter's safety.
type Finding struct {
	Key      string   `json:"key"`
	Severity Severity `json:"severity"`
	Message  string   `json:"message"`
	// Fix is the command that makes the setting safe.
	Fix string `json:"fix_command,omitempty"`
}

// Severity is how much a finding weakens FlowMeter's safety, in the words
// of the JSON contract (envfix's risk severities).
type Severity string

// The severities of a finding.
const (
	// SeverityCritical: anyone who reaches FlowMeter can run programs.
	SeverityCritical Severity = envfix.SeverityCritical
	// SeverityWarning: FlowMeter is less safe than it should be.
	SeverityWarning Severity = envfix.SeverityWarning
	// SeverityError: FlowMeter would refuse the value and not start.
	SeverityError Severity = envfix.SeverityError
)

// summarize reads the settings half of a verdict from a loaded file.
func summarize(f *envfix.File) EnvSummary {
	r := f.Reading
	host := r.Host()
	_, n, ok := r.Port()
	return EnvSummary{
		Path:         f.Path,
		Exists:       f.Exists,
		Host:         host.Value,
		HostSource:   host.Source,
		Port:         n,
		PortValid:    ok,
		HostClass:    envfix.ClassifyHost(host.Value).Class,
		HostLine:     r.LineOf(host.Statement),
		HostVariable: host.EnvName,
	}
}
