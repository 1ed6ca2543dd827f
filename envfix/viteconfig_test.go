package envfix

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// viteForm is a Vite config as people write it, what Vite does with it,
// and what the fix must do.
type viteForm struct {
	name, file, src string
	// beyond: Vite started with it (no HOST set) listens beyond loopback.
	beyond bool
	// fixed is the file after the fix; "" when it is refused (want says
	// with which error) or needs none.
	fixed string
	want  error
}

// ViteForms are the config forms the tests share with the real Vite test
// (netcheck): each fooled the pattern-based reader before.
var viteForms = []viteForm{
	{"one line", "vite.config.js", "export default { server: { host: true } }\n", true,
		"export default { server: { host: 'localhost' } }\n", nil},
	{"host and port on one line", "vite.config.ts", "import { defineConfig } from 'vite'\nexport default defineConfig({\n  server: { host: true, port: 5173 },\n})\n", true,
		"import { defineConfig } from 'vite'\nexport default defineConfig({\n  server: { host: 'localhost', port: 5173 },\n})\n", nil},
	{"commented block above", "vite.config.js", "// server: { host: '127.0.0.1' },\n/* server: { host: 'localhost' } */\nexport default {\n  server: {\n    host: '0.0.0.0',\n  },\n}\n", true,
		"// server: { host: '127.0.0.1' },\n/* server: { host: 'localhost' } */\nexport default {\n  server: {\n    host: 'localhost',\n  },\n}\n", nil},
	{"template string above", "vite.config.mjs", "const note = `server: { host: 'localhost' }`\nexport default { server: { host: \"::\" }, define: { note } }\n", true,
		"const note = `server: { host: 'localhost' }`\nexport default { server: { host: \"localhost\" }, define: { note } }\n", nil},
	{"environment variable", "vite.config.js", "export default { server: { host: process.env.HOST } }\n", false, "", ErrViteHostUndecided},
	{"environment variable with a fallback", "vite.config.ts", "export default { server: { host: process.env['VITE_HOST'] ?? '0.0.0.0' } }\n", true, "", ErrViteHostUndecided},
	{"variable", "vite.config.js", "const everywhere = '0.0.0.0'\nexport default { server: { host: everywhere } }\n", true, "", ErrNoSafeEdit},
	{"spread", "vite.config.ts", "const shared = { host: true, port: 3000 }\nexport default defineConfig({ server: { ...shared } })\n", true,
		"const shared = { host: 'localhost', port: 3000 }\nexport default defineConfig({ server: { ...shared } })\n", nil},
	{"unresolved spread", "vite.config.js", "import shared from './shared.js'\nexport default { server: { ...shared } }\n", false, "", ErrViteHostUndecided},
	{"spread overridden", "vite.config.js", "import shared from './shared.js'\nexport default { server: { ...shared, host: 'localhost' } }\n", false, "", ErrNoViteFix},
	{"TypeScript function", "vite.config.mts", "import { defineConfig, type UserConfig } from 'vite'\nexport default defineConfig(({ mode }: { mode: string }): UserConfig => {\n  const port: number = 3000\n  return { server: { port, host: '0.0.0.0' as const } }\n})\n", true,
		"import { defineConfig, type UserConfig } from 'vite'\nexport default defineConfig(({ mode }: { mode: string }): UserConfig => {\n  const port: number = 3000\n  return { server: { port, host: 'localhost' as const } }\n})\n", nil},
	{"CommonJS", "vite.config.cjs", "module.exports = {\n  server: { /* café ☕ */ host: '' },\n}\n", true,
		"module.exports = {\n  server: { /* café ☕ */ host: 'localhost' },\n}\n", nil},
	{"local already", "vite.config.js", "export default { server: { host: 'localhost', proxy: { '/api': { target: 'http://0.0.0.0:8000', host: true } } } }\n", false, "", ErrNoViteFix},
	{"no server", "vite.config.js", "export default { plugins: [] }\n", false, "", ErrNoViteFix},
	{"not JavaScript", "vite.config.js", "export default { server: { host: true }\n", false, "", ErrViteHostUndecided},
}

func TestPlanViteConfigForms(t *testing.T) {
	for _, c := range viteForms {
		t.Run(c.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), c.file)
			os.WriteFile(p, []byte(c.src), 0o644)
			plan, err := PlanViteConfig(p)
			switch {
			case c.fixed != "":
				if err != nil {
					t.Fatal(err)
				}
				if string(plan.After) != c.fixed {
					t.Errorf("after:\n%s\nwant:\n%s", plan.After, c.fixed)
				}
			case !errors.Is(err, c.want):
				t.Errorf("%v, want %v", err, c.want)
			case c.want != ErrNoViteFix && !strings.Contains(err.Error(), "localhost"):
				t.Errorf("the refusal does not say the change to make: %v", err)
			}
			if got, _ := os.ReadFile(p); string(got) != c.src {
				t.Error("planning changed the file")
			}
		})
	}
}

// TestViteHostEnvironment: an environment variable is decided by the
// environment Vite starts with.
func TestViteHostEnvironment(t *testing.T) {
	h, err := ReadViteHost("vite.config.js", []byte("export default { server: { host: process.env.HOST || 'localhost' } }\n"))
	if err != nil || h.Kind != ViteHostEnv || h.Var != "HOST" || h.Line != 1 {
		t.Fatalf("%+v, %v", h, err)
	}
	for _, c := range []struct {
		env           []string
		known, beyond bool
	}{
		{nil, false, false},
		{[]string{"HOST=0.0.0.0"}, true, true},
		{[]string{"HOST=127.0.0.1"}, true, false},
		{[]string{"OTHER=1"}, true, false},
	} {
		beyond, known := h.Decide(c.env, c.env != nil)
		if beyond != c.beyond || known != c.known {
			t.Errorf("%q: beyond %v known %v", c.env, beyond, known)
		}
	}
	p := filepath.Join(t.TempDir(), "vite.config.js")
	os.WriteFile(p, []byte("export default { server: { host: process.env.HOST } }\n"), 0o644)
	if _, err := PlanViteConfigIn(p, []string{"HOST=0.0.0.0"}, true); !errors.Is(err, ErrNoSafeEdit) || !strings.Contains(err.Error(), "HOST") {
		t.Errorf("HOST=0.0.0.0 in Vite's environment: %v", err)
	}
	if _, err := PlanViteConfigIn(p, []string{"PATH=/bin"}, true); !errors.Is(err, ErrNoViteFix) {
		t.Errorf("HOST unset in Vite's environment: %v", err)
	}
}

// FuzzReadViteHost: whatever the file, reading it never panics, and a
// direct literal's bytes are that literal.
func FuzzReadViteHost(f *testing.F) {
	for _, c := range viteForms {
		f.Add(c.src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		h, err := ReadViteHost("vite.config.ts", []byte(src))
		if err != nil || h.Kind != ViteHostLiteral || !h.Direct {
			return
		}
		if _, ok := literalAt([]byte(src), h.span.Start, h.Value); !ok {
			t.Fatalf("span %v is not the literal %q", h.span, h.Value)
		}
	})
}
