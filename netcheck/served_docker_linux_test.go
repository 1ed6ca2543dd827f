package netcheck

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// A FlowMeter in a container run with --network host (issue 18): real
// Docker (Debian's docker.io, its daemon started by .ci/run), an image
// built FROM scratch with a static FlowMeter stand-in (nothing can be
// pulled). The container listens in the host's network namespace, where
// Docker's daemon lives, so this test works there explicitly: the
// neighbour's veth pair is made in it, and the verdict is judged there
// (the test binary's "check" helper run under nsenter in the daemon's
// network namespace: /proc/PID/ns/net of dockerd, as pid 1 may be a
// sandbox's whose namespace cannot be entered).

// hostNetNS is the network namespace Docker's daemon runs in.
var hostNetNS = sync.OnceValue(func() string {
	out, _ := exec.Command("pgrep", "-o", "-x", "dockerd").Output()
	if pid := strings.TrimSpace(string(out)); pid != "" {
		return "/proc/" + pid + "/ns/net"
	}
	return "/proc/1/ns/net"
})

// hostNet runs argv in the host's network namespace.
func hostNet(argv ...string) *exec.Cmd {
	return exec.Command("nsenter", append([]string{"--net=" + hostNetNS(), "--"}, argv...)...)
}

func TestContainerHostNetwork(t *testing.T) {
	needRoot(t)
	docker := needDocker(t)
	image := buildStandInImage(t, docker)
	port := hostFreePort(t)
	name := fmt.Sprintf("lg18-fm-%d", os.Getpid())
	if out, err := exec.Command(docker, "run", "-d", "--rm", "--network", "host", "--name", name, image, "-addr", fmt.Sprintf("0.0.0.0:%d", port)).CombinedOutput(); err != nil {
		t.Fatalf("docker run: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command(docker, "rm", "-f", name).Run() })
	l := newHostLAN(t)
	waitHostReads(t, l, port)
	v := judgeInHostNet(t)
	i := slices.IndexFunc(v.Listeners, func(li Listener) bool { return li.Port == port })
	if v.Status != StatusExposed || i < 0 {
		t.Fatalf("the neighbour reads FlowMeter in the container on port %d, yet: %s: %s\n%s", port, v.Status, v.Message, listeners(v))
	}
	li := v.Listeners[i]
	reached := slices.ContainsFunc(li.ExposedOn, func(e Exposure) bool { return e.Interface == l.iface && !e.Trusted })
	if !li.Confirmed || !slices.Contains(li.SeenBy, SeenAnswer) || !slices.Contains(li.SeenBy, SeenContainer) || !reached {
		t.Errorf("listener %+v: want confirmed by its answer, in a container, exposed on %s", li, l.iface)
	}
	t.Logf("%s: %s", v.Status, v.Message)
}

// needDocker is Debian's docker client when a daemon answers.
func needDocker(t *testing.T) string {
	t.Helper()
	docker := "/usr/bin/docker"
	if _, err := os.Stat(docker); err != nil {
		docker = needProgram(t, "docker", "docker.io")
	}
	if out, err := exec.Command(docker, "info", "--format", "{{.ServerVersion}}").CombinedOutput(); err != nil {
		missing(t, "no Docker daemon answers (.ci/dockerd starts one): %s", strings.TrimSpace(string(out)))
	}
	if _, err := exec.LookPath("nsenter"); err != nil {
		missing(t, "nsenter (util-linux) is not installed")
	}
	return docker
}

// buildStandInImage builds the static stand-in and an image FROM scratch
// holding it, removed when the test ends.
func buildStandInImage(t *testing.T, docker string) string {
	t.Helper()
	dir := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(dir, "fm"), "./testdata/fmstandin")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the stand-in: %v: %s", err, out)
	}
	os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCOPY fm /fm\nENTRYPOINT [\"/fm\"]\n"), 0o644)
	image := fmt.Sprintf("lg18-fm-%d:test", os.Getpid())
	if out, err := exec.Command(docker, "build", "-q", "-t", image, dir).CombinedOutput(); err != nil {
		t.Fatalf("docker build: %v: %s", err, out)
	}
	t.Cleanup(func() { exec.Command(docker, "rmi", "-f", image).Run() })
	return image
}

// hostFreePort is a port nothing listens on in the host's namespace.
func hostFreePort(t *testing.T) int {
	t.Helper()
	for range 50 {
		p := 42000 + rand.IntN(1000)
		out, err := hostNet("ss", "-Htln", fmt.Sprintf("( sport = :%d )", p)).Output()
		if err == nil && len(strings.TrimSpace(string(out))) == 0 {
			return p
		}
	}
	t.Fatal("no free port in the host's namespace")
	return 0
}

// newHostLAN is newLAN with this machine's end in the host's namespace.
func newHostLAN(t *testing.T) lan {
	t.Helper()
	n := os.Getpid()%200 + 20
	l := lan{ns: fmt.Sprintf("lg18n%d", os.Getpid()), iface: fmt.Sprintf("lg18h%d", os.Getpid())}
	l.v4 = mustAddr(fmt.Sprintf("10.218.%d.1", n))
	peer := fmt.Sprintf("lg18p%d", os.Getpid())
	run := func(args ...string) {
		t.Helper()
		if out, err := hostNet(append([]string{"ip"}, args...)...).CombinedOutput(); err != nil {
			t.Fatalf("ip %s: %v: %s", strings.Join(args, " "), err, out)
		}
	}
	run("netns", "add", l.ns)
	t.Cleanup(func() {
		hostNet("ip", "link", "del", l.iface).Run()
		hostNet("ip", "netns", "del", l.ns).Run()
	})
	run("link", "add", l.iface, "type", "veth", "peer", "name", peer, "netns", l.ns)
	run("addr", "add", l.v4.String()+"/24", "dev", l.iface)
	run("link", "set", l.iface, "up")
	run("-n", l.ns, "addr", "add", fmt.Sprintf("10.218.%d.2/24", n), "dev", peer)
	run("-n", l.ns, "link", "set", peer, "up")
	run("-n", l.ns, "link", "set", "lo", "up")
	return l
}

// waitHostReads waits until the neighbour reads FlowMeter on port.
func waitHostReads(t *testing.T, l lan, port int) {
	t.Helper()
	for deadline := time.Now().Add(20 * time.Second); !l.reads(t, l.v4, port); {
		if time.Now().After(deadline) {
			t.Fatalf("the neighbour cannot read the container's FlowMeter on %v:%d", l.v4, port)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// judgeInHostNet is the verdict judged in the host's namespace, nothing
// remembered, without --env.
func judgeInHostNet(t *testing.T) Verdict {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := hostNet(exe, "-test.run=^TestHelperProcess$", "--")
	cmd.Env = append(childEnv(), "NETCHECK_HELPER=check")
	out, err := cmd.Output()
	var v Verdict
	if jerr := json.Unmarshal(out, &v); jerr != nil {
		t.Fatalf("the check in the host's namespace: %v %v: %s", err, jerr, out)
	}
	return v
}
