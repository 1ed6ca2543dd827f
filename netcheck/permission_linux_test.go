package netcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"localguard/testdata/netns"
)

// Users of the permission test: FlowMeter runs as nobody; the scan runs as
// another unprivileged user, who may read nobody's command lines but not
// its working directory, environment or descriptors.
const (
	ownerUID   = 65534 // nobody
	scannerUID = 65533
)

// asUser is argv run as uid through setpriv.
func asUser(uid int, argv ...string) []string {
	id := fmt.Sprint(uid)
	return append([]string{"setpriv", "--reuid=" + id, "--regid=" + id, "--clear-groups"}, argv...)
}

// TestOtherUsersProcesses runs FlowMeter (on 0.0.0.0) and a docker-proxy
// publishing it as nobody, then scans as another user: the scan must not
// crash, must still report FlowMeter's socket (it answers as FlowMeter) with
// no owner, since no process of the checkout can be seen, and must report
// the published port with the owner its command line names, the fields it
// may not read empty. As root, the same scan sees every owner in full.
func TestOtherUsersProcesses(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needRoot(t)
	needUvicorn(t)
	setpriv, err := exec.LookPath("setpriv")
	if err != nil {
		missing(t, "setpriv (util-linux) is not installed")
	}
	port, pubPort := freePort(t), freePort(t)
	backend := checkout(t, fmt.Sprintf("HOST=0.0.0.0\nPORT=%d\n", port))
	fm := start(t, backend, setpriv, childEnv(), asUser(ownerUID, python, "-m", "app.main")...)
	fm.waitFlowMeter(t, lo4, port)

	bin, proxy := otherUsersBinary(t, backend)
	pub := start(t, "/", setpriv, childEnv("NETCHECK_HELPER=proxy"), asUser(ownerUID, proxy, "-test.run=^TestHelperProcess$", "--",
		"-proto", "tcp", "-host-ip", "0.0.0.0", "-host-port", fmt.Sprint(pubPort),
		"-container-ip", "127.0.0.1", "-container-port", fmt.Sprint(port))...)
	pub.waitListening(t, pubPort, any4)

	// The scan as another user.
	byPort := scanAsUser(t, setpriv, bin, backend, port)
	checkSeenAsOtherUser(t, byPort, port, pubPort, pub.pid())

	// As root, everything is visible.
	found, err := FindFlowMeter(context.Background(), backend, port)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range found {
		if f.Port == port {
			checkOwner(t, f, fm.pid(), backend, port)
		}
	}
}

// checkSeenAsOtherUser wants FlowMeter's socket on port reported on
// 0.0.0.0, confirmed, with no owner but its uid; and the port pubPort
// published by pubPID with the owner its command line names, the fields
// another user may not read empty.
func checkSeenAsOtherUser(t *testing.T, byPort map[int]FlowMeterSocket, port, pubPort int, pubPID int32) {
	t.Helper()
	if f, ok := byPort[port]; !ok || f.Addr != any4 || !f.Confirmed || f.Owner != nil || f.UID != ownerUID {
		t.Errorf("as another user, FlowMeter's socket: %+v (present %v); want 0.0.0.0, confirmed, no owner, uid %d", f, ok, ownerUID)
	}
	if f, ok := byPort[pubPort]; !ok || f.Owner == nil {
		t.Errorf("as another user, the published port: %+v (present %v)", f, ok)
	} else if o := f.Owner; o.PID != pubPID || o.Start != StartContainer || o.HostFlag != "0.0.0.0" || o.Cwd != "" || o.Environ != nil {
		t.Errorf("as another user, the publisher: %+v; want pid %d, container, host flag 0.0.0.0, no cwd, no environment", o, pubPID)
	}

}

// otherUsersBinary copies the test binary beside the checkout at backend,
// where the other users may run it, and links docker-proxy to it, so that
// a process run through the link has docker-proxy's command line and name.
func otherUsersBinary(t *testing.T, backend string) (bin, proxy string) {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	bin = filepath.Join(filepath.Dir(filepath.Dir(backend)), "netcheck.test")
	b, err := os.ReadFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, b, 0o755); err != nil {
		t.Fatal(err)
	}
	// Run through a link named docker-proxy, so that its command line and
	// name are docker-proxy's.
	proxy = filepath.Join(filepath.Dir(bin), "docker-proxy")
	if err := os.Symlink(bin, proxy); err != nil {
		t.Fatal(err)
	}
	return bin, proxy
}

// scanAsUser runs the scan for backend and port as scannerUID, through
// setpriv and the test binary bin, and returns what it found by port.
func scanAsUser(t *testing.T, setpriv, bin, backend string, port int) map[int]FlowMeterSocket {
	t.Helper()
	cmd := exec.Command(setpriv, asUser(scannerUID, bin, "-test.run=^TestHelperProcess$", "--", backend, fmt.Sprint(port))[1:]...)
	cmd.Env = childEnv("NETCHECK_HELPER=scan")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the scan as uid %d failed: %v\n%s", scannerUID, err, stderr.Bytes())
	}
	var found []FlowMeterSocket
	if err := json.Unmarshal(out, &found); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	byPort := map[int]FlowMeterSocket{}
	for _, f := range found {
		byPort[f.Port] = f
	}
	return byPort
}
