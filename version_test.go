package main

import (
	"os"
	"regexp"
	"testing"
)

// TestVersion: --version and version print the same one line, whose
// version is FyneApp.toml's (the one source), and exit 0; an argument is
// refused.
func TestVersion(t *testing.T) {
	toml, err := os.ReadFile("FyneApp.toml")
	if err != nil {
		t.Fatal(err)
	}
	want := tomlVersion(string(toml))
	if want == "" {
		t.Fatal("FyneApp.toml has no [Details] Version")
	}
	line := regexp.MustCompile(`^localguard (\S+) \((\S+), (\S+)\)\n$`)
	var first string
	for _, args := range [][]string{{"--version"}, {"version"}} {
		code, out, errw := runCLI(t, "", args...)
		if code != 0 || errw != "" {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errw)
		}
		m := line.FindStringSubmatch(out)
		if m == nil {
			t.Fatalf("%v printed %q, want localguard VERSION (COMMIT, BUILD-DATE)", args, out)
		}
		if version == "" && m[1] != want {
			t.Errorf("%v: version %q, FyneApp.toml says %q", args, m[1], want)
		}
		if first != "" && out != first {
			t.Errorf("version and --version differ: %q, %q", first, out)
		}
		first = out
	}
	if code, _, errw := runCLI(t, "", "version", "extra"); code != 3 || errw == "" {
		t.Errorf("version extra: exit %d, stderr %q; want 3 and a sentence", code, errw)
	}
}

func TestTOMLVersion(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"[Details]\nVersion = \"1.2.3\"\n", "1.2.3"},
		{"Version = \"9\"\n[Details]\n  Version=\"2.0.0\"  \n", "2.0.0"},
		{"[Other]\nVersion = \"1\"\n", ""},
	} {
		if got := tomlVersion(c.in); got != c.want {
			t.Errorf("tomlVersion(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
