package envfix

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// TestPackageScriptsByteForByte: only the bytes of --host and its value
// change inside a script's string; escapes and every other script stay
// as written; a --host passed on with npm run X -- is followed.
func TestPackageScriptsByteForByte(t *testing.T) {
	for name, c := range map[string]struct{ in, want string }{
		"escapes kept": {`{"scripts": {"dev": "\u0076ite --host 0.0.0.0 \u0026\u0026 echo done", "build": "vite build"}}`,
			`{"scripts": {"dev": "\u0076ite \u0026\u0026 echo done", "build": "vite build"}}`},
		"ampersands kept": {`{"scripts": {"dev": "vite --host && echo \"ok\"", "x": "a\u0026b"}}`,
			`{"scripts": {"dev": "vite && echo \"ok\"", "x": "a\u0026b"}}`},
		"host=value": {`{"scripts": {"dev": "vite --host=0.0.0.0 --port 3000"}}`,
			`{"scripts": {"dev": "vite --port 3000"}}`},
		"tab kept": {`{"scripts": {"dev": "vite\t--port 3000 --host"}}`,
			`{"scripts": {"dev": "vite\t--port 3000"}}`},
		"another program's --host untouched": {`{"scripts": {"dev": "vite --host & http-server --host 0.0.0.0"}}`,
			`{"scripts": {"dev": "vite & http-server --host 0.0.0.0"}}`},
		"npm run dev -- --host": {`{"scripts": {"dev": "vite", "lan": "npm run dev -- --host"}}`,
			`{"scripts": {"dev": "vite", "lan": "npm run dev"}}`},
		"npm run dev -- --port --host": {`{"scripts": {"dev": "vite --port 3000", "lan": "npm run dev -- --strictPort --host 0.0.0.0"}}`,
			`{"scripts": {"dev": "vite --port 3000", "lan": "npm run dev -- --strictPort"}}`},
		"through two scripts": {`{"scripts": {"serve": "vite", "dev": "npm run serve", "lan": "npm run dev -- --host"}}`,
			`{"scripts": {"serve": "vite", "dev": "npm run serve", "lan": "npm run dev"}}`},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "package.json")
			os.WriteFile(p, []byte(c.in), 0o644)
			plan, err := PlanPackageScripts(p)
			if err != nil {
				t.Fatal(err)
			}
			if string(plan.After) != c.want {
				t.Errorf("after:\n%s\nwant:\n%s", plan.After, c.want)
			}
		})
	}
	p := filepath.Join(t.TempDir(), "package.json")
	os.WriteFile(p, []byte(`{"scripts": {"lan": "npm run serve -- --host", "serve": "http-server"}}`), 0o644)
	if _, err := PlanPackageScripts(p); !errors.Is(err, ErrNoViteFix) {
		t.Errorf("--host passed on to a script that does not run Vite: %v", err)
	}
}
