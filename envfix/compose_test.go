package envfix

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// copyFixture copies testdata/compose/name into a temporary folder as
// docker-compose.yaml.
func copyFixture(t *testing.T, name string) (string, []byte) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "compose", name))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "docker-compose.yaml")
	if err := os.WriteFile(p, b, 0o640); err != nil {
		t.Fatal(err)
	}
	return p, b
}

func TestPlanCompose(t *testing.T) {
	for _, c := range []struct {
		name, want string
		o          ComposeOptions
	}{
		{"flowmeter", "flowmeter.want.yaml", ComposeOptions{}},
		// Compose v2: host_ip where the long syntax has none.
		{"variants", "variants.want.yaml", ComposeOptions{HostIP: true}},
		// docker-compose 1.29 refuses host_ip: those entries in short form.
		{"variants", "variants.v1.want.yaml", ComposeOptions{}},
	} {
		t.Run(c.want, func(t *testing.T) { checkComposeFix(t, c.name, c.want, c.o) })
	}
}

// checkComposeFix plans the fix of the fixture name, compares it with
// name.want.yaml, reads it back as YAML, writes it through Apply and
// undoes it.
func checkComposeFix(t *testing.T, name, wantName string, o ComposeOptions) {
	p, before := copyFixture(t, name+".yaml")
	want, _ := os.ReadFile(filepath.Join("testdata", "compose", wantName))
	plan, err := PlanComposeWith(p, o)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(plan.After, want) {
		t.Fatalf("after:\n%s\nwant:\n%s", plan.After, want)
	}
	if got := plan.Edit.apply(before); !bytes.Equal(got, want) {
		t.Errorf("the plan's one Edit does not give the result:\n%s", got)
	}
	checkPublishedLocal(t, plan.After)
	// Written through Apply, with the backup; undo gives the bytes back.
	if _, err := Apply(plan); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, want) {
		t.Errorf("written:\n%s", got)
	}
	if info, _ := os.Stat(p); runtime.GOOS != "windows" && info.Mode().Perm() != 0o640 { // Windows keeps no Unix modes
		t.Errorf("mode %v, want 0640 kept", info.Mode().Perm())
	}
	if _, err := PlanComposeWith(p, o); !errors.Is(err, ErrNoComposeFix) {
		t.Errorf("planning again: %v, want nothing to do", err)
	}
	if err := Undo(p); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(p); !bytes.Equal(got, before) {
		t.Errorf("undo did not give the exact bytes back")
	}
}

// checkPublishedLocal reads a compose file back with the YAML parser:
// every published port must be on loopback.
func checkPublishedLocal(t *testing.T, after []byte) {
	t.Helper()
	var doc struct {
		Services map[string]struct {
			Ports []yaml.Node `yaml:"ports"`
		} `yaml:"services"`
	}
	if err := yaml.Unmarshal(after, &doc); err != nil {
		t.Fatalf("the result is not YAML: %v", err)
	}
	for name, s := range doc.Services {
		for _, n := range s.Ports {
			var v string
			if n.Kind == yaml.ScalarNode {
				v = n.Value
			} else {
				var m map[string]any
				n.Decode(&m)
				v, _ = m["host_ip"].(string)
			}
			if !strings.HasPrefix(v, "127.0.0.1") && !strings.HasPrefix(v, "[::1]") && v != "::1" {
				t.Errorf("service %s publishes %q", name, v)
			}
		}
	}
}

func TestPlanComposeRefuses(t *testing.T) {
	for name, content := range map[string]string{
		"not YAML":         "services:\n  backend:\n    ports: [\"8000:8000\"\n",
		"block scalar":     "services:\n  backend:\n    ports:\n      - |\n        8000:8000\n",
		"unreadable ports": "services:\n  backend:\n    ports:\n      - \"a:b:c:d\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "compose.yaml")
			os.WriteFile(p, []byte(content), 0o644)
			if _, err := PlanCompose(p); err == nil {
				t.Errorf("planned a change to %q", content)
			}
			if got, _ := os.ReadFile(p); string(got) != content {
				t.Errorf("the file changed")
			}
		})
	}
	p := filepath.Join(t.TempDir(), "compose.yaml")
	os.WriteFile(p, []byte("services:\n  backend:\n    ports:\n      - \"127.0.0.1:8000:8000\"\n"), 0o644)
	if _, err := PlanCompose(p); !errors.Is(err, ErrNoComposeFix) {
		t.Errorf("a local-only file: %v, want ErrNoComposeFix", err)
	}
}

// FuzzPlanCompose: whatever the file, a plan only ever changes published
// ports, and its result reads back as YAML.
func FuzzPlanCompose(f *testing.F) {
	for _, n := range []string{"flowmeter.yaml", "variants.yaml"} {
		b, _ := os.ReadFile(filepath.Join("testdata", "compose", n))
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		edits, doc, err := composeEdits(b, ComposeOptions{})
		if err != nil || len(edits) == 0 {
			return
		}
		after := applyEdits(b, edits)
		if checkCompose(doc, edits, after, ComposeOptions{}) != nil {
			return // PlanCompose refuses it
		}
		var v any
		if err := yaml.Unmarshal(after, &v); err != nil {
			t.Fatalf("checked result does not parse: %v", err)
		}
	})
}
