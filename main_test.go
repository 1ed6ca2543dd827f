package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"localguard/netcheck"

	"localguard/testdata/netns"
)

// runCLI runs the command line in-process with stdin and returns the exit
// code, stdout and stderr.
func runCLI(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errw bytes.Buffer
	code := run(args, strings.NewReader(stdin), &out, &errw)
	return code, out.String(), errw.String()
}

func tempEnv(t *testing.T, content string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "FlowMeter", "backend")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(dir, ".env")
	if content != "" {
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return p
}

const envExample = "APP_NAME=FlowMeter API\nAPP_VERSION=1.0.0\nDEBUG=true\nHOST=0.0.0.0\nPORT=8000\nCORS_ORIGINS=[\"http://localhost:3000\"]\nMAX_FILE_SIZE_MB=100\n"

type verdictJSON struct {
	Status  string `json:"status"`
	Message string `json:"message"`
	Env     struct {
		Path       string `json:"path"`
		Exists     bool   `json:"exists"`
		Host       string `json:"host"`
		HostSource string `json:"host_source"`
		Port       int    `json:"port"`
	} `json:"env"`
	Listeners []any `json:"listeners"`
	Findings  []any `json:"findings"`
	Changed   *bool `json:"changed"`
}

func decode(t *testing.T, s string) verdictJSON {
	t.Helper()
	var v verdictJSON
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("not one JSON object: %v\n%s", err, s)
	}
	if v.Listeners == nil || v.Findings == nil {
		t.Errorf("listeners and findings must be lists, not null: %s", s)
	}
	return v
}

// TestMain keeps the tests' remembered install out of the user's own, and
// (as root) the machine's FlowMeters and services out of the tests'
// verdicts: they run in a network namespace of their own.
func TestMain(m *testing.M) {
	if code, ran := netns.Main(); ran {
		os.Exit(code)
	}
	dir, _ := os.MkdirTemp("", "localguard-test-config")
	os.Setenv("XDG_CONFIG_HOME", dir)
	os.Setenv("APPDATA", dir) // Windows keeps the store in %AppData%
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func TestCheckJSON(t *testing.T) {
	t.Setenv("HOST", "")
	os.Unsetenv("HOST")
	tests := []struct {
		name, content string
		code          int
		status, host  string
		source        string
		exists        bool
	}{
		{"env example", envExample, 2, "at-risk", "0.0.0.0", "file", true},
		{"fixed", "HOST=127.0.0.1\nPORT=8001\n", 0, "safe", "127.0.0.1", "file", true},
		{"missing file", "", 2, "at-risk", "0.0.0.0", "default", false},
		{"bare key unsets", "HOST=127.0.0.1\nHOST\n", 2, "at-risk", "0.0.0.0", "default", true},
		{"not utf-8", "HOST=\xff\n", 3, "error", "", "", true}, // there, though unreadable
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := tempEnv(t, tt.content)
			code, out, _ := runCLI(t, "", "check", "--env", path, "--json")
			v := decode(t, out)
			if code != tt.code || v.Status != tt.status || v.Env.Host != tt.host || v.Env.HostSource != tt.source || v.Env.Exists != tt.exists {
				t.Errorf("exit %d, %+v", code, v)
			}
			if v.Env.Path != path || (tt.code != 3 && v.Env.Port == 0) {
				t.Errorf("env %+v", v.Env)
			}
		})
	}
}

func TestCheckEnvironmentBeatsFile(t *testing.T) {
	t.Setenv("HOST", "0.0.0.0")
	path := tempEnv(t, "HOST=127.0.0.1\n")
	code, out, _ := runCLI(t, "", "check", "--env", path, "--json")
	if v := decode(t, out); code != 2 || v.Env.HostSource != "environment" {
		t.Errorf("exit %d, %+v", code, v)
	}
	before, _ := os.ReadFile(path)
	code, _, stderr := runCLI(t, "", "fix", "--env", path, "--yes")
	if code == 0 || !strings.Contains(stderr, "environment variable HOST") {
		t.Errorf("fix should refuse: exit %d, %q", code, stderr)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
		t.Error("file changed")
	}
}

// TestFixUndoJourney: check at-risk, fix, check safe, undo gives the exact
// bytes back, a second undo has nothing to do.
func TestFixUndoJourney(t *testing.T) {
	os.Unsetenv("HOST")
	path := tempEnv(t, strings.ReplaceAll(envExample, "\n", "\r\n"))
	orig, _ := os.ReadFile(path)
	if code, out, _ := runCLI(t, "", "check", "--env", path); code != 2 || !strings.HasPrefix(out, "AT RISK") || !strings.Contains(out, "fix"+netcheck.ShellNote+": localguard fix --env") {
		t.Fatalf("check: exit %d\n%s", code, out)
	}
	declineThenFix(t, path, orig, []string{"-HOST=0.0.0.0", "+HOST=127.0.0.1"}, "undo --env", "--env", path)
	if code, out, _ := runCLI(t, "", "check", "--env", path, "--json"); code != 0 || decode(t, out).Status != "safe" {
		t.Fatalf("check after fix: exit %d\n%s", code, out)
	}
	if code, out, _ := runCLI(t, "", "fix", "--env", path, "--yes", "--json"); code != 0 || *decode(t, out).Changed {
		t.Errorf("second fix should change nothing: exit %d\n%s", code, out)
	}
	undoToOriginal(t, path, orig, "--env", path)
	if code, _, stderr := runCLI(t, "", "undo", "--env", path); code == 0 || !strings.Contains(stderr, "nothing to undo") {
		t.Errorf("second undo: exit %d: %s", code, stderr)
	}
}

// declineThenFix runs fix with flags twice: answered no, it shows the
// diff's lines and leaves the file at path as orig; answered yes, it says
// it fixed it and how to undo (undoHint).
func declineThenFix(t *testing.T, path string, orig []byte, diff []string, undoHint string, flags ...string) {
	t.Helper()
	args := append([]string{"fix"}, flags...)
	code, out, stderr := runCLI(t, "n\n", args...)
	if code == 0 || !containsAll(out, diff...) {
		t.Fatalf("declined fix: exit %d\n%s\n%s", code, out, stderr)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
		t.Fatal("a declined fix changed the file")
	}
	code, out, stderr = runCLI(t, "y\n", args...)
	if code != 0 || !containsAll(out, "Fixed:", undoHint) {
		t.Fatalf("fix: exit %d\n%s\n%s", code, out, stderr)
	}
}

// undoToOriginal runs undo with flags: it must succeed and give orig back
// at path.
func undoToOriginal(t *testing.T, path string, orig []byte, flags ...string) {
	t.Helper()
	if code, _, stderr := runCLI(t, "", append([]string{"undo"}, flags...)...); code != 0 {
		t.Fatalf("undo: exit %d: %s", code, stderr)
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
		t.Fatalf("undo gave %q, want %q", now, orig)
	}
}

// containsAll reports whether s contains each of subs.
func containsAll(s string, subs ...string) bool {
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			return false
		}
	}
	return true
}

// TestBadInputs: each refused input gets one sentence on stderr, a non-zero
// exit, nothing on stdout and a byte-identical file.
func TestBadInputs(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		os.WriteFile(p, b, 0o644)
		return p
	}
	dev := filepath.Join(dir, "dev.env")
	if runtime.GOOS == "windows" {
		dev = "NUL" // a link to a device needs rights most Windows users lack
	} else {
		os.Symlink("/dev/null", dev)
	}
	inputs := map[string]string{
		"folder":    dir,
		"device":    dev,
		"not utf-8": write("latin1.env", []byte("APP_NAME=D\xe9bit\nHOST=0.0.0.0\n")),
		"too large": write("big.env", append(bytes.Repeat([]byte("#"), 1<<20), "\nHOST=0.0.0.0\n"...)),
	}
	for name, path := range inputs {
		t.Run(name, func(t *testing.T) {
			before, _ := os.ReadFile(path)
			for _, args := range [][]string{{"fix", "--env", path, "--yes"}, {"check", "--env", path}} {
				code, out, stderr := runCLI(t, "", args...)
				if code == 0 {
					t.Errorf("%v: exit 0", args)
				}
				if args[0] == "fix" && (out != "" || strings.Count(strings.TrimSpace(stderr), "\n") != 0 || stderr == "") {
					t.Errorf("%v: stdout %q, stderr %q", args, out, stderr)
				}
			}
			if after, _ := os.ReadFile(path); !bytes.Equal(before, after) {
				t.Error("file changed")
			}
		})
	}
}

func TestUsage(t *testing.T) {
	if code, _, _ := runCLI(t, "", "check", "-h"); code != 0 {
		t.Errorf("check -h: exit %d", code)
	}
	if code, _, stderr := runCLI(t, "", "frobnicate"); code != 3 || !strings.Contains(stderr, "unknown command") {
		t.Errorf("unknown command: exit %d %q", code, stderr)
	}
}

// TestRemembersInstall: an install used once is the one used without --env.
func TestRemembersInstall(t *testing.T) {
	// A FlowMeter running on this machine would come before the remembered
	// install (README: which install is used).
	found, _ := netcheck.Discover(context.Background(), &netcheck.Store{}, t.TempDir())
	for _, in := range found {
		if in.How == netcheck.FoundRunning {
			if os.Getenv("CI") != "" {
				t.Fatalf("a FlowMeter runs on the CI machine (%s)", in.EnvPath)
			}
			t.Skipf("a FlowMeter runs on this machine (%s): stop it to run this test", in.EnvPath)
		}
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("APPDATA", t.TempDir())
	t.Setenv("HOME", t.TempDir())
	path := tempEnv(t, "HOST=127.0.0.1\n")
	if code, _, stderr := runCLI(t, "", "check", "--env", path); code != 0 {
		t.Fatalf("check: exit %d %s", code, stderr)
	}
	code, out, _ := runCLI(t, "", "check", "--json")
	if v := decode(t, out); code != 0 || v.Env.Path != path {
		t.Errorf("without --env: exit %d, path %q, want %q", code, v.Env.Path, path)
	}
}

func jsonUnmarshal(s string, v any) error { return json.Unmarshal([]byte(s), v) }

// TestFixFinding: a finding is fixed through the same preview, backup and
// undo as HOST.
func TestFixFinding(t *testing.T) {
	os.Unsetenv("DEBUG")
	path := tempEnv(t, envExample)
	orig, _ := os.ReadFile(path)
	_, out, _ := runCLI(t, "", "check", "--env", path, "--json")
	var v struct {
		Findings []struct {
			Key string `json:"key"`
			Fix string `json:"fix_command"`
		} `json:"findings"`
	}
	jsonUnmarshal(out, &v)
	if len(v.Findings) != 1 || v.Findings[0].Key != "DEBUG" || !strings.Contains(v.Findings[0].Fix, "--finding DEBUG") {
		t.Fatalf("findings %+v", v.Findings)
	}
	code, out, stderr := runCLI(t, "", "fix", "--env", path, "--finding", "debug", "--yes")
	if code != 0 || !strings.Contains(out, "-DEBUG=true") || !strings.Contains(out, "+DEBUG=false") {
		t.Fatalf("fix --finding: exit %d\n%s\n%s", code, out, stderr)
	}
	if now, _ := os.ReadFile(path); string(now) != strings.Replace(string(orig), "DEBUG=true", "DEBUG=false", 1) {
		t.Errorf("fixed file %q", now)
	}
	if code, _, stderr := runCLI(t, "", "fix", "--env", path, "--finding", "CORS_ORIGINS", "--yes"); code == 0 || !strings.Contains(stderr, "no risky CORS_ORIGINS") {
		t.Errorf("a setting that is not a finding: exit %d %q", code, stderr)
	}
	if code, _, _ := runCLI(t, "", "undo", "--env", path); code != 0 {
		t.Fatal("undo failed")
	}
	if now, _ := os.ReadFile(path); !bytes.Equal(now, orig) {
		t.Errorf("undo gave %q", now)
	}
}
