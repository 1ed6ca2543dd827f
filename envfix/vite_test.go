package envfix

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestPlanViteSources(t *testing.T) {
	for _, tc := range []struct {
		name, file, want string
		plan             func(string) (*Plan, error)
	}{
		{"package.json scripts", "package.json", "package.want.json", PlanPackageScripts},
		{"vite.config.ts server.host", "vite.config.ts", "vite.config.want.ts", PlanViteConfig},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before, _ := os.ReadFile(filepath.Join("testdata", "vite", tc.file))
			want, _ := os.ReadFile(filepath.Join("testdata", "vite", tc.want))
			p := filepath.Join(t.TempDir(), tc.file)
			os.WriteFile(p, before, 0o644)
			plan, err := tc.plan(p)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(plan.After, want) {
				t.Fatalf("after:\n%s\nwant:\n%s", plan.After, want)
			}
			if !bytes.Equal(plan.Edit.apply(before), want) {
				t.Errorf("the plan's Edit does not give the result")
			}
			if _, err := Apply(plan); err != nil {
				t.Fatal(err)
			}
			if _, err := tc.plan(p); !errors.Is(err, ErrNoViteFix) {
				t.Errorf("planning again: %v, want nothing to do", err)
			}
			if err := Undo(p); err != nil {
				t.Fatal(err)
			}
			if got, _ := os.ReadFile(p); !bytes.Equal(got, before) {
				t.Errorf("undo did not give the exact bytes back")
			}
		})
	}
}

func TestPlanViteRefuses(t *testing.T) {
	for name, tc := range map[string]struct {
		file, content string
		plan          func(string) (*Plan, error)
	}{
		"a variable host":          {"vite.config.js", "export default { server: {\n  host: process.env.HOST,\n} }\n", PlanViteConfig},
		"host already local":       {"vite.config.js", "export default { server: {\n  host: 'localhost',\n} }\n", PlanViteConfig},
		"no server block":          {"vite.config.js", "export default { plugins: [] }\n", PlanViteConfig},
		"no --host":                {"package.json", `{"scripts": {"dev": "vite"}}`, PlanPackageScripts},
		"--host in another script": {"package.json", `{"scripts": {"serve": "http-server --host 0.0.0.0"}}`, PlanPackageScripts},
		"not JSON":                 {"package.json", `{"scripts": {"dev": "vite --host"`, PlanPackageScripts},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), tc.file)
			os.WriteFile(p, []byte(tc.content), 0o644)
			if plan, err := tc.plan(p); err == nil {
				t.Errorf("planned:\n%s", plan.After)
			}
			if got, _ := os.ReadFile(p); string(got) != tc.content {
				t.Errorf("the file changed")
			}
		})
	}
}

// FuzzScriptSpans: every span found is a JSON string of the file.
func FuzzScriptSpans(f *testing.F) {
	b, _ := os.ReadFile(filepath.Join("testdata", "vite", "package.json"))
	f.Add(b)
	f.Add([]byte(`{"scripts": {"dev": "vite \"--host\"", "x": ["a"], "y": {"dev": "vite --host"}}, "dev": "vite --host"}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		spans, err := scriptSpans(b)
		if err != nil {
			return
		}
		for name, sp := range spans {
			var v string
			if sp.Start < 0 || sp.End > len(b) || sp.Start >= sp.End || json.Unmarshal(b[sp.Start:sp.End], &v) != nil {
				t.Fatalf("script %q: span %v is not a JSON string of %q", name, sp, b)
			}
		}
	})
}
