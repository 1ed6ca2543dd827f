package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// build is one way to build a package.
type build struct {
	cgo  bool
	tags string
}

func (b build) String() string {
	s := "CGO_ENABLED=0 go build"
	if b.cgo {
		s = "CGO_ENABLED=1 go build"
	}
	if b.tags != "" {
		s += " -tags " + b.tags
	}
	return s
}

// run builds pkg (relative to the module root) into out.
func (b build) run(h *harness, pkg, out string) error {
	args := []string{"build", "-o", out}
	if b.tags != "" {
		args = append(args, "-tags", b.tags)
	}
	cmd := exec.CommandContext(h.ctx, "go", append(args, pkg)...)
	cmd.Dir = h.root
	cgo := "CGO_ENABLED=0"
	if b.cgo {
		cgo = "CGO_ENABLED=1"
	}
	cmd.Env = append(os.Environ(), cgo)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("%s %s: %v: %s", b, pkg, err, firstLine(stderr.String()))
	}
	return nil
}

// buildLocalguard builds the command line as it is installed (without cgo
// and without Fyne: -tags nogui, see main.go), else as a desktop build.
func (h *harness) buildLocalguard() (string, error) {
	out := filepath.Join(h.dir, "bin", "localguard")
	var errs []string
	for _, b := range []build{{cgo: false, tags: "nogui"}, {cgo: true}} {
		h.logf("building localguard: %s", b)
		err := b.run(h, ".", out)
		if err == nil {
			h.report("localguard built with: %s", b)
			return out, nil
		}
		if h.ctx.Err() != nil {
			return "", h.ctx.Err()
		}
		errs = append(errs, err.Error())
	}
	return "", fmt.Errorf("could not build localguard: %s", strings.Join(errs, "; "))
}

// buildPeer builds the gopsutil peer (./testdata/bench/peer); it returns ""
// and reports why when it cannot, as when gopsutil v4 is not in go.mod.
func (h *harness) buildPeer() string {
	out := filepath.Join(h.dir, "bin", "gopsutil-peer")
	h.logf("building the gopsutil peer")
	if err := (build{}).run(h, "./testdata/bench/peer", out); err != nil {
		h.report("gopsutil peer: skipped (%v)", err)
		return ""
	}
	return out
}

// firstLine is the first non-empty line of s.
func firstLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return ""
}
