package netcheck

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"localguard/envfix"
	"localguard/testdata/need"
)

// The real Docker test: Debian's docker.io daemon (.ci/dockerd starts it),
// an image built FROM scratch from a static Go binary (nothing pulled), a
// compose project with an override file, comments, an anchor, quotes, long
// and short syntax, ${PORT:-...} and IPv6 [::]. Docker's daemon, its
// port publishers and so `ss` live in the daemon's network namespace (the
// host's), not the test's: the test says so and runs Compose and ss there
// with nsenter.

// needCompose skips (fails in CI) unless root, a Docker daemon that
// answers (needDocker), and the Compose argv are here, and returns the
// Docker client.
func needCompose(t *testing.T, compose ...string) string {
	t.Helper()
	need.Root(t, ciInstalls, "the Docker tests need root")
	docker := needDocker(t)
	if _, err := exec.LookPath(compose[0]); err != nil {
		missing(t, "%s is not installed (apt-get install docker-compose)", compose[0])
	}
	if composeVersion(compose) == "" {
		missing(t, "%s does not run", strings.Join(compose, " "))
	}
	return docker
}

// composeCheckout is a FlowMeter checkout (backend/.env on loopback)
// whose compose files publish four ports beyond loopback.
type composeCheckout struct {
	root, env, main, override string
	ports                     [4]int
	before                    map[string][]byte
}

func newComposeCheckout(t *testing.T, image string) *composeCheckout {
	t.Helper()
	c := &composeCheckout{root: t.TempDir(), before: map[string][]byte{}}
	base := 30000 + os.Getpid()%5000*4
	for i := range c.ports {
		c.ports[i] = base + i
	}
	os.MkdirAll(filepath.Join(c.root, "backend"), 0o755)
	c.env = filepath.Join(c.root, "backend", ".env")
	os.WriteFile(c.env, []byte("HOST=127.0.0.1\n"), 0o644)
	// The project's .env: Compose reads PORT from it (the variable below).
	os.WriteFile(filepath.Join(c.root, ".env"), []byte(fmt.Sprintf("PORT=%d\n", c.ports[0])), 0o644)
	c.main = filepath.Join(c.root, "docker-compose.yaml")
	c.override = filepath.Join(c.root, "docker-compose.override.yaml")
	c.write(c.main, fmt.Sprintf(`# FlowMeter in containers, as a user wrote it
x-common: &common
  image: %s   # built FROM scratch
  restart: "no"

services:
  backend:
    <<: *common
    ports:
      - "${PORT:-8000}:8000"    # the API
      - target: 8000
        published: %d
        protocol: tcp
  frontend:
    <<: *common
    ports:
      - '[::]:%d:8000'
`, image, c.ports[1], c.ports[2]))
	c.write(c.override, fmt.Sprintf("services:\n  frontend:\n    ports:\n      - %d:8000   # added for a demo\n", c.ports[3]))
	return c
}

func (c *composeCheckout) write(path, s string) {
	os.WriteFile(path, []byte(s), 0o644)
	c.before[path] = []byte(s)
}

// compose runs the Compose argv on the project, in the host's namespace
// (where the daemon publishes).
func (c *composeCheckout) compose(t *testing.T, argv []string, args ...string) string {
	t.Helper()
	full := append(append([]string{}, argv...), append([]string{"-p", fmt.Sprintf("lg19-%d", os.Getpid())}, args...)...)
	cmd := hostNet(full...)
	cmd.Dir = c.root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(full, " "), err, out)
	}
	return string(out)
}

// listening is where the host listens on the checkout's ports (ss, in the
// host's namespace).
func (c *composeCheckout) listening(t *testing.T) []string {
	t.Helper()
	var addrs []string
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(200 * time.Millisecond) {
		out, err := hostNet("ss", "-Hltn").Output()
		if err != nil {
			t.Fatalf("ss: %v", err)
		}
		addrs = addrs[:0]
		seen := map[int]bool{}
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Fields(line)
			if len(f) < 4 {
				continue
			}
			for _, p := range c.ports {
				if strings.HasSuffix(f[3], fmt.Sprintf(":%d", p)) {
					addrs, seen[p] = append(addrs, f[3]), true
				}
			}
		}
		if len(seen) == len(c.ports) || time.Now().After(deadline) {
			return addrs
		}
	}
}

// TestComposeFixDockerCompose1: with Debian's docker-compose 1.29 (which
// refuses host_ip), a checkout whose compose files publish FlowMeter
// beyond loopback is at-risk while nothing runs; fix --source on each
// file writes short forms only, docker-compose config accepts them, `up
// -d --force-recreate` publishes every port on loopback only (ss), and
// undo gives the exact bytes back.
func TestComposeFixDockerCompose1(t *testing.T) {
	runComposeFix(t, []string{"docker-compose"}, "1.")
}

// TestComposeFixComposeV2: the same with the Compose v2 CLI plugin (built
// from its Go module by .ci/run when it can be), which accepts host_ip.
func TestComposeFixComposeV2(t *testing.T) {
	if _, err := os.Stat(filepath.Join(os.Getenv("HOME"), ".docker", "cli-plugins", "docker-compose")); err != nil {
		// Optional: .ci/run builds it from its Go module when it can, in
		// a few minutes; without it this test cannot run, even in CI.
		t.Skip("the Compose v2 plugin is not in ~/.docker/cli-plugins (.ci/run builds it from its Go module, github.com/docker/compose/v5)")
	}
	runComposeFix(t, []string{"docker", "compose"}, "")
}

func runComposeFix(t *testing.T, argv []string, wantVersion string) {
	docker := needCompose(t, argv...)
	tool := ComposeTool{Argv: argv, Version: composeVersion(argv)}
	if !strings.HasPrefix(tool.Version, wantVersion) {
		missing(t, "%s is %s, not %s", tool.Name(), tool.Version, wantVersion)
	}
	real := findComposeTool
	findComposeTool = func() ComposeTool { return tool }
	t.Cleanup(func() { findComposeTool = real })
	c := newComposeCheckout(t, buildStandInImage(t, docker))
	t.Cleanup(func() { c.compose(t, argv, "down", "--remove-orphans") })

	checkAtRisk(t, c)
	for _, f := range []string{c.main, c.override} {
		fixComposeFile(t, f, tool)
	}
	c.compose(t, argv, "config", "-q")
	c.compose(t, argv, "up", "-d", "--force-recreate")
	addrs := c.listening(t)
	t.Logf("ss after up -d --force-recreate: %q", addrs)
	if len(addrs) < len(c.ports) {
		t.Errorf("not every port is published: %q", addrs)
	}
	for _, a := range addrs {
		if !strings.HasPrefix(a, "127.0.0.1:") && !strings.HasPrefix(a, "[::1]:") {
			t.Errorf("published on %s after the fix, want loopback only (all: %q)", a, addrs)
		}
	}
	if v := Open(context.Background(), c.env, nil, t.TempDir(), nil).Check(context.Background()); v.Status != StatusSafe {
		t.Errorf("after the fix: %s: %s", v.Status, v.Message)
	}
	for _, f := range []string{c.main, c.override} {
		if err := envfix.Undo(f); err != nil {
			t.Fatal(err)
		}
		if got, _ := os.ReadFile(f); !bytes.Equal(got, c.before[f]) {
			t.Errorf("undo of %s: not the exact bytes:\n%s", f, got)
		}
	}
}

// checkAtRisk: nothing runs (in the test's namespace), the files publish
// beyond loopback: at-risk, naming both files and the fix commands.
func checkAtRisk(t *testing.T, c *composeCheckout) {
	t.Helper()
	v := Open(context.Background(), c.env, nil, t.TempDir(), nil).Check(context.Background())
	if v.Status != StatusAtRisk {
		t.Fatalf("before the fix: %s: %s", v.Status, v.Message)
	}
	for _, want := range []string{c.main, c.override, "backend: ${PORT:-8000}:8000", fmt.Sprintf("frontend: [::]:%d:8000", c.ports[2]), "localguard fix --source"} {
		if !strings.Contains(v.Message, want) {
			t.Errorf("the at-risk message lacks %q: %s", want, v.Message)
		}
	}
}

// fixComposeFile plans and writes the fix of one file: host_ip only where
// the Compose accepts it.
func fixComposeFile(t *testing.T, f string, tool ComposeTool) {
	t.Helper()
	plan, err := PlanSourceFix(f)
	if err != nil {
		t.Fatal(err)
	}
	if got := bytes.Contains(plan.After, []byte("host_ip")); got != tool.V2() && f == filepath.Join(filepath.Dir(f), "docker-compose.yaml") {
		t.Errorf("%s %s: host_ip written %v:\n%s", tool.Name(), tool.Version, got, plan.After)
	}
	if _, err := envfix.Apply(plan); err != nil {
		t.Fatal(err)
	}
	t.Logf("%s fixed for %s %s:\n%s", filepath.Base(f), tool.Name(), tool.Version, plan.After)
}
