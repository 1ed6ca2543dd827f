package netcheck

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// docker is Debian's client, which talks to the daemon .ci/dockerd starts.
const docker = "/usr/bin/docker"

// TestDockerBridge (root, Docker; judges the network namespace of Docker's
// daemon, where it makes its bridges — the host's — through nsenter into
// dockerd's namespace): a network of
// Docker's own (a br-... bridge) with a running container on it (built
// FROM scratch: nothing is pulled) is "containers and virtual machines on
// this computer", and so is docker0; read as Localguard reads them.
func TestDockerBridge(t *testing.T) {
	needRoot(t)
	needDocker(t)
	name := fmt.Sprintf("lg18-%d", os.Getpid())
	dir := t.TempDir()
	bin := filepath.Join(dir, "guestkinds")
	build := exec.Command("go", "build", "-o", bin, "../testdata/guestkinds")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building the guest: %v: %s", err, out)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\nCOPY guestkinds /guestkinds\nENTRYPOINT [\"/guestkinds\", \"sleep\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dockerRun(t, "build", "-q", "-t", name, dir)
	t.Cleanup(func() { exec.Command(docker, "rmi", "-f", name).Run() })
	id := strings.TrimSpace(dockerRun(t, "network", "create", name))
	t.Cleanup(func() { exec.Command(docker, "network", "rm", name).Run() })
	dockerRun(t, "run", "-d", "--rm", "--name", name, "--network", name, name)
	t.Cleanup(func() { exec.Command(docker, "rm", "-f", name).Run() })
	bridge := "br-" + id[:12]
	kinds := hostKinds(t, bin)
	if kinds[bridge] != KindVirtual {
		t.Errorf("Docker's network %s with a container: %q, want virtual (all: %v)", bridge, kinds[bridge], kinds)
	}
	if k, ok := kinds["docker0"]; ok && k != KindVirtual {
		t.Errorf("docker0: %q, want virtual", k)
	}
	t.Logf("the host's interfaces as Localguard sees them: %v", kinds)
}

// dockerRun runs the docker client and returns what it printed.
func dockerRun(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(docker, args...).Output()
	if err != nil {
		t.Fatalf("docker %s: %v", strings.Join(args, " "), err)
	}
	return string(out)
}

// hostKinds runs guestkinds in the network namespace of Docker's daemon
// (hostNet) and returns the kind of each interface's IPv4 address.
func hostKinds(t *testing.T, bin string) map[string]AddrKind {
	t.Helper()
	out, err := hostNet(bin).Output()
	if err != nil {
		t.Fatalf("nsenter --net=%s %s: %v", hostNetNS(), bin, err)
	}
	kinds := map[string]AddrKind{}
	sc := bufio.NewScanner(strings.NewReader(string(out)))
	for sc.Scan() {
		var e struct{ Interface, Address, Kind string }
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(e.Address, ":") {
			kinds[e.Interface] = AddrKind(e.Kind)
		}
	}
	return kinds
}
