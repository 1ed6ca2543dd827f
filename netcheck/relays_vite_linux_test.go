package netcheck

import (
	"context"
	"encoding/json"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"localguard/testdata/netns"
)

// viteCache is where the tests keep a real Vite 7 from the npm registry,
// shared by runs: $HOME/.cache/localguard-test-vite.
func viteCache(t *testing.T) string {
	t.Helper()
	npm := needProgram(t, "npm", "npm")
	needProgram(t, "node", "nodejs")
	home, err := os.UserHomeDir()
	if err != nil {
		home = os.TempDir()
	}
	dir := filepath.Join(home, ".cache", "localguard-test-vite")
	var pkg struct{ Version string }
	if b, err := os.ReadFile(filepath.Join(dir, "node_modules", "vite", "package.json")); err == nil && json.Unmarshal(b, &pkg) == nil && strings.HasPrefix(pkg.Version, "7.") {
		return dir
	}
	os.MkdirAll(dir, 0o755)
	cmd := exec.Command(npm, "install", "--no-audit", "--no-fund", "--loglevel=error", "vite@7")
	cmd.Dir = dir
	done := make(chan struct{})
	var out []byte
	go func() { out, err = cmd.CombinedOutput(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Minute):
		cmd.Process.Kill()
		<-done
	}
	if err != nil {
		missing(t, "npm cannot install vite@7 from the registry into %s: %v: %s", dir, err, out)
	}
	return dir
}

// viteFrontend makes a FlowMeter frontend folder whose Vite proxies /api to
// FlowMeter's port, as FlowMeter's own vite.config.ts does, using the
// cached Vite.
func viteFrontend(t *testing.T, cache string, backendPort int) string {
	t.Helper()
	root := t.TempDir()
	os.Chmod(root, 0o755)
	fe := filepath.Join(root, "FlowMeter", "frontend")
	os.MkdirAll(fe, 0o755)
	os.WriteFile(filepath.Join(fe, "vite.config.js"), []byte(fmt.Sprintf(`import { defineConfig } from 'vite'

export default defineConfig({
  cacheDir: %q,
  server: {
    proxy: {
      '/api': {
        target: process.env.VITE_API_URL || 'http://127.0.0.1:%d',
        changeOrigin: true,
      },
    },
  },
})
`, filepath.Join(root, "vite-cache"), backendPort)), 0o644)
	os.WriteFile(filepath.Join(fe, "package.json"), []byte(`{"name": "flowmeter-frontend", "private": true, "type": "module", "scripts": {"dev": "vite"}}`+"\n"), 0o644)
	os.WriteFile(filepath.Join(fe, "index.html"), []byte("<!doctype html><title>FlowMeter</title>\n"), 0o644)
	if err := os.Symlink(filepath.Join(cache, "node_modules"), filepath.Join(fe, "node_modules")); err != nil {
		t.Fatal(err)
	}
	return fe
}

// waitVite waits until FlowMeter answers through Vite on port (on
// 127.0.0.1 or ::1).
func waitVite(t *testing.T, v *child, port int) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		for _, a := range []string{"127.0.0.1", "::1"} {
			if IdentifyFlowMeter(context.Background(), mustAddr(a), port, time.Second) == IdentityFlowMeter {
				return
			}
		}
		if time.Now().After(deadline) || v.cmd.ProcessState != nil {
			t.Fatalf("FlowMeter does not answer through Vite on port %d; its output:\n%s", port, v.out)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func TestRelayVite(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	cache := viteCache(t)
	l := newLAN(t)
	env, port := flowMeterOnLoopback(t)
	c := Open(context.Background(), env, nil, t.TempDir(), childEnv())
	fe := viteFrontend(t, cache, port)
	node, _ := exec.LookPath("node")

	t.Run("npm run dev -- --host", func(t *testing.T) {
		vp := freePort(t)
		v := start(t, fe, node, childEnv(), "node", "node_modules/vite/bin/vite.js", "--host", "--port", fmt.Sprint(vp), "--strictPort")
		waitVite(t, v, vp)
		r := wantRelay(t, l, c, l.v4, vp, true, true)
		if r == nil {
			return
		}
		if r.PID != v.pid() || r.Program != "vite" || r.Cause != CauseCommandLine || r.TargetPort != port {
			t.Errorf("relay %+v", *r)
		}
		// Typed by hand: no file to fix, the exact command instead.
		if want := fmt.Sprintf("node node_modules/vite/bin/vite.js --port %d --strictPort", vp); r.Fix != "" || !strings.Contains(r.Advice, want) {
			t.Errorf("fix %q, advice %q: want no fix and the command %q", r.Fix, r.Advice, want)
		}
		if v := c.Check(context.Background()); !strings.Contains(v.Message, "web page server (Vite)") {
			t.Errorf("message %q: want Vite named as FlowMeter's web page server", v.Message)
		}
		// Idle for a while, then asked again: still there.
		time.Sleep(time.Second)
		if v := c.Check(context.Background()); relayOn(v, vp) == nil {
			t.Errorf("idle Vite not found: %s", relaysOf(v))
		}
	})
	t.Run("--host in package.json's dev script: fixed at the source", func(t *testing.T) {
		npm, _ := exec.LookPath("npm")
		pkg := filepath.Join(fe, "package.json")
		orig, _ := os.ReadFile(pkg)
		os.WriteFile(pkg, []byte(`{"name": "flowmeter-frontend", "private": true, "type": "module", "scripts": {"dev": "vite --host"}}`+"\n"), 0o644)
		t.Cleanup(func() { os.WriteFile(pkg, orig, 0o644) })
		vp := freePort(t)
		v := start(t, fe, npm, childEnv("npm_config_cache="+t.TempDir(), "npm_config_update_notifier=false"), "npm", "run", "dev", "--", "--port", fmt.Sprint(vp), "--strictPort")
		waitVite(t, v, vp)
		r := wantRelay(t, l, c, l.v4, vp, true, true)
		if r == nil {
			return
		}
		if r.Fix != "localguard fix --source "+pkg {
			t.Fatalf("fix %q: want package.json fixed at the source", r.Fix)
		}
		plan, err := PlanSourceFix(pkg)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(plan.After), `"dev": "vite"`) {
			t.Errorf("planned:\n%s", plan.After)
		}
	})
	t.Run("npm run dev (no --host): this computer only", func(t *testing.T) {
		vp := freePort(t)
		v := start(t, fe, node, childEnv(), "node", "node_modules/vite/bin/vite.js", "--port", fmt.Sprint(vp), "--strictPort")
		waitVite(t, v, vp)
		wantRelay(t, l, c, l.v4, vp, false, true)
	})
}

func mustAddr(s string) netip.Addr { return netip.MustParseAddr(s) }
