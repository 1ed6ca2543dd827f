package netcheck

import (
	"errors"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"localguard/envfix"
	"localguard/netcheck/system"
)

// The judgement is a pure function: these tables need neither python nor
// root, and no socket or file.

const (
	backendA = "/home/ana/FlowMeter/backend"
	backendB = "/home/ana/other/FlowMeter/backend"
)

var judgeIfaces = []Interface{
	{Name: "lo", Flags: net.FlagLoopback | net.FlagUp, Addrs: []InterfaceAddr{
		{netip.MustParsePrefix("127.0.0.1/8"), KindLoopback}, {netip.MustParsePrefix("::1/128"), KindLoopback}}},
	{Name: "wlan0", Flags: net.FlagUp, Addrs: []InterfaceAddr{
		{netip.MustParsePrefix("192.168.1.23/24"), KindLAN}, {netip.MustParsePrefix("fd00::23/64"), KindLAN}}},
	{Name: "eth1", Flags: net.FlagUp, Addrs: []InterfaceAddr{{netip.MustParsePrefix("10.9.0.5/16"), KindLAN}}},
}

// envFile is a .env read as FlowMeter reads it, without a disk.
func envFile(dir, content string, env ...string) *envfix.File {
	p := filepath.Join(dir, ".env")
	return &envfix.File{Path: p, Target: p, Exists: content != "", Reading: envfix.Read([]byte(content), env)}
}

// install is the chosen install's facts.
func install(dir, content string) *InstallFacts {
	return &InstallFacts{EnvPath: filepath.Join(dir, ".env"), Backend: dir, File: envFile(dir, content)}
}

// fm is a FlowMeter socket on addr:port held by a process started as
// cmdline in backend, answering on every address the socket reaches.
func fm(addr string, port int, start StartStyle, cmdline, backend string, settings string) ListenerFacts {
	a := netip.MustParseAddr(addr)
	lf := ListenerFacts{
		FlowMeterSocket: FlowMeterSocket{
			Socket:  system.Socket{Addr: a, Port: port, Inode: uint64(port), DualKnown: true},
			Owner:   &Owner{PID: int32(port), Name: "python3", Cmdline: cmdline, Args: strings.Fields(cmdline), Cwd: backend, Environ: []string{}, Start: start},
			Backend: backend, SettingsDir: backend, Confirmed: true, Evidence: true,
		},
		Answered: map[netip.Addr]bool{},
		Sandbox:  "on",
	}
	if backend != "" {
		lf.Settings = envFile(backend, settings)
	}
	for _, r := range ReachableAddrs(lf.Socket, judgeIfaces) {
		lf.Answered[r.Addr] = true
	}
	return lf
}

func (lf ListenerFacts) with(f func(*ListenerFacts)) ListenerFacts {
	o := *lf.Owner
	lf.Owner = &o
	f(&lf)
	return lf
}

// judgeCase is one row of TestJudge: facts and what their verdict must say.
type judgeCase struct {
	name  string
	facts Facts
	want  Status
	// wantCause is the first listener's cause; wantIn must be in the
	// message, wantNot must not.
	wantCause       CauseKind
	wantIn, wantNot []string
	wantFix         bool
	wantAdvice      bool
	check           func(*testing.T, Verdict)
}

func TestJudge(t *testing.T) {
	trustWlan := &Store{Trusted: []Network{{Interface: "wlan0", Subnet: netip.MustParsePrefix("192.168.1.0/24")}}}
	trustAll := &Store{Trusted: []Network{
		{Interface: "wlan0", Subnet: netip.MustParsePrefix("192.168.1.0/24")},
		{Interface: "wlan0", Subnet: netip.MustParsePrefix("fd00::/64")},
		{Interface: "eth1", Subnet: netip.MustParsePrefix("10.9.0.0/16")}}}
	module := "python3 -m app.main"
	for _, tc := range []judgeCase{
		{
			name:  "python -m app.main on 0.0.0.0 from the .env",
			facts: Facts{Install: install(backendA, "HOST=0.0.0.0\n"), Listeners: []ListenerFacts{fm("0.0.0.0", 8000, StartPythonModule, module, backendA, "HOST=0.0.0.0\n")}},
			want:  StatusExposed, wantCause: CauseEnvFile, wantFix: true,
			wantIn: []string{"wlan0 (local network, 192.168.1.23)", "eth1", "HOST=0.0.0.0 on line 1 of " + filepath.Join(backendA, ".env")},
		},
		{
			name: "networks named as people know them",
			facts: Facts{Install: install(backendA, "HOST=0.0.0.0\n"), Listeners: []ListenerFacts{fm("0.0.0.0", 8000, StartPythonModule, module, backendA, "HOST=0.0.0.0\n")},
				Interfaces: func() []Interface {
					ifs := slices.Clone(judgeIfaces)
					ifs[1].Profile = system.NetworkProfile{Name: "Costa-Guest", Type: "Wi-Fi"}
					return ifs
				}()},
			want: StatusExposed, wantCause: CauseEnvFile, wantFix: true,
			wantIn: []string{"Wi-Fi \u201cCosta-Guest\u201d (wlan0, local network, 192.168.1.23)"},
			check:  checkNetworkNamedAsPeopleKnowIt,
		},
		{
			name:  "python -m app.main on the default: no HOST line",
			facts: Facts{Install: install(backendA, "PORT=8000\n"), Listeners: []ListenerFacts{fm("0.0.0.0", 8000, StartPythonModule, module, backendA, "PORT=8000\n")}},
			want:  StatusExposed, wantCause: CauseDefault, wantFix: true,
			wantIn: []string{"default HOST 0.0.0.0"},
		},
		{
			name: "python -m app.main with HOST in its environment",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{
				fm("0.0.0.0", 8000, StartPythonModule, module, backendA, "HOST=127.0.0.1\n").with(func(l *ListenerFacts) { l.Owner.Environ = []string{"HOST=0.0.0.0"} })}},
			want: StatusExposed, wantCause: CauseEnvironment, wantAdvice: true,
			wantIn: []string{"environment variable HOST=0.0.0.0", "changing the .env would not help"},
		},
		{
			name: "fixed, waiting for the restart",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{
				fm("0.0.0.0", 8000, StartPythonModule, module, backendA, "HOST=127.0.0.1\n")}},
			want: StatusExposed, wantCause: CauseEnvFile,
			wantIn: []string{"already fixed; restart"},
			check:  checkRestartPending,
		},
		{
			name:  "uvicorn --host 0.0.0.0: the flag, not the .env",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{fm("0.0.0.0", 8000, StartUvicorn, "uvicorn app.main:app --host 0.0.0.0", backendA, "").with(func(l *ListenerFacts) { l.Owner.HostFlag, l.Owner.HostFlagSet = "0.0.0.0", true })}},
			want:  StatusExposed, wantCause: CauseCommandLine, wantAdvice: true,
			wantIn: []string{"--host 0.0.0.0", "start it with --host 127.0.0.1 instead"},
		},
		{
			name:  "uvicorn with UVICORN_HOST",
			facts: Facts{Install: install(backendA, ""), Listeners: []ListenerFacts{fm("0.0.0.0", 8000, StartUvicorn, "uvicorn app.main:app", backendA, "").with(func(l *ListenerFacts) { l.Owner.Environ = []string{"UVICORN_HOST=0.0.0.0"} })}},
			want:  StatusExposed, wantCause: CauseEnvironment, wantAdvice: true,
		},
		{
			name:  "uvicorn without --host: loopback, and the .env HOST is not a risk for it",
			facts: Facts{Install: install(backendA, "HOST=0.0.0.0\n"), Listeners: []ListenerFacts{fm("127.0.0.1", 8000, StartUvicorn, "uvicorn app.main:app --reload", backendA, "HOST=0.0.0.0\n")}},
			want:  StatusSafe, wantCause: CauseDefault,
			wantIn: []string{"uvicorn binds 127.0.0.1"},
			check:  checkHostLineFindingWithFix,
		},
		{
			name:  "gunicorn without --bind",
			facts: Facts{Install: install(backendA, ""), Listeners: []ListenerFacts{fm("127.0.0.1", 8000, StartGunicorn, "gunicorn app.main:app -k uvicorn.workers.UvicornWorker", backendA, "")}},
			want:  StatusSafe, wantCause: CauseDefault,
		},
		{
			name:  "gunicorn with PORT in its environment binds 0.0.0.0",
			facts: Facts{Install: install(backendA, ""), Listeners: []ListenerFacts{fm("0.0.0.0", 8000, StartGunicorn, "gunicorn app.main:app", backendA, "").with(func(l *ListenerFacts) { l.Owner.Environ = []string{"PORT=8000"} })}},
			want:  StatusExposed, wantCause: CauseEnvironment, wantAdvice: true,
		},
		{
			name:  "gunicorn --bind 0.0.0.0:8000",
			facts: Facts{Install: install(backendA, ""), Listeners: []ListenerFacts{fm("0.0.0.0", 8000, StartGunicorn, "gunicorn -b 0.0.0.0:8000 app.main:app", backendA, "").with(func(l *ListenerFacts) { l.Owner.HostFlag, l.Owner.HostFlagSet = "0.0.0.0", true })}},
			want:  StatusExposed, wantCause: CauseCommandLine, wantAdvice: true,
		},
		{
			name:  "python run.py always binds 127.0.0.1: the .env HOST is not a risk for it",
			facts: Facts{Install: install(backendA, "HOST=0.0.0.0\nPORT=8000\n"), Listeners: []ListenerFacts{fm("127.0.0.1", 8000, StartRunPy, "python3 run.py", backendA, "HOST=0.0.0.0\n")}},
			want:  StatusSafe, wantCause: CauseDefault,
			wantIn:  []string{"run.py always binds 127.0.0.1"},
			wantNot: []string{"every network interface"},
		},
		{
			name:  "the released FlowMeter binary",
			facts: Facts{Install: install(backendA, "HOST=0.0.0.0\n"), Listeners: []ListenerFacts{fm("127.0.0.1", 8000, StartPackaged, "/opt/FlowMeter/FlowMeter", backendA, "HOST=0.0.0.0\n")}},
			want:  StatusSafe, wantCause: CauseDefault,
			wantIn: []string{"released FlowMeter always binds 127.0.0.1"},
		},
		{
			name:  "not running: HOST=0.0.0.0 is a risk if started with python -m app.main, said as such",
			facts: Facts{Install: install(backendA, "HOST=0.0.0.0\n")},
			want:  StatusAtRisk, wantFix: true,
			wantIn:  []string{"If FlowMeter is started with python -m app.main", "every IPv4 network interface"},
			wantNot: []string{"every network interface"},
		},
		{
			name:   "a PORT FlowMeter refuses: said first",
			facts:  Facts{Install: install(backendA, "HOST=127.0.0.1\nPORT=80a0\n")},
			want:   StatusSafe,
			wantIn: []string{"FlowMeter will not start", "PORT=80a0"},
			check:  checkPortRefusalFirst,
		},
		{
			name:    "PORT=8000.0 is port 8000",
			facts:   Facts{Install: install(backendA, "HOST=127.0.0.1\nPORT=8000.0\n")},
			want:    StatusSafe,
			wantNot: []string{"will not start"},
			check:   checkPort8000,
		},
		{
			name:   "not running, settings local",
			facts:  Facts{Install: install(backendA, "HOST=127.0.0.1\n")},
			want:   StatusSafe,
			wantIn: []string{"not running"},
		},
		{
			name: "a Vite dev server without --host is never named FlowMeter",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{
				fm("::1", 3000, StartVite, "node /home/ana/FlowMeter/frontend/node_modules/.bin/vite", backendA, "").with(func(l *ListenerFacts) { l.SettingsDir, l.Settings, l.Owner.Name = "", nil, "node" }),
				fm("127.0.0.1", 8000, StartPythonModule, module, backendA, "HOST=127.0.0.1\n")}},
			want: StatusSafe, wantCause: CauseDefault,
			wantNot: []string{"pid 3000"},
			check:   checkViteNeverFlowMeter,
		},
		{
			name: "a Vite dev server with --host passes FlowMeter on",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{
				fm("::", 3000, StartVite, "node vite --host", backendA, "").with(func(l *ListenerFacts) {
					l.SettingsDir, l.Settings, l.Owner.HostFlagSet, l.DualStack = "", nil, true, true
					for _, r := range ReachableAddrs(l.Socket, judgeIfaces) {
						l.Answered[r.Addr] = true
					}
				})}},
			want: StatusExposed, wantCause: CauseCommandLine, wantAdvice: true,
			wantIn: []string{"web page server (Vite) on port 3000 passes FlowMeter's data"},
		},
		{
			name: "a container publishing the port",
			facts: Facts{Install: install(backendA, ""), Listeners: []ListenerFacts{
				fm("0.0.0.0", 8000, StartContainer, "/usr/bin/docker-proxy -proto tcp -host-ip 0.0.0.0 -host-port 8000", backendA, "").with(func(l *ListenerFacts) {
					l.SettingsDir, l.Settings, l.Owner.Name = "", nil, "docker-proxy"
				})}},
			want: StatusExposed, wantCause: CauseContainer, wantAdvice: true,
			wantIn:  []string{"docker-compose.yaml", `"127.0.0.1:3000:3000"`},
			wantNot: []string{"docker-compose.yml"},
		},
		{
			name: "two FlowMeters: the chosen one local, another install's exposed",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{
				fm("127.0.0.1", 8000, StartPythonModule, module, backendA, "HOST=127.0.0.1\n"),
				fm("0.0.0.0", 8001, StartPythonModule, module, backendB, "HOST=0.0.0.0\n")}},
			want: StatusExposed, wantFix: true,
			wantIn: []string{"port 8001", "from " + backendB, "HOST=0.0.0.0 on line 1 of " + filepath.Join(backendB, ".env")},
			check:  checkExposedInstallFixed,
		},
		{
			name: "FlowMeter from an unknown folder, no install known",
			facts: Facts{Listeners: []ListenerFacts{fm("0.0.0.0", 8000, StartPythonModule, module, "", "").with(func(l *ListenerFacts) {
				l.SettingsDir, l.CwdGone = "", true
			})}},
			want: StatusExposed, wantCause: CauseUnknown,
			wantIn: []string{"from an unknown folder", "deleted or replaced"},
			check:  checkNoEnvPath,
		},
		{
			name: "FlowMeter from an unknown folder on loopback: its next start cannot be told",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{fm("127.0.0.1", 8000, StartPythonModule, module, "", "").with(func(l *ListenerFacts) {
				l.SettingsDir, l.Settings, l.CwdGone = "", nil, true
			})}},
			want:   StatusAtRisk,
			wantIn: []string{"cannot read the settings"},
		},
		{
			name: "a candidate that never answered, reachable: an error, never safe",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{fm("0.0.0.0", 8123, StartUnknown, "python3 -c import uvicorn; uvicorn.run(...)", backendA, "").with(func(l *ListenerFacts) {
				l.Confirmed, l.Evidence, l.Unchecked = false, false, true
			})}},
			want:   StatusError,
			wantIn: []string{"could not check the server on port 8123", "did not answer in time"},
		},
		{
			name: "a candidate that never answered, on loopback: nobody else can reach it",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{fm("127.0.0.1", 8123, StartUnknown, "python3 x.py", backendA, "").with(func(l *ListenerFacts) {
				l.Confirmed, l.Evidence, l.Unchecked = false, false, true
			})}},
			want: StatusSafe,
		},
		{
			name: "FlowMeter by evidence that did not answer is still judged",
			facts: Facts{Install: install(backendA, "HOST=0.0.0.0\n"), Listeners: []ListenerFacts{fm("0.0.0.0", 8000, StartPythonModule, module, backendA, "HOST=0.0.0.0\n").with(func(l *ListenerFacts) {
				l.Confirmed = false
			})}},
			want: StatusExposed, wantFix: true,
		},
		{
			name: "a FlowMeter of another user, confirmed by its answers",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{fm("0.0.0.0", 8000, StartPythonModule, module, "", "").with(func(l *ListenerFacts) {
				l.Owner, l.SettingsDir, l.Settings, l.Evidence = nil, "", nil, false
			})}},
			want: StatusExposed, wantCause: CauseUnknown,
			wantIn: []string{"belongs to another user"},
		},
		{
			name: "bound to a trusted network's address: reachable from the others (weak host)",
			facts: Facts{Install: install(backendA, "HOST=192.168.1.23\n"), Trusted: trustWlan, Listeners: []ListenerFacts{
				fm("192.168.1.23", 8000, StartPythonModule, module, backendA, "HOST=192.168.1.23\n")}},
			want: StatusExposed, wantFix: true,
			wantIn: []string{"eth1 (local network, 192.168.1.23)"},
			check:  checkWeakHostExposure,
		},
		{
			name: "every network trusted: at-risk only by its settings",
			facts: Facts{Install: install(backendA, "HOST=192.168.1.23\n"), Trusted: trustAll, Listeners: []ListenerFacts{
				fm("192.168.1.23", 8000, StartPythonModule, module, backendA, "HOST=192.168.1.23\n")}},
			want: StatusAtRisk, wantFix: true,
			wantIn: []string{"networks you trust"},
		},
		{
			name: "bound to an address this computer does not have: never probed, at-risk",
			facts: Facts{Install: install(backendA, "HOST=127.0.0.1\n"), Listeners: []ListenerFacts{fm("10.213.5.2", 8000, StartPythonModule, module, backendA, "HOST=127.0.0.1\n").with(func(l *ListenerFacts) {
				l.Foreign, l.Confirmed, l.Answered, l.Sandbox = true, false, map[netip.Addr]bool{}, "unknown"
			})}},
			want:   StatusAtRisk,
			wantIn: []string{"an address this computer does not have"},
			check:  checkNotThisComputer,
		},
		{
			name:   "a socket list Localguard could not read is never at-risk or safe",
			facts:  Facts{Install: install(backendA, "HOST=0.0.0.0\n"), ScanErr: errors.New("not implemented yet")},
			want:   StatusError,
			wantIn: []string{"not implemented yet"},
		},
		{
			name:  "no install and nothing running",
			facts: Facts{},
			want:  StatusError, wantIn: []string{"no FlowMeter install found"},
		},
		{
			name: "an unreadable .env still shows an exposed FlowMeter",
			facts: Facts{Install: &InstallFacts{EnvPath: filepath.Join(backendA, ".env"), Backend: backendA, Err: errors.New("not UTF-8")},
				Listeners: []ListenerFacts{fm("0.0.0.0", 8000, StartPythonModule, module, backendA, "")}},
			want: StatusExposed, wantFix: true,
		},
		{
			name:   "an unreadable .env, nothing running",
			facts:  Facts{Install: &InstallFacts{EnvPath: filepath.Join(backendA, ".env"), Backend: backendA, Err: errors.New("the file is not UTF-8")}},
			want:   StatusError,
			wantIn: []string{"not UTF-8"},
		},
		{
			name: "the formula sandbox off",
			facts: Facts{Install: install(backendA, "HOST=0.0.0.0\n"), Listeners: []ListenerFacts{fm("0.0.0.0", 8000, StartPythonModule, module, backendA, "HOST=0.0.0.0\n").with(func(l *ListenerFacts) {
				l.Sandbox = "off"
			})}},
			want: StatusExposed, wantFix: true,
			wantIn: []string{"run any program on this computer"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.facts.Interfaces == nil {
				tc.facts.Interfaces = judgeIfaces
			}
			checkJudged(t, tc, Judge(tc.facts))
		})
	}
}

// checkJudged compares one verdict with what its case wants.
func checkJudged(t *testing.T, tc judgeCase, v Verdict) {
	t.Helper()
	if v.Status != tc.want {
		t.Fatalf("status %s, want %s: %s", v.Status, tc.want, v.Message)
	}
	if tc.wantCause != "" && (len(v.Listeners) == 0 || v.Listeners[0].Cause != tc.wantCause) {
		t.Errorf("cause %+v, want %s", v.Listeners, tc.wantCause)
	}
	checkJudgedMessage(t, tc, v)
	if tc.wantFix != (v.Fix != "") {
		t.Errorf("fix %q, want one: %v", v.Fix, tc.wantFix)
	}
	if tc.wantAdvice != (v.Advice != "") {
		t.Errorf("advice %q, want some: %v", v.Advice, tc.wantAdvice)
	}
	if v.Listeners == nil || v.Findings == nil || v.Installs == nil {
		t.Errorf("nil lists in %+v", v)
	}
	if tc.check != nil {
		tc.check(t, v)
	}
}

// checkJudgedMessage wants every wantIn said (in the message or a
// listener's why) and no wantNot in the message.
func checkJudgedMessage(t *testing.T, tc judgeCase, v Verdict) {
	t.Helper()
	for _, s := range tc.wantIn {
		if !strings.Contains(v.Message+" "+listenerWhys(v), s) {
			t.Errorf("message %q lacks %q", v.Message, s)
		}
	}
	for _, s := range tc.wantNot {
		if strings.Contains(v.Message, s) {
			t.Errorf("message %q has %q", v.Message, s)
		}
	}
}

// checkNetworkNamedAsPeopleKnowIt names the exposed Wi-Fi by its profile, as people know it.
func checkNetworkNamedAsPeopleKnowIt(t *testing.T, v Verdict) {
	if e := v.Listeners[0].ExposedOn[0]; e.Network != "Wi-Fi \u201cCosta-Guest\u201d" {
		t.Errorf("exposure %+v", e)
	}
}

// checkRestartPending wants the restart of the FlowMeter that still holds the old address, with no fix to offer and a why that does not contradict the address.
func checkRestartPending(t *testing.T, v Verdict) {
	if v.RestartPID != 8000 || v.Fix != "" {
		t.Errorf("restart %d, fix %q", v.RestartPID, v.Fix)
	}
	if !strings.Contains(v.Listeners[0].Why, "said otherwise when it started") {
		t.Errorf("why %q contradicts the address", v.Listeners[0].Why)
	}
}

// checkHostLineFindingWithFix wants the .env HOST line reported as what it is for a python -m app.main start, with its fix.
func checkHostLineFindingWithFix(t *testing.T, v Verdict) {
	if len(v.Findings) != 1 || v.Findings[0].Key != "HOST" || !strings.Contains(v.Findings[0].Message, "If FlowMeter is started with python -m app.main") || v.Findings[0].Fix == "" {
		t.Errorf("findings %+v: want the HOST line as what it is, with its fix", v.Findings)
	}
}

// checkPortRefusalFirst wants a PORT FlowMeter refuses said first, as an error finding.
func checkPortRefusalFirst(t *testing.T, v Verdict) {
	if !strings.HasPrefix(v.Message, "FlowMeter will not start") || len(v.Findings) == 0 || v.Findings[0].Severity != "error" {
		t.Errorf("message %q, findings %+v", v.Message, v.Findings)
	}
}

// checkPort8000 wants PORT=8000.0 read as a valid port 8000 with nothing to report.
func checkPort8000(t *testing.T, v Verdict) {
	if v.Env.Port != 8000 || !v.Env.PortValid || len(v.Findings) != 0 {
		t.Errorf("env %+v, findings %+v", v.Env, v.Findings)
	}
}

// checkViteNeverFlowMeter wants the Vite server named as the web page server.
func checkViteNeverFlowMeter(t *testing.T, v Verdict) {
	if !strings.Contains(v.Listeners[0].Why, "web page server (Vite)") {
		t.Errorf("Vite's why: %q", v.Listeners[0].Why)
	}
}

// checkExposedInstallFixed wants the fix and env paths of the install each listener came from.
func checkExposedInstallFixed(t *testing.T, v Verdict) {
	if v.Fix != fixCommand(filepath.Join(backendB, ".env")) {
		t.Errorf("fix %q: want the exposed install's .env", v.Fix)
	}
	if v.Listeners[1].EnvPath != filepath.Join(backendB, ".env") || v.Listeners[0].EnvPath != filepath.Join(backendA, ".env") {
		t.Errorf("env paths %q %q", v.Listeners[0].EnvPath, v.Listeners[1].EnvPath)
	}
}

// checkNoEnvPath wants no .env path for a FlowMeter from an unknown folder.
func checkNoEnvPath(t *testing.T, v Verdict) {
	if v.Listeners[0].EnvPath != "" {
		t.Errorf("env_path %q", v.Listeners[0].EnvPath)
	}
}

// checkWeakHostExposure wants the trusted address and the untrusted one a weak host also answers on, in order.
func checkWeakHostExposure(t *testing.T, v Verdict) {
	var on []string
	for _, e := range v.Listeners[0].ExposedOn {
		on = append(on, e.Interface+"/"+e.Via+"/"+map[bool]string{true: "trusted", false: "untrusted"}[e.Trusted])
	}
	if strings.Join(on, " ") != "wlan0/192.168.1.23/trusted eth1/10.9.0.5/untrusted" {
		t.Errorf("exposed on %v", on)
	}
}

// checkNotThisComputer wants a socket on a foreign address marked so and exposed nowhere.
func checkNotThisComputer(t *testing.T, v Verdict) {
	if !v.Listeners[0].NotThisComputer || len(v.Listeners[0].ExposedOn) != 0 {
		t.Errorf("listener %+v", v.Listeners[0])
	}
}

func listenerWhys(v Verdict) string {
	var b strings.Builder
	for _, l := range v.Listeners {
		b.WriteString(l.Why + " ")
	}
	return b.String()
}
