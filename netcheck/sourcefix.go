package netcheck

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"localguard/envfix"
	fmrelay "localguard/netcheck/relay"
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
		p, err = planCompose(path)
	case "package", "vite":
		p, err = planViteSource(path, sourceKind(path))
	default:
		return nil, fmt.Errorf("%s is not a file Localguard can fix at the source: give a docker-compose.yaml (or compose.yaml), the frontend's package.json or its vite.config.*", path)
	}
	if isNothingToFix(err) {
		// Nothing to change: the file already keeps FlowMeter here.
		return envfix.PlanUnchanged(path)
	}
	return p, err
}

// isNothingToFix reports whether a source plan found nothing to change.
func isNothingToFix(err error) bool {
	return errors.Is(err, envfix.ErrNoComposeFix) || errors.Is(err, envfix.ErrNoViteFix)
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
	for _, n := range fmrelay.ViteConfigNames {
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

// planCompose plans publishing the compose file's ports on loopback, as
// the installed Compose accepts it (host_ip only for Compose v2), with the
// variables Compose would read, and has that Compose read the result
// (config) before it is offered.
func planCompose(path string) (*envfix.Plan, error) {
	tool := InstalledCompose()
	abs, _ := filepath.Abs(path)
	project := envfix.FindComposeProject(filepath.Dir(abs), os.Environ())
	p, err := envfix.PlanComposeWith(path, envfix.ComposeOptions{Lookup: project.Lookup, HostIP: tool.V2()})
	if err != nil {
		return p, err
	}
	if err := checkWithCompose(tool, project, abs, p.Before, p.After); err != nil {
		return nil, fmt.Errorf("%s was not changed: %v: edit it by hand: %w", path, err, envfix.ErrNoSafeEdit)
	}
	return p, nil
}

// SourceFixNext is what makes a source fix take effect, for people: for
// a compose file, "recreate it with `docker compose up -d`" (the installed
// Compose's command, in the project's folder).
func SourceFixNext(path string) string {
	if sourceKind(path) != "compose" {
		return "Restart what it starts for the change to take effect."
	}
	abs, _ := filepath.Abs(path)
	project := envfix.FindComposeProject(filepath.Dir(abs), os.Environ())
	return fmt.Sprintf("The containers still run as they were started: recreate them with `%s` for the change to take effect.", composeRecreate(InstalledCompose(), project))
}
