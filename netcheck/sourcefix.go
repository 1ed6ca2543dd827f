package netcheck

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"localguard/envfix"
)

// Fixing a relay or a container at its source: the file that puts it on
// the network (a compose file, the frontend's package.json or Vite
// config), changed through the same preview, backup, atomic write and undo
// as the .env.

// PlanSourceFix plans the change to the file at path that stops it from
// putting FlowMeter on the network: a compose file publishes its ports on
// loopback; a package.json loses --host in the scripts that start Vite; a
// Vite config loses its plain server.host.
func PlanSourceFix(path string) (*envfix.Plan, error) {
	var p *envfix.Plan
	var err error
	switch sourceKind(path) {
	case "compose":
		p, err = envfix.PlanCompose(path)
	case "package":
		p, err = envfix.PlanPackageScripts(path)
	case "vite":
		p, err = envfix.PlanViteConfig(path)
	default:
		return nil, fmt.Errorf("%s is not a file Localguard can fix at the source: give a docker-compose.yaml (or compose.yaml), the frontend's package.json or its vite.config.*", path)
	}
	if errors.Is(err, envfix.ErrNoComposeFix) || errors.Is(err, envfix.ErrNoViteFix) {
		// Nothing to change: the file already keeps FlowMeter here.
		return envfix.PlanUnchanged(path)
	}
	return p, err
}

// sourceKind says which kind of source file a path names, "" none.
func sourceKind(path string) string {
	base := strings.ToLower(filepath.Base(path))
	switch {
	case base == "package.json":
		return "package"
	case strings.HasPrefix(base, "vite.config."):
		return "vite"
	case (strings.HasPrefix(base, "compose") || strings.HasPrefix(base, "docker-compose")) &&
		(strings.HasSuffix(base, ".yaml") || strings.HasSuffix(base, ".yml")):
		return "compose"
	}
	return ""
}

// sourceFixCommand is the command that fixes a source file.
func sourceFixCommand(path string) string { return "localguard fix --source " + shellQuote(path) }

// viteSource finds the file in a Vite's frontend folder that makes it
// listen beyond this computer, when Localguard can fix it there: a script
// of package.json that passes --host, else a plain server.host in the
// config. "" when none (a --host typed by hand).
func viteSource(frontend string, hostFlag bool) string {
	if frontend == "" {
		return ""
	}
	if hostFlag {
		p := filepath.Join(frontend, "package.json")
		if _, err := envfix.PlanPackageScripts(p); err == nil {
			return p
		}
		return ""
	}
	for _, n := range viteConfigNames {
		p := filepath.Join(frontend, n)
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if _, err := envfix.PlanViteConfig(p); err == nil {
			return p
		}
		return ""
	}
	return ""
}

// composeFileOf finds the compose file of a checkout whose backend folder
// is backend: FlowMeter's docker-compose.yaml sits beside backend/.
func composeFileOf(backend string) string {
	if backend == "" {
		return ""
	}
	root := filepath.Dir(backend)
	for _, n := range []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"} {
		p := filepath.Join(root, n)
		if info, err := os.Stat(p); err == nil && info.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// composeFinding warns of a compose file that publishes FlowMeter's ports
// on every address: `docker compose up` would put FlowMeter (and its web
// page server) on every network, whatever the .env says. The command is in
// the message: a finding's fix button fixes the .env.
func composeFinding(in *InstallFacts) *Finding {
	if in.ComposeFile == "" || len(in.ComposePublished) == 0 {
		return nil
	}
	return &Finding{Key: "docker-compose", Severity: SeverityWarning,
		Message: fmt.Sprintf("%s publishes %s on every address of this computer: started with docker compose up, FlowMeter can be reached from every network it is on, whatever the .env says (published ports also bypass ufw-style firewalls). Run %s to publish them on this computer only.",
			in.ComposeFile, joinWords(in.ComposePublished), sourceFixCommand(in.ComposeFile))}
}

// composeCache keeps what a compose file publishes while the file stays the
// same (its size and modification time), so a poll does not parse it again.
type composeCache struct {
	path  string
	mod   time.Time
	size  int64
	ports []string
}

// published returns path and the ports it publishes beyond loopback.
func (c *composeCache) published(path string) (string, []string) {
	if path == "" {
		return "", nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return "", nil
	}
	if c.path != path || !c.mod.Equal(info.ModTime()) || c.size != info.Size() {
		c.path, c.mod, c.size = path, info.ModTime(), info.Size()
		c.ports, _ = envfix.ComposePublished(path)
	}
	return path, c.ports
}
