package envfix

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestInterpolate(t *testing.T) {
	vars := map[string]string{"PORT": "9000", "EMPTY": ""}
	lookup := func(n string) (string, bool) { v, ok := vars[n]; return v, ok }
	for in, want := range map[string]string{
		"${PORT}:8000":           "9000:8000",
		"${PORT:-8000}:8000":     "9000:8000",
		"${UNSET:-8000}:8000":    "8000:8000",
		"${EMPTY:-8000}:8000":    "8000:8000",
		"${EMPTY-8000}:8000":     ":8000",
		"${UNSET-8000}:8000":     "8000:8000",
		"$PORT:8000":             "9000:8000",
		"$$PORT":                 "$PORT",
		"${PORT:+127.0.0.1}:80":  "127.0.0.1:80",
		"${UNSET:+127.0.0.1}:80": ":80",
		"${UNSET:-${PORT}}:80":   "9000:80",
		"8000:8000":              "8000:8000",
	} {
		got, err := Interpolate(in, lookup)
		if err != nil || got != want {
			t.Errorf("Interpolate(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"${UNSET:?set it}", "${PORT", "${PORT/x}"} {
		if _, err := Interpolate(bad, lookup); err == nil {
			t.Errorf("Interpolate(%q): no error", bad)
		}
	}
}

// TestFindComposeProject: the files Compose merges, as Compose picks them.
func TestFindComposeProject(t *testing.T) {
	dir := t.TempDir()
	touch := func(names ...string) {
		for _, n := range names {
			os.WriteFile(filepath.Join(dir, n), []byte("services: {}\n"), 0o644)
		}
	}
	names := func(p ComposeProject) []string {
		var out []string
		for _, f := range p.Files {
			out = append(out, filepath.Base(f))
		}
		return out
	}
	touch("docker-compose.yaml", "docker-compose.override.yml")
	if got := names(FindComposeProject(dir, nil)); !slices.Equal(got, []string{"docker-compose.yaml", "docker-compose.override.yml"}) {
		t.Errorf("with an override: %q", got)
	}
	touch("compose.yaml")
	if got := names(FindComposeProject(dir, nil)); !slices.Equal(got, []string{"compose.yaml"}) {
		t.Errorf("compose.yaml first: %q", got)
	}
	// Compose's default separator is the system's (";" on Windows).
	os.WriteFile(filepath.Join(dir, ".env"), []byte("COMPOSE_FILE=a.yaml"+string(os.PathListSeparator)+"b.yaml\n"), 0o644)
	if got := names(FindComposeProject(dir, nil)); !slices.Equal(got, []string{"a.yaml", "b.yaml"}) {
		t.Errorf("COMPOSE_FILE from .env: %q", got)
	}
	if got := names(FindComposeProject(dir, []string{"COMPOSE_FILE=c.yml"})); !slices.Equal(got, []string{"c.yml"}) {
		t.Errorf("COMPOSE_FILE from the environment: %q", got)
	}
}

// TestComposeJudgedInterpolated: a port is judged as Compose reads it: an
// address from a variable on every address is beyond loopback, and its
// fix writes the address in place of the variable only when the parts
// line up.
func TestComposeJudgedInterpolated(t *testing.T) {
	p := filepath.Join(t.TempDir(), "compose.yaml")
	os.WriteFile(p, []byte("services:\n  backend:\n    ports:\n      - \"${BIND:-0.0.0.0}:8000:8000\"\n      - \"${LOCAL:-127.0.0.1}:8001:8000\"\n"), 0o644)
	got, err := ComposePublished(p, nil)
	if err != nil || len(got) != 1 || !strings.Contains(got[0], "${BIND:-0.0.0.0}:8000:8000") {
		t.Errorf("published %q, %v", got, err)
	}
	plan, err := PlanComposeWith(p, ComposeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(plan.After), `"127.0.0.1:8000:8000"`) || !strings.Contains(string(plan.After), `"${LOCAL:-127.0.0.1}:8001:8000"`) {
		t.Errorf("after:\n%s", plan.After)
	}
	lookup := func(n string) (string, bool) { return map[string]string{"LOCAL": "0.0.0.0"}[n], n == "LOCAL" }
	if got, _ := ComposePublished(p, lookup); len(got) != 2 {
		t.Errorf("with LOCAL=0.0.0.0 in the environment: %q", got)
	}
}

// TestComposeShortFormRefusals: for a Compose without host_ip, a
// long-syntax entry that the short form cannot say, or that holds a
// comment, is refused with the change to make; a whole entry from one
// variable too.
func TestComposeShortFormRefusals(t *testing.T) {
	for name, c := range map[string]struct{ yaml, want string }{
		"named":     {"      - target: 8000\n        published: 8000\n        name: api\n", "cannot be written in short form"},
		"comment":   {"      - target: 8000\n        # the API\n        published: 8000\n", `"127.0.0.1:8000:8000"`},
		"mode host": {"      - target: 8000\n        published: 8000\n        mode: host\n", "cannot be written in short form"},
		"variable":  {"      - \"${PORTS:-8000:8000}\"\n", `"127.0.0.1:8000:8000"`},
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "compose.yaml")
			os.WriteFile(p, []byte("services:\n  backend:\n    ports:\n"+c.yaml), 0o644)
			_, err := PlanComposeWith(p, ComposeOptions{})
			if err == nil || errors.Is(err, ErrNoComposeFix) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%v, want a refusal saying %s", err, c.want)
			}
			if got, _ := ComposePublished(p, nil); len(got) != 1 {
				t.Errorf("judged: %q, want one port beyond loopback", got)
			}
		})
	}
}

// TestComposeHostNetwork: a service on the host's own network is judged
// beyond loopback (whatever it listens on is this computer's), and its fix
// refused with the change to make.
func TestComposeHostNetwork(t *testing.T) {
	p := filepath.Join(t.TempDir(), "compose.yaml")
	os.WriteFile(p, []byte("services:\n  backend:\n    image: flowmeter-backend\n    network_mode: ${NET:-host}\n"), 0o644)
	if got, _ := ComposePublished(p, nil); len(got) != 1 || !strings.Contains(got[0], "network_mode: host") {
		t.Errorf("judged: %q", got)
	}
	if _, err := PlanComposeWith(p, ComposeOptions{}); !errors.Is(err, ErrNoSafeEdit) || !strings.Contains(err.Error(), "127.0.0.1:8000:8000") {
		t.Errorf("fix: %v", err)
	}
}
