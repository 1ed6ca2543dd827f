package envfix

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// The differential tests read every fixture with the real python-dotenv, as
// FlowMeter does, and with Localguard, and demand the same answer; then they
// fix every fixture and ask python-dotenv again.

const systemPython = "/usr/bin/python3"

// oracleResult is one line of testdata/flowmeter_read.py.
type oracleResult struct {
	File         string       `json:"file"`
	Error        *string      `json:"error"`
	Folded       [][2]*string `json:"folded"`
	Host         *string      `json:"host"`
	HostSource   *string      `json:"host_source"`
	PortRaw      *string      `json:"port_raw"`
	PortSource   *string      `json:"port_source"`
	PydanticHost *string      `json:"pydantic_host"`
}

// requirePython skips the test, saying how to run it, when the real
// python-dotenv is not installed. CI installs it.
func requirePython(t testing.TB) {
	t.Helper()
	if runtime.GOOS == "windows" {
		// The oracle is Debian's python3; reading a .env does not depend on
		// the OS, and these tests run on Linux.
		t.Skip("the differential tests run on Linux, against Debian's python3-dotenv")
	}
	if err := exec.Command(systemPython, "-c", "import dotenv").Run(); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("python3-dotenv is required in CI: %v", err)
		}
		t.Skip("the real python-dotenv is missing: apt-get install python3-dotenv to run the differential tests")
	}
}

// oracle reads files with the real python-dotenv under environment env.
func oracle(t testing.TB, env []string, files ...string) []oracleResult {
	t.Helper()
	cmd := exec.Command(systemPython, append([]string{filepath.Join("testdata", "flowmeter_read.py")}, files...)...)
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v: %s", err, stderr.String())
	}
	var res []oracleResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		var r oracleResult
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("oracle output %q: %v", sc.Text(), err)
		}
		res = append(res, r)
	}
	if len(res) != len(files) {
		t.Fatalf("oracle answered %d of %d files", len(res), len(files))
	}
	return res
}

// corpus lists the fixtures: the hand-built grammar corpus and every input
// the fuzzer has kept.
func corpus(t testing.TB) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "dotenv", "*.env"))
	if err != nil || len(files) < 80 {
		t.Fatalf("the corpus has %d files (%v); it needs at least 80", len(files), err)
	}
	return append(files, fuzzCorpusFiles(t)...)
}

// fuzzCorpusFiles writes each kept fuzz input (go test fuzz v1 format) to a
// plain file so python-dotenv can read it too.
func fuzzCorpusFiles(t testing.TB) []string {
	entries, _ := filepath.Glob(filepath.Join("testdata", "fuzz", "*", "*"))
	var files []string
	dir := t.TempDir()
	for i, e := range entries {
		raw, err := os.ReadFile(e)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.SplitN(string(raw), "\n", 3)
		if len(lines) < 2 || !strings.HasPrefix(lines[1], "[]byte(") {
			continue
		}
		s, err := strconv.Unquote(strings.TrimSuffix(strings.TrimPrefix(lines[1], "[]byte("), ")"))
		if err != nil {
			t.Fatalf("%s: %v", e, err)
		}
		p := filepath.Join(dir, strconv.Itoa(i)+"-"+filepath.Base(e)+".env")
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	return files
}

// testEnvs are the environments FlowMeter is imagined to start in.
var testEnvs = map[string][]string{
	"plain":         {"LG_TEST_VAR=from-env", "LG_EMPTY_VAR=", "PATH=/usr/bin:/bin"},
	"host-variable": {"LG_TEST_VAR=from-env", "Host=10.1.2.3", "PATH=/usr/bin:/bin"},
	"empty-host":    {"HOST=", "port=9001", "PATH=/usr/bin:/bin"},
	"two-spellings": {"host=a", "HOST=b", "PATH=/usr/bin:/bin"},
}

func str(p *string) string {
	if p == nil {
		return "<nil>"
	}
	return *p
}

// compareReading checks Localguard's reading of file against the oracle's.
func compareReading(t *testing.T, file string, env []string, want oracleResult) {
	t.Helper()
	f, err := Load(file, env)
	if want.Error != nil {
		if !errors.Is(err, ErrNotUTF8) {
			t.Errorf("%s: python-dotenv fails (%s); Localguard: %v", file, *want.Error, err)
		}
		return
	}
	if err != nil {
		t.Errorf("%s: python-dotenv reads it; Localguard: %v", file, err)
		return
	}
	host := f.Reading.Host()
	if host.Value != str(want.Host) || string(host.Source) != str(want.HostSource) {
		t.Errorf("%s: HOST: FlowMeter %q (%s), Localguard %q (%s)", file, str(want.Host), str(want.HostSource), host.Value, host.Source)
	}
	if want.PydanticHost != nil && *want.PydanticHost != str(want.Host) {
		t.Errorf("%s: pydantic reads HOST %q, the oracle's fold %q", file, *want.PydanticHost, str(want.Host))
	}
	port, _, _ := f.Reading.Port()
	wantPort := str(want.PortRaw)
	if want.PortRaw == nil {
		wantPort = strconv.Itoa(DefaultPort)
	}
	if port.Value != wantPort || string(port.Source) != str(want.PortSource) {
		t.Errorf("%s: PORT: FlowMeter %q (%s), Localguard %q (%s)", file, wantPort, str(want.PortSource), port.Value, port.Source)
	}
	compareFolded(t, file, f.Reading, want.Folded)
}

// compareFolded checks every key the file sets. Keys with characters whose
// Python lower-casing is not rune by rune (none of them FlowMeter's) are
// compared by value only.
func compareFolded(t *testing.T, file string, r *Reading, want [][2]*string) {
	t.Helper()
	if len(want) != len(r.Order) {
		t.Errorf("%s: FlowMeter reads %d keys, Localguard %d (%q)", file, len(want), len(r.Order), r.Order)
		return
	}
	for i, kv := range want {
		k := r.Order[i]
		if isASCII(*kv[0]) && k != *kv[0] {
			t.Errorf("%s: key %d: FlowMeter %q, Localguard %q", file, i, *kv[0], k)
			continue
		}
		v := r.Values[k]
		if (kv[1] == nil) == v.Set || (kv[1] != nil && *kv[1] != v.Value) {
			t.Errorf("%s: %s: FlowMeter %q, Localguard %q (set %v)", file, k, str(kv[1]), v.Value, v.Set)
		}
	}
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func TestReadsAsFlowMeterDoes(t *testing.T) {
	requirePython(t)
	files := corpus(t)
	for name, env := range testEnvs {
		t.Run(name, func(t *testing.T) {
			for i, want := range oracle(t, env, files...) {
				compareReading(t, files[i], env, want)
			}
		})
	}
}

// TestFixAsFlowMeterReadsIt fixes every fixture and has python-dotenv read
// the result: HOST must be 127.0.0.1 (or already loopback) and every other
// key exactly what FlowMeter read before.
func TestFixAsFlowMeterReadsIt(t *testing.T) {
	requirePython(t)
	env := testEnvs["plain"]
	files := corpus(t)
	before := oracle(t, env, files...)
	dir := t.TempDir()
	var fixed, fixedFiles []string
	var wants []oracleResult
	for i, file := range files {
		if before[i].Error != nil {
			continue
		}
		f, err := Load(file, env)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		plan, err := PlanLocalOnly(f)
		if err != nil {
			t.Errorf("%s: no fix: %v", file, err)
			continue
		}
		out := filepath.Join(dir, filepath.Base(file))
		if err := os.WriteFile(out, plan.After, 0o600); err != nil {
			t.Fatal(err)
		}
		fixed = append(fixed, out)
		fixedFiles = append(fixedFiles, file)
		wants = append(wants, before[i])
	}
	after := oracle(t, env, fixed...)
	for i, got := range after {
		file := fixedFiles[i]
		if got.Error != nil || str(got.HostSource) != "file" || !ClassifyHost(str(got.Host)).Local() {
			t.Errorf("%s: after the fix FlowMeter reads HOST %q (%s), error %v", file, str(got.Host), str(got.HostSource), str(got.Error))
			continue
		}
		if was := wants[i]; str(was.HostSource) == "file" && ClassifyHost(str(was.Host)).Local() {
			if str(got.Host) != str(was.Host) {
				t.Errorf("%s: already safe with HOST=%q, but the fix changed it to %q", file, str(was.Host), str(got.Host))
			}
		} else if str(got.Host) != LocalHost {
			t.Errorf("%s: after the fix HOST is %q", file, str(got.Host))
		}
		if !sameOthers(wants[i].Folded, got.Folded) {
			t.Errorf("%s: the fix changed another key:\n before %s\n after  %s", file, dump(wants[i].Folded), dump(got.Folded))
		}
	}
	t.Logf("%d files fixed and read back by python-dotenv", len(after))
}

// sameOthers compares two folded readings on every key but host.
func sameOthers(a, b [][2]*string) bool {
	m := func(kvs [][2]*string) map[string]string {
		out := map[string]string{}
		for _, kv := range kvs {
			if *kv[0] != "host" {
				out[*kv[0]] = str(kv[1])
			}
		}
		return out
	}
	ma, mb := m(a), m(b)
	if len(ma) != len(mb) {
		return false
	}
	for k, v := range ma {
		if w, ok := mb[k]; !ok || w != v {
			return false
		}
	}
	return true
}

func dump(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestWhitespaceAsPython compares isSpace with Python's str.isspace over
// every code point.
func TestWhitespaceAsPython(t *testing.T) {
	requirePython(t)
	out, err := exec.Command(systemPython, "-c",
		"import sys; print(' '.join(str(c) for c in range(sys.maxunicode+1) if chr(c).isspace()))").Output()
	if err != nil {
		t.Fatal(err)
	}
	want := map[rune]bool{}
	for _, f := range strings.Fields(string(out)) {
		n, _ := strconv.Atoi(f)
		want[rune(n)] = true
	}
	for r := rune(0); r <= 0x10ffff; r++ {
		if isSpace(r) != want[r] {
			t.Errorf("U+%04X: Python isspace %v, Localguard %v", r, want[r], isSpace(r))
		}
	}
}

// TestHostClassAsGetaddrinfo compares the numeric forms ClassifyHost accepts
// with what getaddrinfo (as asyncio calls it for uvicorn) accepts.
func TestHostClassAsGetaddrinfo(t *testing.T) {
	requirePython(t)
	hosts := []string{
		"0", "0.0.0.0", "127.0.0.1", "127.1", "127.0.1", "0x7f.1", "0x7f000001", "2130706433",
		"0177.0.0.1", "010.0.0.1", "08.0.0.1", "0x", "0x.0.0.1", "1.2.3.4.5", "256.0.0.1",
		"1.256.0.1", "1.2.65535", "1.2.65536", "1.16777215", "1.16777216", "4294967295",
		"4294967296", "1..2", "1.2.3.", ".1.2.3", " 127.0.0.1", "127.0.0.1 ", "+1.2.3.4",
		"1_0.0.0.1", "0x1g.0.0.1", "::", "::1", "[::1]", "::ffff:127.0.0.1", "fe80::1",
		"1::2::3", "10.0.0.5", "192.168.1.23", "0.0.0.0.0", "00", "0x0", "-1", "1e3",
	}
	script := `import socket, sys
for h in sys.argv[1:]:
    try:
        ai = socket.getaddrinfo(h, 8000, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE | socket.AI_NUMERICHOST)
        print(ai[0][4][0])
    except (OSError, UnicodeError):
        print("-")
`
	out, err := exec.Command(systemPython, append([]string{"-c", script}, hosts...)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i, h := range hosts {
		c := ClassifyHost(h)
		numeric := c.Addr.IsValid()
		if want := got[i]; (want != "-") != numeric || numeric && c.Addr.String() != want {
			t.Errorf("%q: getaddrinfo %s, Localguard %s %v", h, want, c.Class, c.Addr)
		}
	}
}
