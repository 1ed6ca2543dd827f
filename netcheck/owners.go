package netcheck

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"localguard/netcheck/system"
)

// StartStyle says how the process that owns a FlowMeter socket was started,
// which decides where its address comes from (FLOWMETER.md, "How FlowMeter
// is started").
type StartStyle string

// The ways FlowMeter is started.
const (
	// StartPythonModule is `python -m app.main` or `python app/main.py`:
	// the address comes from FlowMeter's settings (environment, .env,
	// default 0.0.0.0).
	StartPythonModule StartStyle = "python-module"
	// StartUvicorn is `uvicorn app.main:app` (also `python -m uvicorn`):
	// the address comes from --host, else UVICORN_HOST, else 127.0.0.1.
	StartUvicorn StartStyle = "uvicorn"
	// StartGunicorn is `gunicorn app.main:app`: the address comes from
	// --bind, else 127.0.0.1:8000 (0.0.0.0:$PORT when PORT is set).
	StartGunicorn StartStyle = "gunicorn"
	// StartPackaged is the released FlowMeter / FlowMeter.exe (built from
	// run.py): always 127.0.0.1, PORT from the settings.
	StartPackaged StartStyle = "packaged"
	// StartRunPy is `python run.py` in the backend: like the released
	// binary, always 127.0.0.1.
	StartRunPy StartStyle = "run.py"
	// StartContainer is a container runtime's port publisher (docker-proxy,
	// rootlessport, ...) holding the socket for a container.
	StartContainer StartStyle = "container"
	// StartVite is the frontend's Vite dev server, which proxies /api to
	// the backend.
	StartVite StartStyle = "vite"
	// StartUnknown is any other command line.
	StartUnknown StartStyle = "unknown"
)

// Owner is the process that holds a listening socket, as far as this user
// may see it: fields it may not read are left empty.
type Owner struct {
	PID int32
	// Name is the executable's name (Linux: /proc/PID/comm, at most 15
	// bytes).
	Name string
	// Args is the command line, one element per argument; nil when unreadable.
	Args []string
	// Cmdline is Args joined by spaces, for people.
	Cmdline string
	// Cwd is the working directory, "" when it may not be read (a process
	// of another user).
	Cwd string
	// Environ is the environment the process started with (NAME=value), nil
	// when it may not be read.
	Environ []string
	// Start is how the process was started.
	Start StartStyle
	// HostFlag is the host part of the address flag on the command line:
	// uvicorn's --host, gunicorn's --bind/-b (port and brackets dropped),
	// Vite's --host, docker-proxy's -host-ip; the last one when repeated
	// (gunicorn binds every --bind given). Meaningful only when
	// HostFlagSet; a bare Vite --host gives "" (every address).
	HostFlag    string
	HostFlagSet bool
	// Container names the container the process runs in ("Docker
	// container 0123456789ab"), "" when none is known.
	Container string
}

// Getenv returns the value of the variable name in the owner's environment,
// and whether it is set there. It is always unset when Environ is nil.
func (o *Owner) Getenv(name string) (string, bool) { return getenv(o.Environ, name) }

// proc is a process as a scan sees it.
type proc struct {
	pid   int32
	name  string
	args  []string
	cwd   string
	line  commandLine
	stat  system.ProcStat
	known bool // stat read

	// root is where the process's files are seen from: "" when it shares
	// this mount namespace, else its root (/proc/PID/root).
	root string
	// cwdGone: its working folder was deleted after it started.
	cwdGone bool
	// backend is the FlowMeter backend folder the process runs (in this
	// mount namespace's words), "" when none is known.
	backend string
	// settingsDir is the folder whose .env it read at start, "" unknown.
	settingsDir string
}

// candidates are the processes that may hold FlowMeter's sockets:
// FlowMeter's entry points wherever they run, Python servers that run a
// FlowMeter backend (by working folder, command line or PYTHONPATH), and
// container port publishers.
func (s *Scanner) candidates(k *hintSet) []*proc {
	var out []*proc
	pids := s.sys.PIDs()
	args := make(map[int32][]string, len(pids))
	defer func() { s.args, s.pids, s.pidsAt = args, pids, time.Now() }()
	for _, pid := range pids {
		p := &proc{pid: pid}
		p.args = s.sys.Args(pid)
		args[pid] = p.args
		name := ""
		if len(p.args) == 0 {
			// Kernel threads and zombies have no command line; only the
			// name can tell a packaged FlowMeter or a port publisher.
			st, err := s.sys.Stat(pid)
			if err != nil {
				continue
			}
			p.stat, p.known, name = st, true, st.Name
		}
		p.line = readCommandLine(name, p.args)
		if p.line.start == StartContainer {
			out = append(out, p)
			continue
		}
		if !p.line.entry && !p.line.python {
			continue
		}
		s.place(p, k)
		if p.line.entry || p.backend != "" {
			out = append(out, p)
		}
	}
	return out
}

// place finds where a candidate runs: its working folder, the mount
// namespace it sees, and the FlowMeter backend it runs (which install it
// belongs to) and whose .env it read.
func (s *Scanner) place(p *proc, k *hintSet) {
	p.root = s.sys.Root(p.pid)
	cwd := s.sys.Cwd(p.pid)
	if c, ok := strings.CutSuffix(cwd, " (deleted)"); ok {
		cwd, p.cwdGone = c, true
	}
	p.cwd = cwd
	if !p.cwdGone && cwd != "" && p.placeInCwd(k) {
		return
	}
	// Started from elsewhere: the backend may be named on the command line
	// (--app-dir, a script path) or on PYTHONPATH.
	dirs := namedDirs(p.args, cwd)
	if p.line.python || p.line.entry {
		dirs = append(dirs, s.pythonPath(p.pid, cwd)...)
	}
	for _, dir := range dirs {
		if b, _ := k.known(p.root, dir); b != "" {
			p.backend = b
			return
		}
		if p.root == "" && isBackend(dir) {
			p.backend = dir
			return
		}
	}
}

// placeInCwd places a process by its working folder, whose .env it reads
// (when it sees this computer's files): a known install's backend or
// frontend, or a backend folder. It reports whether the folder is one.
func (p *proc) placeInCwd(k *hintSet) bool {
	if p.root == "" {
		p.settingsDir = p.cwd
	}
	if b, frontend := k.known(p.root, p.cwd); b != "" {
		p.backend = b
		if !frontend {
			p.settingsDir = b
		}
		return true
	}
	if p.root == "" && isBackend(p.cwd) {
		p.backend = p.cwd
		return true
	}
	return false
}

// pythonPath lists the folders on a process's PYTHONPATH, relative ones
// taken from its working folder cwd.
func (s *Scanner) pythonPath(pid int32, cwd string) []string {
	v, ok := getenv(s.sys.Environ(pid), "PYTHONPATH")
	if !ok {
		return nil
	}
	var dirs []string
	for _, dir := range filepath.SplitList(v) {
		if dir != "" && !filepath.IsAbs(dir) && cwd != "" {
			dir = filepath.Join(cwd, dir)
		}
		if dir != "" {
			dirs = append(dirs, dir)
		}
	}
	return dirs
}

// isBackend reports whether dir is a FlowMeter backend folder: it holds
// the app package with FlowMeter's entry module.
func isBackend(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "app", "main.py"))
	return err == nil
}

// namedDirs lists the folders a command line names: the values of options
// that are paths, and the folders of the paths it names (up to the
// backend that holds app/), resolved against cwd.
func namedDirs(args []string, cwd string) []string {
	var out []string
	for _, a := range args {
		if _, v, ok := strings.Cut(a, "="); ok && strings.HasPrefix(a, "-") {
			a = v
		}
		if a == "" || strings.HasPrefix(a, "-") || !strings.ContainsAny(a, `/\`) {
			continue
		}
		if !filepath.IsAbs(a) {
			if cwd == "" {
				continue
			}
			a = filepath.Join(cwd, a)
		}
		// backend/app/main.py, backend/run.py, backend/: the backend is
		// the path itself or one of its parents.
		for d, i := filepath.Clean(a), 0; i < 3; d, i = filepath.Dir(d), i+1 {
			out = append(out, d)
		}
	}
	return out
}

func getenv(env []string, name string) (string, bool) {
	for _, kv := range env {
		if k, v, ok := strings.Cut(kv, "="); ok && k == name {
			return v, true
		}
	}
	return "", false
}

// within reports whether path is dir or inside it.
func within(path, dir string) bool {
	if path == "" || dir == "" {
		return false
	}
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}

// pickOwner chooses, among the processes sharing a socket, the one a person
// would stop: started as FlowMeter rather than a helper, and topmost in the
// process tree (the uvicorn reloader, the gunicorn master).
func (s *Scanner) pickOwner(hs []*proc) *proc {
	if len(hs) == 1 {
		s.fillStat(hs[0])
		return hs[0]
	}
	pids := map[int32]bool{}
	for _, p := range hs {
		s.fillStat(p)
		pids[p.pid] = true
	}
	best := hs[0]
	for _, p := range hs[1:] {
		if better(p, best, pids) {
			best = p
		}
	}
	return best
}

// better reports whether p is a better owner than q for a shared socket.
func better(p, q *proc, holders map[int32]bool) bool {
	if p.line.entry != q.line.entry {
		return p.line.entry
	}
	if pTop, qTop := !holders[p.stat.PPID], !holders[q.stat.PPID]; pTop != qTop {
		return pTop
	}
	if p.stat.PPID == q.pid {
		return false
	}
	if q.stat.PPID == p.pid {
		return true
	}
	return p.pid < q.pid
}

func (s *Scanner) fillStat(p *proc) {
	if !p.known {
		if st, err := s.sys.Stat(p.pid); err == nil {
			p.stat = st
		}
		p.known = true
	}
	if p.name == "" {
		p.name = p.stat.Name
	}
}

// containerPublisher finds the port publisher whose command line says it
// holds sk, for when its descriptors may not be read (docker-proxy runs as
// root).
func containerPublisher(procs []*proc, sk system.Socket) *proc {
	for _, p := range procs {
		if p.line.start != StartContainer || !p.line.hostSet {
			continue
		}
		hostPort, _ := flagValue(p.args[1:], "-host-port", "--host-port")
		if atoiOr0(hostPort) != sk.Port {
			continue
		}
		if a, err := netip.ParseAddr(p.line.host); err == nil && a == sk.Addr.Unmap() {
			return p
		}
	}
	return nil
}

// ownerOf is the Owner of a process, with its environment.
func (s *Scanner) ownerOf(p *proc) *Owner {
	s.fillStat(p)
	o := &Owner{
		PID:         p.pid,
		Name:        p.name,
		Args:        p.args,
		Cmdline:     strings.Join(p.args, " "),
		Cwd:         p.cwd,
		Environ:     s.sys.Environ(p.pid),
		Start:       p.line.start,
		HostFlag:    p.line.host,
		HostFlagSet: p.line.hostSet,
	}
	if o.Name == "" && len(p.args) > 0 {
		o.Name = baseName(p.args[0])
	}
	return o
}

// holderOf finds a process this user may see that holds the socket, reading
// the descriptors of every process.
func (s *Scanner) holderOf(inode uint64, k *hintSet) *proc {
	for _, pid := range s.sys.PIDs() {
		if slices.Contains(s.sys.Sockets(pid), inode) {
			p := &proc{pid: pid, args: s.sys.Args(pid)}
			s.fillStat(p)
			p.line = readCommandLine(p.stat.Name, p.args)
			s.place(p, k)
			return p
		}
	}
	return nil
}
