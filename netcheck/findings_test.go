package netcheck

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"localguard/envfix"
)

// TestErrorFindings: a value FlowMeter refuses is an error finding; it
// offers a fix command only when a value is clearly right, and fixing one
// that has none says why instead of writing anything.
func TestErrorFindings(t *testing.T) {
	path := filepath.Join(t.TempDir(), ".env")
	content := "PORT=80a0\nDEBUG=maybe\n"
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	c := &Checker{EnvPath: path, Environ: []string{"MAX_FILE_SIZE_MB=big"}}
	f, err := c.cache.load(path, c.Environ)
	if err != nil {
		t.Fatal(err)
	}
	got := findings(f.Reading, path)
	if len(got) != 3 {
		t.Fatalf("findings %+v", got)
	}
	checkRefusedValueFindings(t, got)
	if !strings.Contains(got[1].Message, "line 1 of "+path+" sets PORT=80a0") {
		t.Errorf("PORT finding does not name its line: %q", got[1].Message)
	}
	if m := got[2].Message; strings.Contains(m, "unset it") && strings.Count(m, "environment variable") > 1 {
		t.Errorf("environment sentence added twice: %q", m)
	}
	checkPlanFindings(t, c, path, content)
}

// checkRefusedValueFindings wants every finding an error that says FlowMeter
// will not start, with a fix command only for DEBUG (the one value that is
// clearly right).
func checkRefusedValueFindings(t *testing.T, got []Finding) {
	t.Helper()
	for _, g := range got {
		if g.Severity != "error" || !strings.HasPrefix(g.Message, "FlowMeter will not start") {
			t.Errorf("finding %+v", g)
		}
		if wantFix := g.Key == "DEBUG"; (g.Fix != "") != wantFix {
			t.Errorf("%s: fix command %q", g.Key, g.Fix)
		}
	}
}

// checkPlanFindings wants PORT refused with the reason and DEBUG planned,
// and the file at path still its content after planning.
func checkPlanFindings(t *testing.T, c *Checker, path, content string) {
	t.Helper()
	if _, err := c.PlanFinding("PORT"); !errors.Is(err, envfix.ErrNoSafeEdit) || !strings.Contains(err.Error(), "PORT=80a0") {
		t.Errorf("PlanFinding(PORT): %v", err)
	}
	p, err := c.PlanFinding("DEBUG")
	if err != nil || !strings.Contains(string(p.After), "DEBUG=false\n") {
		t.Fatalf("PlanFinding(DEBUG): %v", err)
	}
	if b, _ := os.ReadFile(path); string(b) != content {
		t.Errorf("planning changed the file: %q", b)
	}
}
