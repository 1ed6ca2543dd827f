package netcheck

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"localguard/envfix"
)

// ComposePorts is one compose file of a checkout and the ports it
// publishes beyond loopback as Compose reads them (variables
// interpolated), as written: "backend: 8000:8000".
type ComposePorts struct {
	File      string
	Published []string
}

// composeProjectOf is the Compose project of a checkout whose backend
// folder is backend (FlowMeter's docker-compose.yaml sits beside
// backend/), read with the environment environ.
func composeProjectOf(backend string, environ []string) envfix.ComposeProject {
	if backend == "" {
		return envfix.ComposeProject{}
	}
	return envfix.FindComposeProject(filepath.Dir(backend), environ)
}

// composeFileOf is the compose file of a checkout to name in advice: the
// first that publishes beyond loopback, else the first; "" none.
func composeFileOf(backend string) string {
	p := composeProjectOf(backend, os.Environ())
	for _, f := range p.Files {
		if ports, _ := envfix.ComposePublished(f, p.Lookup); len(ports) > 0 {
			return f
		}
	}
	if len(p.Files) > 0 {
		return p.Files[0]
	}
	return ""
}

// composeRisk is what `docker compose up` would do with the checkout's
// compose files when they publish FlowMeter beyond loopback, and the
// commands that fix them; "" when none does.
func composeRisk(in *InstallFacts) string {
	var files, ports, cmds []string
	for _, c := range in.Compose {
		if len(c.Published) == 0 {
			continue
		}
		files = append(files, c.File)
		ports = append(ports, c.Published...)
		cmds = append(cmds, sourceFixCommand(c.File))
	}
	if len(files) == 0 {
		return ""
	}
	return fmt.Sprintf("Started with docker compose up, FlowMeter could be reached from every network this computer is on: %s publish%s %s on every address, whatever the .env says (published ports also bypass ufw-style firewalls). Run %s to publish them on this computer only.",
		joinWords(files), map[bool]string{true: "es", false: ""}[len(files) == 1], joinWords(ports), joinWords(cmds))
}

// composeFinding lists, for the findings, each compose file that publishes
// FlowMeter's ports on every address and the command that fixes it (the
// verdict's message says what docker compose up would do). The command is
// in the message: a finding's fix button fixes the .env.
func composeFinding(in *InstallFacts) *Finding {
	var parts []string
	for _, c := range in.Compose {
		if len(c.Published) > 0 {
			parts = append(parts, fmt.Sprintf("%s publishes %s on every address (%s fixes it)", c.File, joinWords(c.Published), sourceFixCommand(c.File)))
		}
	}
	if len(parts) == 0 {
		return nil
	}
	return &Finding{Key: "docker-compose", Severity: SeverityWarning, Message: upperFirst(strings.Join(parts, "; ")) + "."}
}

// composeCache keeps what each compose file publishes while the file (and
// the project's .env, whose variables it reads) stays the same, so a poll
// does not parse it again.
type composeCache struct {
	files map[string]composeEntry
}

type composeEntry struct {
	stamp string
	ports []string
}

// published lists the checkout's compose files with the ports each
// publishes beyond loopback.
func (c *composeCache) published(p envfix.ComposeProject, environ []string) []ComposePorts {
	if c.files == nil {
		c.files = map[string]composeEntry{}
	}
	dotenv := stampOf(filepath.Join(p.Dir, ".env"))
	var out []ComposePorts
	for _, f := range p.Files {
		stamp := stampOf(f) + "|" + dotenv + "|" + strings.Join(environ, "\x00")
		e, ok := c.files[f]
		if !ok || e.stamp != stamp {
			e.stamp = stamp
			var err error
			if e.ports, err = envfix.ComposePublished(f, p.Lookup); err != nil {
				e.ports = []string{fmt.Sprintf("(%s cannot be read: %v)", filepath.Base(f), err)}
			}
			c.files[f] = e
		}
		out = append(out, ComposePorts{File: f, Published: e.ports})
	}
	return out
}

// stampOf is a file's size and modification time, "" when it is missing.
func stampOf(path string) string {
	info, err := os.Stat(path)
	if err != nil {
		return ""
	}
	return fmt.Sprint(info.Size(), info.ModTime().UnixNano())
}
