package netcheck

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"localguard/envfix"
)

// viteConfigForm is a vite.config.* as people write it, with the port
// (%[1]d) Vite is to listen on.
type viteConfigForm struct {
	name, file, src string
	env             []string // Vite's environment beyond childEnv
	args            []string // Vite's command line beyond --config
	// fixed: the fix writes the file; else it refuses (never "nothing to
	// change" while Vite listens beyond loopback).
	fixed bool
}

var viteConfigForms = []viteConfigForm{
	{"server on one line", "vite.config.js", "export default { server: { host: true, port: %[1]d, strictPort: true } }\n", nil, nil, true},
	{"commented block above", "vite.config.ts", "import { defineConfig } from 'vite'\n// server: { host: 'localhost' },\nexport default defineConfig({\n  server: {\n    host: '0.0.0.0',\n    port: %[1]d,\n    strictPort: true,\n  },\n})\n", nil, nil, true},
	{"template string above", "vite.config.mjs", "const note = `server: { host: 'localhost' }`\nexport default { define: { __NOTE__: JSON.stringify(note) }, server: { host: '::', port: %[1]d, strictPort: true } }\n", nil, nil, true},
	{"TypeScript function with a spread", "vite.config.mts", "import { defineConfig, type UserConfig } from 'vite'\nconst lan = { host: true }\nexport default defineConfig(({ mode }): UserConfig => ({ server: { ...lan, port: %[1]d, strictPort: true } }))\n", nil, nil, true},
	{"environment variable", "vite.config.js", "export default { server: { host: process.env.HOST, port: %[1]d, strictPort: true } }\n", []string{"HOST=0.0.0.0"}, nil, false},
	{"variable", "vite.config.js", "const everywhere = '0.0.0.0'\nexport default { server: { host: everywhere, port: %[1]d, strictPort: true } }\n", nil, nil, false},
	{"local config, --host on the command line", "vite.config.js", "export default { server: { port: %[1]d, strictPort: true } }\n", nil, []string{"--host"}, false},
}

// TestViteConfigFormsReal starts the real Vite 7 from npm with each config
// form, before and after the fix: before, ss (the kernel's socket list)
// shows it beyond loopback, and the fix either changes only the literal
// (after which Vite listens on loopback only) or refuses with the change
// to make, never "nothing to change".
func TestViteConfigFormsReal(t *testing.T) {
	cache := viteCache(t)
	node := needProgram(t, "node", "nodejs")
	for _, form := range viteConfigForms {
		t.Run(form.name, func(t *testing.T) { checkViteForm(t, cache, node, form) })
	}
}

func checkViteForm(t *testing.T, cache, node string, form viteConfigForm) {
	fe := viteFrontend(t, cache, freePort(t))
	os.Remove(filepath.Join(fe, "vite.config.js"))
	port := freePort(t)
	cfg := filepath.Join(fe, form.file)
	os.WriteFile(cfg, []byte(fmt.Sprintf(form.src, port)), 0o644)
	before := viteListens(t, fe, node, form, port)
	t.Logf("before the fix, Vite listens on %q", before)
	if !beyondLoopback(before) {
		t.Fatalf("Vite with this config listens on %q: the form is meant to listen beyond loopback", before)
	}
	plan, err := planWhileRunning(t, fe, node, form, port)
	if !form.fixed {
		if err == nil || errors.Is(err, envfix.ErrNoViteFix) || !strings.Contains(err.Error(), "localhost") && !strings.Contains(err.Error(), "without --host") {
			t.Fatalf("fix: %v; want a refusal with the change to make", err)
		}
		t.Logf("refused: %v", err)
		return
	}
	if err != nil {
		t.Fatal(err)
	}
	if _, err := envfix.Apply(plan); err != nil {
		t.Fatal(err)
	}
	after := viteListens(t, fe, node, form, port)
	t.Logf("after the fix, Vite listens on %q", after)
	if beyondLoopback(after) {
		t.Errorf("after the fix Vite still listens on %q", after)
	}
	if err := envfix.Undo(cfg); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(cfg); string(got) != fmt.Sprintf(form.src, port) {
		t.Error("undo did not give the exact bytes back")
	}
}

// planWhileRunning plans the fix with that Vite running, so that its
// environment decides an environment variable.
func planWhileRunning(t *testing.T, fe, node string, form viteConfigForm, port int) (*envfix.Plan, error) {
	t.Helper()
	v := startVite(t, fe, node, form, port)
	defer v.stop()
	return PlanSourceFix(filepath.Join(fe, form.file))
}

func startVite(t *testing.T, fe, node string, form viteConfigForm, port int) *child {
	t.Helper()
	v := start(t, fe, node, childEnv(form.env...), append([]string{"node", "node_modules/vite/bin/vite.js", "--config", form.file}, form.args...)...)
	deadline := time.Now().Add(60 * time.Second)
	for len(listensOn(t, v.pid(), port)) == 0 {
		if time.Now().After(deadline) || v.cmd.ProcessState != nil {
			t.Fatalf("Vite did not listen on port %d; its output:\n%s", port, v.out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return v
}

// viteListens starts Vite with the config and says where it listens (ss).
func viteListens(t *testing.T, fe, node string, form viteConfigForm, port int) []string {
	t.Helper()
	v := startVite(t, fe, node, form, port)
	defer v.stop()
	time.Sleep(300 * time.Millisecond) // every socket of its listen()s
	return listensOn(t, v.pid(), port)
}

// listensOn is where pid listens on port, as ss shows it.
func listensOn(t *testing.T, pid int32, port int) []string {
	t.Helper()
	out, err := exec.Command("ss", "-Hltnp", fmt.Sprintf("sport = :%d", port)).Output()
	if err != nil {
		t.Fatalf("ss: %v", err)
	}
	var addrs []string
	for _, line := range strings.Split(string(out), "\n") {
		if f := strings.Fields(line); len(f) >= 6 && strings.Contains(line, fmt.Sprintf("pid=%d,", pid)) {
			addrs = append(addrs, f[3])
		}
	}
	return addrs
}

func beyondLoopback(addrs []string) bool {
	for _, a := range addrs {
		if !strings.HasPrefix(a, "127.") && !strings.HasPrefix(a, "[::1]:") {
			return true
		}
	}
	return false
}
