package netcheck

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"localguard/envfix"
)

// ComposeTool is the Compose installed here, as a fix must write for it:
// Compose v2 (the docker compose plugin, or a docker-compose 2.x) accepts
// host_ip in long-syntax ports; docker-compose 1.x (Debian 12's 1.29)
// refuses it.
type ComposeTool struct {
	// Argv runs it: ["docker", "compose"] or ["docker-compose"]; nil when
	// no Compose is installed.
	Argv []string
	// Version is what it says of itself ("2.40.3", "1.29.2").
	Version string
}

// V2 reports whether it is Compose v2 or later, which knows host_ip.
func (t ComposeTool) V2() bool { return t.Argv != nil && !strings.HasPrefix(t.Version, "1.") }

// Name is how a person runs it: "docker compose" or "docker-compose".
func (t ComposeTool) Name() string {
	if t.Argv == nil {
		return "docker compose"
	}
	return strings.Join(t.Argv, " ")
}

// findComposeTool finds the installed Compose: the docker compose plugin
// first (as Docker's documentation has people run it), then
// docker-compose. A variable, so that tests choose one.
var findComposeTool = sync.OnceValue(func() ComposeTool {
	for _, argv := range [][]string{{"docker", "compose"}, {"docker-compose"}} {
		if v := composeVersion(argv); v != "" {
			return ComposeTool{Argv: argv, Version: v}
		}
	}
	return ComposeTool{}
})

// InstalledCompose is the Compose a fix writes for.
func InstalledCompose() ComposeTool { return findComposeTool() }

// composeVersion is what `ARGV version --short` says, "" when it does not
// run.
func composeVersion(argv []string) string {
	if _, err := exec.LookPath(argv[0]); err != nil {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, argv[0], append(argv[1:], "version", "--short")...).Output()
	v := strings.TrimPrefix(strings.TrimSpace(string(out)), "v")
	if err != nil || v == "" || v[0] < '0' || v[0] > '9' {
		return ""
	}
	return v
}

// checkWithCompose runs `config -q` of the installed Compose on the
// project with path's bytes replaced by after: a fix is written only when
// Compose itself reads the result. Nothing is checked (nil) when no
// Compose is installed.
func checkWithCompose(tool ComposeTool, project envfix.ComposeProject, path string, before, after []byte) error {
	if tool.Argv == nil {
		return nil
	}
	err := composeConfig(tool, project, path, after)
	if err != nil && composeConfig(tool, project, path, before) != nil {
		// Compose refuses the project as it is, too (a build folder not
		// there yet): the fix is not what it refuses.
		return nil
	}
	return err
}

// composeConfig runs `config -q` on the project with path's bytes
// replaced by b.
func composeConfig(tool ComposeTool, project envfix.ComposeProject, path string, b []byte) error {
	// The candidate sits beside the file, so that the paths in it (build
	// contexts, env_file) read as they will.
	tmp, err := os.CreateTemp(filepath.Dir(path), ".localguard-check-*"+filepath.Ext(path))
	if err != nil {
		return fmt.Errorf("cannot write a copy to check with %s: %w", tool.Name(), err)
	}
	defer os.Remove(tmp.Name())
	_, werr := tmp.Write(b)
	if err := tmp.Close(); werr != nil || err != nil {
		return fmt.Errorf("cannot write a copy to check with %s", tool.Name())
	}
	args := append([]string{}, tool.Argv[1:]...)
	// The project's files, the one fixed replaced by its candidate; a file
	// outside the project's list is checked alone.
	files := []string{tmp.Name()}
	if slices.ContainsFunc(project.Files, func(f string) bool { return sameFile(f, path) }) {
		files = nil
		for _, f := range project.Files {
			if sameFile(f, path) {
				f = tmp.Name()
			}
			files = append(files, f)
		}
	}
	for _, f := range files {
		args = append(args, "-f", f)
	}
	args = append(args, "--project-directory", project.Dir, "config", "-q")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, tool.Argv[0], args...)
	cmd.Dir = project.Dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(strings.ReplaceAll(stderr.String(), tmp.Name(), path))
		return fmt.Errorf("%s %s does not accept the fixed file (%s)", tool.Name(), tool.Version, firstLine(msg, err))
	}
	return nil
}

func sameFile(a, b string) bool {
	ia, err1 := os.Stat(a)
	ib, err2 := os.Stat(b)
	return err1 == nil && err2 == nil && os.SameFile(ia, ib)
}

// firstLine is Compose's complaint in one line (its first three, joined).
func firstLine(msg string, err error) string {
	if msg == "" {
		return err.Error()
	}
	lines := strings.Split(msg, "\n")
	if len(lines) > 3 {
		lines = lines[:3]
	}
	return strings.Join(strings.Fields(strings.Join(lines, " ")), " ")
}

// composeRecreate is the command that recreates a project's containers
// with its fixed compose files.
func composeRecreate(tool ComposeTool, project envfix.ComposeProject) string {
	return "cd " + shellQuote(project.Dir) + " && " + tool.Name() + " up -d"
}
