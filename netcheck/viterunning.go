package netcheck

import (
	"context"
	"fmt"
	"path/filepath"
	"strings"

	"localguard/envfix"
	"localguard/netcheck/system"
)

// runningVite is a Vite dev server running in a frontend folder, with
// where it listens.
type runningVite struct {
	pid     int32
	cmdline string
	environ []string
	hostSet bool // started with --host
	// beyond lists its listening addresses beyond loopback.
	beyond []string
}

// runningVites lists the Vite dev servers running in the folder dir, as
// this user may see them (another user's environment may not be read).
func runningVites(ctx context.Context, dir string) []runningVite {
	sys := system.New()
	socks, err := sys.Listeners(ctx)
	if err != nil {
		return nil
	}
	byInode := map[uint64]system.Socket{}
	for _, s := range socks {
		byInode[s.Inode] = s
	}
	want := resolveDir(dir)
	var out []runningVite
	for _, pid := range sys.PIDs() {
		args := sys.Args(pid)
		line := readCommandLine("", args)
		if line.start != StartVite || resolveDir(sys.Cwd(pid)) != want {
			continue
		}
		v := runningVite{pid: pid, cmdline: strings.Join(args, " "), environ: sys.Environ(pid), hostSet: line.hostSet}
		for _, ino := range sys.Sockets(pid) {
			if s, ok := byInode[ino]; ok && !s.Addr.IsLoopback() {
				v.beyond = append(v.beyond, fmt.Sprintf("%s port %d", s.Addr, s.Port))
			}
		}
		out = append(out, v)
	}
	return out
}

// planViteSource plans the fix of a Vite config or package.json in a
// frontend folder, judged with the environment of the Vite running there
// (when one runs and its environment may be read), and refuses "nothing to
// change" while a Vite started there listens beyond this computer.
func planViteSource(path string, kind string) (*envfix.Plan, error) {
	vites := runningVites(context.Background(), filepath.Dir(path))
	var p *envfix.Plan
	var err error
	if kind == "vite" {
		var env []string
		known := false
		for _, v := range vites {
			if v.environ != nil {
				env, known = v.environ, true
				break
			}
		}
		p, err = envfix.PlanViteConfigIn(path, env, known)
	} else {
		p, err = envfix.PlanPackageScripts(path)
	}
	if !isNothingToFix(err) {
		return p, err
	}
	for _, v := range vites {
		if len(v.beyond) == 0 {
			continue
		}
		why := "though its config keeps it on this computer"
		if v.hostSet {
			why = "because it was started with --host (on its command line, not in " + filepath.Base(path) + ")"
		}
		return nil, fmt.Errorf("the Vite dev server (pid %d: %s), started in %s, listens on %s %s: stop it and start it again without --host (npm run dev), then check again: %w",
			v.pid, v.cmdline, filepath.Dir(path), joinWords(v.beyond), why, envfix.ErrNoSafeEdit)
	}
	return p, err
}
