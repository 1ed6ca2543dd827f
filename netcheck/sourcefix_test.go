package netcheck

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"localguard/envfix"
)

// TestComposeFinding: a checkout whose docker-compose.yaml publishes
// FlowMeter's ports on every address gets a finding naming the file, the
// ports and the command that fixes it; once fixed, none.
func TestComposeFinding(t *testing.T) {
	root := t.TempDir()
	backend := filepath.Join(root, "backend")
	os.MkdirAll(backend, 0o755)
	os.MkdirAll(filepath.Join(root, "frontend"), 0o755)
	env := filepath.Join(backend, ".env")
	os.WriteFile(env, []byte("HOST=127.0.0.1\n"), 0o644)
	compose := filepath.Join(root, "docker-compose.yaml")
	b, err := os.ReadFile(filepath.Join("..", "envfix", "testdata", "compose", "flowmeter.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	os.WriteFile(compose, b, 0o644)
	c := Open(context.Background(), env, nil, t.TempDir(), nil)
	finding := func() *Finding {
		for _, f := range c.Check(context.Background()).Findings {
			if f.Key == "docker-compose" {
				return &f
			}
		}
		return nil
	}
	f := finding()
	if f == nil {
		t.Fatal("no finding for the compose file")
	}
	for _, want := range []string{compose, `backend: 8000:8000`, `frontend: 3000:3000`, "localguard fix --source " + compose} {
		if !strings.Contains(f.Message, want) {
			t.Errorf("finding %q lacks %q", f.Message, want)
		}
	}
	if f.Fix != "" {
		t.Errorf("fix %q: a finding's fix command fixes the .env; the compose command is in the message", f.Fix)
	}
	plan, err := PlanSourceFix(compose)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := envfix.Apply(plan); err != nil {
		t.Fatal(err)
	}
	if f := finding(); f != nil {
		t.Errorf("after the fix: %+v", *f)
	}
}
