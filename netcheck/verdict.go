// Package netcheck looks at the live machine (FlowMeter's listening sockets,
// their owning processes, the interfaces they can be reached on) and builds
// the one verdict Localguard shows everywhere: in the window, the tray, the
// notifications and the command line's --json.
//
// Package netcheck never imports Fyne.
package netcheck

import (
	"localguard/envfix"
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

	// Fix is the command that fixes the verdict, or "" when there is none
	// Localguard can apply.
	Fix string `json:"fix_command,omitempty"`
	// Advice is what to change instead when the .env is not what puts
	// FlowMeter where it is (a flag, a variable, a container).
	Advice string `json:"advice,omitempty"`
	// OtherInstalls are other FlowMeter installs Localguard found.
	OtherInstalls []string `json:"other_installs,omitempty"`
	// RestartPID is the FlowMeter process that must restart for a fix
	// already written to take effect; 0 when none must.
	RestartPID int32 `json:"restart_pid,omitempty"`
	// UndoAvailable is true when Localguard fixed the .env and can put
	// its original bytes back.
	UndoAvailable bool `json:"undo_available"`
}

// EnvSummary is what FlowMeter's settings say, read as FlowMeter reads them.
type EnvSummary struct {
	Path       string `json:"path"`
	Exists     bool   `json:"exists"`
	Host       string `json:"host"`
	HostSource string `json:"host_source"`
	Port       int    `json:"port"`

	// HostClass says how uvicorn binds Host (see envfix.HostClass).
	HostClass string `json:"host_class"`
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
	Address string `json:"address"`
	Port    int    `json:"port"`
	PID     int32  `json:"pid"`
	Process string `json:"process"`
	Cmdline string `json:"cmdline"`
	Cwd     string `json:"cwd"`
	Cause   string `json:"cause"`
	// Why says the cause in plain words: the deciding .env line, the flag,
	// the variable or the container.
	Why            string     `json:"why,omitempty"`
	FormulaSandbox string     `json:"formula_sandbox"`
	ExposedOn      []Exposure `json:"exposed_on"`
}

// Exposure is one non-loopback address a listener answers on.
type Exposure struct {
	Interface string `json:"interface"`
	Address   string `json:"address"`
	Kind      string `json:"kind"`
	Trusted   bool   `json:"trusted"`
	URL       string `json:"url"`
}

// Finding is another setting in the file that weakens FlowMeter's safety.
type Finding struct {
	Key      string `json:"key"`
	Severity string `json:"severity"`
	Message  string `json:"message"`
	// Fix is the command that makes the setting safe.
	Fix string `json:"fix_command,omitempty"`
}

// summarize reads the settings half of a verdict from a loaded file.
func summarize(f *envfix.File) EnvSummary {
	r := f.Reading
	host := r.Host()
	_, n, ok := r.Port()
	return EnvSummary{
		Path:         f.Path,
		Exists:       f.Exists,
		Host:         host.Value,
		HostSource:   string(host.Source),
		Port:         n,
		PortValid:    ok,
		HostClass:    string(envfix.ClassifyHost(host.Value).Class),
		HostLine:     r.LineOf(host.Statement),
		HostVariable: host.EnvName,
	}
}
