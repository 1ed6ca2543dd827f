package relay

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestNginxTargets: the local ports of proxy_pass lines, in the file -c
// names (relative to -p) and the files it includes; another host's port is
// not one.
func TestNginxTargets(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "conf", "nginx.conf"), "events {}\nhttp {\n include sites/*.conf;\n server {\n  listen 9000;\n  location / {\n   proxy_pass http://127.0.0.1:8000;\n  }\n }\n}\n")
	write(t, filepath.Join(dir, "conf", "sites", "a.conf"), "server {\n location /x {\n  proxy_pass http://localhost:8001/;\n }\n location /y {\n  proxy_pass http://example.org:8002;\n }\n}\n")
	for _, args := range [][]string{
		{"nginx", "-p", dir, "-c", "conf/nginx.conf"},
		{"nginx: master process nginx -p " + dir + " -c conf/nginx.conf"},
	} {
		got := nginxTargets(args, "/", nil)
		slices.Sort(got)
		if !slices.Equal(got, []int{8000, 8001}) {
			t.Errorf("%q: %v, want [8000 8001]", args, got)
		}
	}
	if got := nginxTargets([]string{"nginx", "-c", filepath.Join(dir, "missing.conf")}, "/", nil); got != nil {
		t.Errorf("a missing file: %v", got)
	}
}

// TestViteTargets: the proxy targets on this computer in the first Vite
// config found, FlowMeter's own `process.env.VITE_API_URL || '…'` too.
func TestViteTargets(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "vite.config.ts"), "export default { server: { proxy: { '/api': { target: process.env.VITE_API_URL || 'http://localhost:8000' }, '/b': { target: \"http://127.0.0.1:8100\" }, '/c': { target: 'http://example.org:1' } } } }\n")
	if got := viteTargets(dir); !slices.Equal(got, []int{8000, 8100}) {
		t.Errorf("%v, want [8000 8100]", got)
	}
	if got := viteTargets(""); got != nil {
		t.Errorf("no folder: %v", got)
	}
}

func write(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
