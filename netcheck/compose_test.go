package netcheck

import (
	"strings"
	"testing"

	"localguard/envfix"
)

// TestJudgeComposeAtRisk: with nothing running, compose files that publish
// FlowMeter beyond loopback make the verdict at-risk (never safe), naming
// every file and its fix; files on loopback only leave it safe.
func TestJudgeComposeAtRisk(t *testing.T) {
	file := &envfix.File{Path: "/home/ana/FlowMeter/backend/.env", Exists: true, Reading: envfix.Read([]byte("HOST=127.0.0.1\n"), nil)}
	in := func(c ...ComposePorts) *InstallFacts {
		return &InstallFacts{EnvPath: file.Path, Backend: "/home/ana/FlowMeter/backend", File: file, Exists: true, Compose: c}
	}
	v := Judge(Facts{Install: in(
		ComposePorts{File: "/home/ana/FlowMeter/docker-compose.yaml"},
		ComposePorts{File: "/home/ana/FlowMeter/docker-compose.override.yaml", Published: []string{"backend: 8000:8000"}},
	)})
	if v.Status != StatusAtRisk {
		t.Fatalf("%s: %s", v.Status, v.Message)
	}
	for _, want := range []string{"docker-compose.override.yaml", "backend: 8000:8000", "localguard fix --source /home/ana/FlowMeter/docker-compose.override.yaml"} {
		if !strings.Contains(v.Message, want) {
			t.Errorf("message lacks %q: %s", want, v.Message)
		}
	}
	if strings.Contains(v.Message, "fix --source /home/ana/FlowMeter/docker-compose.yaml") {
		t.Errorf("names the file that is fine: %s", v.Message)
	}
	if v := Judge(Facts{Install: in(ComposePorts{File: "/home/ana/FlowMeter/compose.yaml"})}); v.Status != StatusSafe {
		t.Errorf("loopback-only compose file: %s: %s", v.Status, v.Message)
	}
}

// TestRestartTarget: the process a restart means.
func TestRestartTarget(t *testing.T) {
	mine := Listener{PID: 41, Port: 8000, EnvPath: "/a/backend/.env"}
	theirs := Listener{PID: 42, Port: 8001, EnvPath: "/b/backend/.env"}
	for _, c := range []struct {
		name string
		v    Verdict
		pid  int32
		ok   bool
	}{
		{"the one a fix waits on", Verdict{RestartPID: 42, Env: EnvSummary{Path: "/a/backend/.env"}, Listeners: []Listener{mine, theirs}}, 42, true},
		{"the install's", Verdict{Env: EnvSummary{Path: "/a/backend/.env"}, Listeners: []Listener{theirs, mine}}, 41, true},
		{"the only one", Verdict{Env: EnvSummary{Path: "/c/backend/.env"}, Listeners: []Listener{theirs}}, 42, true},
		{"several, none the install's", Verdict{Env: EnvSummary{Path: "/c/backend/.env"}, Listeners: []Listener{mine, theirs}}, 0, false},
		{"none", Verdict{Env: EnvSummary{Path: "/a/backend/.env"}}, 0, false},
	} {
		l, err := RestartTarget(c.v)
		if (err == nil) != c.ok || l.PID != c.pid {
			t.Errorf("%s: pid %d, %v", c.name, l.PID, err)
		}
	}
}
