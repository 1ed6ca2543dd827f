// Command e2e drives Localguard's Windows build under Wine against a
// FlowMeter stand-in built for Windows (testdata/windows/flowmeter), as a
// person would: check (exposed, on this machine's network address) -> fix
// -> restart FlowMeter -> check (safe) -> undo (the exact bytes back), once
// with --env and once letting Localguard find the install in the user's
// profile. It prints a transcript and exits non-zero on the first step
// that is not as it should be. Run by .ci/windows (make windows-test) with
// WINEPREFIX set to a prepared prefix; Linux only, as root when no private
// network address is there (it then adds a dummy interface and removes it).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

var (
	localguard = flag.String("localguard", "", "the Windows localguard.exe")
	standIn    = flag.String("flowmeter", "", "the Windows FlowMeter stand-in (testdata/windows/flowmeter)")
	wine       = flag.String("wine", "wine", "the wine command")
)

func main() {
	flag.Parse()
	if *localguard == "" || *standIn == "" || os.Getenv("WINEPREFIX") == "" {
		fmt.Fprintln(os.Stderr, "e2e: give -localguard and -flowmeter (Windows executables) and set WINEPREFIX to a prepared Wine prefix (see .ci/windows)")
		os.Exit(2)
	}
	lan, cleanup, err := networkAddress()
	if err != nil {
		fail("%v", err)
	}
	defer cleanup()
	fmt.Printf("== this machine's network address for the test: %s\n", lan)
	profile, err := winProfile()
	if err != nil {
		cleanup()
		fail("%v", err)
	}
	for _, withEnv := range []bool{true, false} {
		root := filepath.Join(profile, "FlowMeter") // a common place: found without --env
		remove := root
		if withEnv {
			remove, err = os.MkdirTemp("", "lg-e2e-")
			if err != nil {
				cleanup()
				fail("%v", err)
			}
			root = filepath.Join(remove, "My FlowMeter")
		}
		err := scenario(root, lan, withEnv)
		os.RemoveAll(remove)
		if err != nil {
			cleanup()
			fail("%v", err)
		}
	}
	fmt.Println("== end-to-end under Wine: every step as expected")
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "FAIL: "+format+"\n", args...)
	os.Exit(1)
}

// verdict is the part of check --json the script looks at.
type verdict struct {
	Status    string `json:"status"`
	Message   string `json:"message"`
	Fix       string `json:"fix"`
	Env       struct{ Path, Host string }
	Listeners []struct {
		Address   string `json:"address"`
		Port      int    `json:"port"`
		PID       int    `json:"pid"`
		Sandbox   string `json:"formula_sandbox"`
		ExposedOn []struct {
			Address string `json:"address"`
			Kind    string `json:"kind"`
		} `json:"exposed_on"`
	} `json:"listeners"`
}

// scenario runs check -> fix -> restart -> check -> undo on one install.
func scenario(root string, lan netip.Addr, withEnv bool) error {
	backend := filepath.Join(root, "backend")
	if err := os.MkdirAll(backend, 0o755); err != nil {
		return err
	}
	port := freePort()
	envFile := filepath.Join(backend, ".env")
	// CRLF, a comment and other keys: undo must give back every byte.
	orig := fmt.Appendf(nil, "# FlowMeter backend settings\r\nAPP_NAME=FlowMeter API\r\nHOST=0.0.0.0\r\nPORT=%d\r\nMAX_FILE_SIZE_MB=100\r\n", port)
	if err := os.WriteFile(envFile, orig, 0o644); err != nil {
		return err
	}
	py := filepath.Join(root, "python", "python.exe")
	if err := copyFile(*standIn, py); err != nil {
		return err
	}
	var env []string
	how := "found in the user's profile (no --env)"
	if withEnv {
		env = []string{"--env", winPath(envFile)}
		how = "--env " + winPath(envFile)
	}
	fmt.Printf("\n== scenario: %s, FlowMeter on port %d\n", how, port)

	fm, err := startFlowMeter(py, backend, port)
	if err != nil {
		return err
	}
	defer func() { fm.stop() }()

	v, err := check(env, 1)
	if err != nil {
		return err
	}
	if v.Status != "exposed" || !exposedOn(v, port, lan) {
		return fmt.Errorf("check: %s, want exposed on %s:%d", v.Status, lan, port)
	}
	if !strings.Contains(v.Env.Path, `\backend\.env`) {
		return fmt.Errorf("check: the .env is shown as %q, not as a Windows path", v.Env.Path)
	}
	out, _, err := run(1, append([]string{"check"}, env...)...)
	if err != nil {
		return err
	}
	// The command to paste, quoted for PowerShell and saying so.
	if want := "fix (in PowerShell): localguard fix --env " + psQuote(winPath(envFile)); !strings.Contains(string(out), want) {
		return fmt.Errorf("check does not offer %q", want)
	}
	if _, _, err := run(0, append([]string{"fix", "--yes"}, env...)...); err != nil {
		return err
	}
	if b, _ := os.ReadFile(envFile); !bytes.Contains(b, []byte("HOST=127.0.0.1\r\n")) {
		return fmt.Errorf("after fix the .env reads %q", b)
	}
	fmt.Println("-- restarting FlowMeter")
	fm.stop()
	if fm, err = startFlowMeter(py, backend, port); err != nil {
		return err
	}
	if v, err = check(env, 0); err != nil {
		return err
	}
	if v.Status != "safe" || len(v.Listeners) != 1 || v.Listeners[0].Address != "127.0.0.1" || len(v.Listeners[0].ExposedOn) != 0 {
		return fmt.Errorf("check after the restart: %s %+v, want safe with FlowMeter on 127.0.0.1", v.Status, v.Listeners)
	}
	if _, _, err := run(0, append([]string{"undo"}, env...)...); err != nil {
		return err
	}
	origFile := filepath.Join(root, "original.env")
	if err := os.WriteFile(origFile, orig, 0o644); err != nil {
		return err
	}
	if out, err := exec.Command("cmp", envFile, origFile).CombinedOutput(); err != nil {
		return fmt.Errorf("after undo the .env differs from the original: %v: %s", err, out)
	}
	fmt.Printf("-- cmp: %s is byte for byte as before the fix\n", winPath(envFile))
	return nil
}

// exposedOn reports whether the verdict has FlowMeter's socket on port
// reachable on addr.
func exposedOn(v verdict, port int, addr netip.Addr) bool {
	for _, l := range v.Listeners {
		for _, e := range l.ExposedOn {
			if l.Port == port && e.Address == addr.String() {
				return true
			}
		}
	}
	return false
}

// check runs check --json, wants exit code want, and decodes the verdict.
func check(env []string, want int) (verdict, error) {
	var v verdict
	out, _, err := run(want, append([]string{"check", "--json"}, env...)...)
	if err != nil {
		return v, err
	}
	if err := json.Unmarshal(out, &v); err != nil {
		return v, fmt.Errorf("check --json: %v", err)
	}
	return v, nil
}

// run runs localguard.exe under Wine, prints the command and its output,
// and wants exit code want.
func run(want int, args ...string) (stdout, stderr []byte, err error) {
	fmt.Printf("$ localguard.exe %s\n", strings.Join(args, " "))
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, *wine, append([]string{*localguard}, args...)...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	code := cmd.ProcessState.ExitCode()
	fmt.Print(indent(o.String()))
	if e.Len() > 0 {
		fmt.Print(indent("stderr: " + e.String()))
	}
	fmt.Printf("  (exit %d)\n", code)
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, nil, err
	}
	if code != want {
		return nil, nil, fmt.Errorf("localguard.exe %s: exit %d, want %d", strings.Join(args, " "), code, want)
	}
	return o.Bytes(), e.Bytes(), nil
}

func indent(s string) string {
	s = strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), "\n")
	if s == "" {
		return ""
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ") + "\n"
}

// flowMeter is the stand-in running under Wine.
type flowMeter struct{ cmd *exec.Cmd }

// startFlowMeter starts the stand-in as `python.exe -m app.main` in the
// backend folder and waits until it answers.
func startFlowMeter(py, backend string, port int) (*flowMeter, error) {
	cmd := exec.Command(*wine, py, "-m", "app.main")
	cmd.Dir = backend
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	fm := &flowMeter{cmd}
	url := fmt.Sprintf("http://127.0.0.1:%d/health", port)
	for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
		if r, err := http.Get(url); err == nil {
			r.Body.Close()
			return fm, nil
		}
	}
	fm.stop()
	return nil, fmt.Errorf("the FlowMeter stand-in did not answer on %s within a minute", url)
}

// stop ends the stand-in (its process group: wine and the Windows process).
func (f *flowMeter) stop() {
	if f == nil || f.cmd.Process == nil || f.cmd.ProcessState != nil {
		return
	}
	syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
	f.cmd.Wait()
}

// networkAddress is a private IPv4 address of this machine for the test:
// on an interface of its own (a dummy, or a veth pair where the kernel has
// no dummy driver), with a random 10.213.x.1, removed by cleanup; other
// programs' interfaces may come and go during the run. Without the rights
// to add one, a private address of an interface that is up.
func networkAddress() (netip.Addr, func(), error) {
	name := fmt.Sprintf("lgw%d", os.Getpid()%100000)
	addr := netip.AddrFrom4([4]byte{10, 213, byte(rand.IntN(250) + 1), 1})
	var errs []error
	for _, link := range [][][]string{
		{{"link", "add", name, "type", "dummy"}},
		{{"link", "add", name, "type", "veth", "peer", "name", name + "p"}, {"link", "set", name + "p", "up"}},
	} {
		steps := append(link, []string{"addr", "add", addr.String() + "/24", "dev", name}, []string{"link", "set", name, "up"})
		err := func() error {
			for _, args := range steps {
				if out, err := exec.Command("ip", args...).CombinedOutput(); err != nil {
					exec.Command("ip", "link", "del", name).Run()
					return fmt.Errorf("ip %s: %v: %s", strings.Join(args, " "), err, bytes.TrimSpace(out))
				}
			}
			return nil
		}()
		if err == nil {
			fmt.Printf("== added the interface %s (%s) with %s\n", name, link[0][4], addr)
			return addr, func() { exec.Command("ip", "link", "del", name).Run() }, nil
		}
		errs = append(errs, err)
	}
	ifaces, _ := net.Interfaces()
	for _, ni := range ifaces {
		addrs, _ := ni.Addrs()
		for _, a := range addrs {
			if p, err := netip.ParsePrefix(a.String()); err == nil && ni.Flags&net.FlagUp != 0 && ni.Flags&net.FlagRunning != 0 && p.Addr().Is4() && p.Addr().IsPrivate() {
				return p.Addr(), func() {}, nil
			}
		}
	}
	return netip.Addr{}, nil, fmt.Errorf("no private network address here, and adding an interface for one failed (run as root): %w", errors.Join(errs...))
}

// winProfile is the Unix path of the Wine user's profile folder
// (%USERPROFILE%).
func winProfile() (string, error) {
	out, err := exec.Command(*wine, "cmd", "/c", "echo %USERPROFILE%").Output()
	if err != nil {
		return "", fmt.Errorf("asking Wine for %%USERPROFILE%%: %v", err)
	}
	out, err = exec.Command("winepath", "-u", strings.TrimSpace(string(out))).Output()
	if err != nil {
		return "", fmt.Errorf("winepath: %v", err)
	}
	return strings.TrimSpace(string(out)), nil
}

// winPath is the Windows path of a Unix path, as Wine maps it (drive Z:
// is /; the prefix's drive_c is C:).
func winPath(p string) string {
	for _, c := range []string{"drive_c", "dosdevices/c:"} {
		if c := filepath.Join(os.Getenv("WINEPREFIX"), c); strings.HasPrefix(p, c+"/") {
			return `C:` + strings.ReplaceAll(strings.TrimPrefix(p, c), "/", `\`)
		}
	}
	return `Z:` + strings.ReplaceAll(p, "/", `\`)
}

// psQuote is a path as PowerShell reads it verbatim: in single quotes when
// it holds a space (the test's paths hold no other special character).
func psQuote(p string) string {
	if strings.Contains(p, " ") {
		return "'" + p + "'"
	}
	return p
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fail("%v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

func copyFile(from, to string) error {
	b, err := os.ReadFile(from)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o755); err != nil {
		return err
	}
	return os.WriteFile(to, b, 0o755)
}
