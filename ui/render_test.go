package ui

import (
	"context"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"localguard/netcheck"
)

// Verdicts as netcheck gives them, one per state the window shows.
var (
	exposedListener = netcheck.Listener{
		Address: "0.0.0.0", Port: 8000, PID: 4242, Process: "python3",
		Cmdline: "python3 -m app.main", Cwd: "/home/ana/FlowMeter/backend",
		Cause: netcheck.CauseEnvFile, FormulaSandbox: "on",
		Why: "HOST=0.0.0.0 on line 4 of /home/ana/FlowMeter/backend/.env",
		ExposedOn: []netcheck.Exposure{{
			Interface: "wlan0", Address: "192.168.1.23", Kind: "lan",
			URL: "http://192.168.1.23:8000",
		}},
	}
	envFile = netcheck.EnvSummary{
		Path: "/home/ana/FlowMeter/backend/.env", Exists: true, Host: "0.0.0.0",
		HostSource: "file", Port: 8000, HostClass: "all-ipv4", HostLine: 4, PortValid: true,
	}
	envLocal = func() netcheck.EnvSummary {
		e := envFile
		e.Host, e.HostClass = "127.0.0.1", "loopback"
		return e
	}()
	debugFinding = netcheck.Finding{
		Key: "DEBUG", Severity: "warning",
		Message: "DEBUG=true makes FlowMeter send error details, with paths and code, to whoever calls it.",
		Fix:     "localguard fix --env /home/ana/FlowMeter/backend/.env --finding DEBUG",
	}

	verdicts = map[string]netcheck.Verdict{
		"exposed": {
			Status:    netcheck.StatusExposed,
			Message:   "FlowMeter on port 8000 can be reached by anyone on wlan0 (local network, 192.168.1.23) and read every dataset loaded in it. It is there because of HOST=0.0.0.0 on line 4 of /home/ana/FlowMeter/backend/.env.",
			Env:       envFile,
			Listeners: []netcheck.Listener{exposedListener},
			Findings:  []netcheck.Finding{debugFinding},
			Fix:       "localguard fix --env /home/ana/FlowMeter/backend/.env",
		},
		"at-risk": {
			Status:    netcheck.StatusAtRisk,
			Message:   "At its next start FlowMeter would listen on every network interface (HOST=0.0.0.0, from line 4 of /home/ana/FlowMeter/backend/.env).",
			Env:       envFile,
			Listeners: []netcheck.Listener{},
			Findings:  []netcheck.Finding{},
			Fix:       "localguard fix --env /home/ana/FlowMeter/backend/.env",
		},
		"safe": {
			Status:  netcheck.StatusSafe,
			Message: "FlowMeter (pid 4242) can be reached from this computer only, and its settings keep it so (HOST=127.0.0.1).",
			Env:     envLocal,
			Listeners: []netcheck.Listener{{
				Address: "127.0.0.1", Port: 8000, PID: 4242, Process: "python3",
				Cmdline: "python3 -m app.main", Cwd: "/home/ana/FlowMeter/backend",
				Cause: netcheck.CauseEnvFile, FormulaSandbox: "on", ExposedOn: []netcheck.Exposure{},
				Why: "HOST=127.0.0.1 on line 4 of /home/ana/FlowMeter/backend/.env",
			}},
			Findings: []netcheck.Finding{},
		},
		"error": {
			Status:    netcheck.StatusError,
			Message:   "/home/ana/FlowMeter/backend/.env is not UTF-8: save it as UTF-8 and check again.",
			Env:       netcheck.EnvSummary{Path: "/home/ana/FlowMeter/backend/.env", Port: 8000},
			Listeners: []netcheck.Listener{},
			Findings:  []netcheck.Finding{},
		},
		"restart-needed": {
			Status:     netcheck.StatusExposed,
			Message:    "FlowMeter on port 8000 can be reached by anyone on wlan0 (local network, 192.168.1.23) and read every dataset loaded in it. /home/ana/FlowMeter/backend/.env is already fixed; restart FlowMeter (python3 -m app.main, pid 4242) to apply it.",
			Env:        envLocal,
			Listeners:  []netcheck.Listener{exposedListener},
			Findings:   []netcheck.Finding{},
			RestartPID: 4242,
		},
		"show-how": {
			Status:  netcheck.StatusExposed,
			Message: "FlowMeter on port 8000 can be reached by anyone on wlan0 (local network, 192.168.1.23) and read every dataset loaded in it. It is there because a container publishes port 8000 on every address (docker-proxy); changing the .env would not help.",
			Env:     envLocal,
			Listeners: []netcheck.Listener{func() netcheck.Listener {
				l := exposedListener
				l.Cause, l.Process, l.Cmdline, l.Cwd, l.FormulaSandbox = netcheck.CauseContainer, "docker-proxy", "/usr/bin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8000", "", "off"
				return l
			}()},
			Findings: []netcheck.Finding{},
			Advice:   `in docker-compose.yaml, publish the ports on this computer only: "127.0.0.1:8000:8000" instead of "8000:8000", and "127.0.0.1:3000:3000" instead of "3000:3000" for the web page server, then run docker-compose up -d`,
		},
		// FlowMeter stopped after the fix: nothing runs (rendered after a
		// stop by TestRenderStopped).
		"stopped": {
			Status:    netcheck.StatusSafe,
			Message:   "FlowMeter is not running, and its settings keep it on this computer only (HOST=127.0.0.1, from line 4 of /home/ana/FlowMeter/backend/.env).",
			Env:       envLocal,
			Listeners: []netcheck.Listener{},
			Findings:  []netcheck.Finding{},
		},
		// Undone while FlowMeter runs local-only: the running process and
		// the next start disagree, and the Why rows say both.
		"after-undo": {
			Status:  netcheck.StatusAtRisk,
			Message: "FlowMeter is on this computer only for now. At its next start FlowMeter would listen on every IPv4 network interface (HOST=0.0.0.0, from line 4 of /home/ana/FlowMeter/backend/.env).",
			Env:     envFile,
			Listeners: []netcheck.Listener{{
				Address: "127.0.0.1", Port: 8000, PID: 4242, Process: "python3",
				Cmdline: "python3 -m app.main", Cwd: "/home/ana/FlowMeter/backend",
				Cause: netcheck.CauseEnvFile, FormulaSandbox: "on", ExposedOn: []netcheck.Exposure{},
				Why: "/home/ana/FlowMeter/backend/.env said otherwise when it started; it now says HOST=0.0.0.0 (line 4), which takes effect at its next start",
			}},
			Findings:      []netcheck.Finding{},
			Fix:           "localguard fix --env /home/ana/FlowMeter/backend/.env",
			UndoAvailable: true,
		},
	}
)

// newStill builds the window without an engine, to render verdicts.
func newStill(t *testing.T) *window {
	t.Helper()
	a := test.NewTempApp(t)
	w := a.NewWindow(windowTitle)
	t.Cleanup(w.Close)
	eng := newEngine(context.Background(), nil, nil)
	u := newWindow(a, w, eng, func(f func()) { f() }, &notesPeer{notes: notifier{send: func(*fyne.Notification) {}, enabled: func() bool { return false }}}, loadPrefs(""))
	u.now = fixedNow
	w.Resize(fyne.NewSize(760, 680))
	return u
}

// TestRenderStatus renders each state and compares it with its golden
// markup (testdata/status/*.xml).
func TestRenderStatus(t *testing.T) {
	for name, v := range verdicts {
		t.Run(name, func(t *testing.T) {
			u := newStill(t)
			u.render(v)
			test.AssertRendersToMarkup(t, "status/"+name+".xml", u.win.Canvas())
		})
	}
}

// TestRenderStopped: after Stop, the window says FlowMeter is stopped and
// will start local-only, never "Safe" with the fix in effect.
func TestRenderStopped(t *testing.T) {
	u := newStill(t)
	u.render(verdicts["restart-needed"])
	u.last, u.stoppedPID = actionStopped, 4242
	u.render(verdicts["stopped"])
	if u.title.Text != "Stopped — FlowMeter will start local-only" {
		t.Errorf("after the stop: %q", u.title.Text)
	}
	test.AssertRendersToMarkup(t, "status/stopped-after-fix.xml", u.win.Canvas())
	// Undone while stopped: the next start is no longer local-only, and
	// the header must not say it is.
	u.render(verdicts["at-risk"])
	if u.title.Text != "At risk — FlowMeter would be exposed at its next start" {
		t.Errorf("undone while stopped: %q", u.title.Text)
	}
	u.render(verdicts["stopped"])
	again := verdicts["safe"] // started again
	again.Listeners = []netcheck.Listener{again.Listeners[0]}
	again.Listeners[0].PID = 4343
	u.render(again)
	if u.title.Text != "Safe — FlowMeter is local-only" || u.last != actionNone {
		t.Errorf("after the start: %q", u.title.Text)
	}
	test.AssertRendersToMarkup(t, "status/restarted-safe.xml", u.win.Canvas())
}

// TestRenderNoInstall renders the window that asks for the folder.
func TestRenderNoInstall(t *testing.T) {
	u := newStill(t)
	u.showNoInstall(netcheck.ErrNoInstall)
	test.AssertRendersToMarkup(t, "status/no-install.xml", u.win.Canvas())
}

// TestRenderWidgets checks, state by state, what a person reads and can
// press, the things the goldens hold but do not name.
func TestRenderWidgets(t *testing.T) {
	tests := []struct {
		name           string
		title          string
		shield         fyne.Resource
		action         string // "" hidden
		stop, trusting bool
	}{
		{"exposed", "Exposed — others can reach FlowMeter", shieldFor(netcheck.StatusExposed).vector, labelMakeLocal, false, true},
		{"at-risk", "At risk — FlowMeter would be exposed at its next start", shieldFor(netcheck.StatusAtRisk).vector, labelMakeLocal, false, false},
		{"safe", "Safe — FlowMeter is local-only", shieldFor(netcheck.StatusSafe).vector, "", false, false},
		{"error", "Localguard cannot tell", shieldFor(netcheck.StatusError).vector, "", false, false},
		{"restart-needed", "Fixed — restart FlowMeter to finish", shieldFor(netcheck.StatusAtRisk).vector, "", true, true},
		{"show-how", "Exposed — others can reach FlowMeter", shieldFor(netcheck.StatusExposed).vector, labelShowHow, false, true},
		{"stopped", "Safe — FlowMeter is local-only", shieldFor(netcheck.StatusSafe).vector, "", false, false},
		{"after-undo", "At risk — FlowMeter would be exposed at its next start", shieldFor(netcheck.StatusAtRisk).vector, labelMakeLocal, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u := newStill(t)
			v := verdicts[tt.name]
			u.render(v)
			if u.title.Text != tt.title {
				t.Errorf("title %q, want %q", u.title.Text, tt.title)
			}
			if u.shield.Resource != tt.shield {
				t.Errorf("shield %s, want %s", u.shield.Resource.Name(), tt.shield.Name())
			}
			if want := headerFor(v, true, actionNone).sentence; u.message.Text != want || want == "" {
				t.Errorf("message %q, want %q", u.message.Text, want)
			}
			if got := map[bool]string{true: "", false: u.action.Text}[u.action.Hidden]; got != tt.action {
				t.Errorf("the one button reads %q, want %q", got, tt.action)
			}
			if u.stop.Hidden == tt.stop {
				t.Errorf("Stop FlowMeter shown %v, want %v", !u.stop.Hidden, tt.stop)
			}
			if (len(u.trust) > 0) != tt.trusting {
				t.Errorf("%d trust toggles, want some: %v", len(u.trust), tt.trusting)
			}
			if u.installPath.Full() != v.Env.Path {
				t.Errorf("install path %q, want %q", u.installPath.Full(), v.Env.Path)
			}
		})
	}
}

// TestShowHowCopies opens the advice and copies its exact text.
func TestShowHowCopies(t *testing.T) {
	u := newStill(t)
	v := verdicts["show-how"]
	u.render(v)
	test.Tap(u.action)
	if u.howTo == nil {
		t.Fatal("Show how to fix opened nothing")
	}
	if u.howTo.text.Text != v.Advice {
		t.Errorf("the text to copy is %q, want the advice %q", u.howTo.text.Text, v.Advice)
	}
	test.Tap(u.howTo.copy)
	if got := u.app.Clipboard().Content(); got != v.Advice {
		t.Errorf("copied %q, want %q", got, v.Advice)
	}
	test.Tap(u.howTo.close)
	if u.howTo != nil {
		t.Error("Close left the advice open")
	}
}

// TestStopAsksFirst: Stop FlowMeter warns about the datasets and stops
// nothing on "Keep it running".
func TestStopAsksFirst(t *testing.T) {
	u := newStill(t)
	u.render(verdicts["restart-needed"])
	if why := allText(u.why); !strings.Contains(why, "python3 -m app.main (pid 4242)") {
		t.Errorf("Why does not name the process: %q", why)
	}
	held := false
	holdFlowMeter = func(pid int32, _ string) (*netcheck.FlowMeterProcess, error) {
		held = true
		return &netcheck.FlowMeterProcess{PID: pid}, nil // the fixture's pid 4242 runs nothing here
	}
	defer func() { holdFlowMeter = netcheck.HoldFlowMeter }()
	test.Tap(u.stop)
	if u.stopAsk == nil || !held {
		t.Fatal("Stop FlowMeter did not take hold of the process and ask first")
	}
	test.Tap(u.stopAsk.keep)
	if u.stopAsk != nil {
		t.Error("Keep it running left the question open")
	}
}
