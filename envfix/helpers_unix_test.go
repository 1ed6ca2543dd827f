//go:build unix

package envfix

import (
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"

	"localguard/testdata/need"
)

// ciInstalls is what CI installs for these tests, named when one fails
// there for want of something.
const ciInstalls = "Debian's acl and attr packages"

// missing skips a test that needs something this machine lacks, and fails
// it in CI, which runs as root with Debian's acl and attr installed.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	need.Missing(t, ciInstalls, format, args...)
}

// needRoot skips (fails in CI) unless the test runs as root.
func needRoot(t *testing.T) {
	t.Helper()
	need.Root(t, ciInstalls, "needs root to give files other owners")
}

// needTool skips (fails in CI) unless the command is installed.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		missing(t, "needs %s: apt-get install acl attr", name)
	}
}

// sh runs a shell command, failing the test on error.
func sh(t *testing.T, script string) string {
	t.Helper()
	out, err := exec.Command("sh", "-c", script).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", script, err, out)
	}
	return string(out)
}

// getfacl is the ACL of path without the header naming the file.
func getfacl(t *testing.T, path string) string {
	t.Helper()
	out := sh(t, "getfacl -cpn "+shellQuote(path))
	return strings.TrimSpace(out)
}

// statOf is a file's mode and owner.
func statOf(t *testing.T, path string) (os.FileMode, uint32, uint32) {
	t.Helper()
	info, err := os.Lstat(path)
	if err != nil {
		t.Fatal(err)
	}
	st := info.Sys().(*syscall.Stat_t)
	return info.Mode(), st.Uid, st.Gid
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// runQuiet runs a command and returns its output and error.
func runQuiet(name string, args ...string) (string, error) {
	out, err := exec.Command(name, args...).CombinedOutput()
	return string(out), err
}
