package relay

import (
	"bytes"
	"cmp"
	"io"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"localguard/netcheck/internal/argv"
	"localguard/netcheck/system"
)

// Listeners on ports Localguard never connects to (raw printing,
// industrial control: see netcheck/ask's NeverSend) cannot be asked what
// they serve, so a relay there shows only while it holds a connection to
// FlowMeter. Their holders are looked at instead: a command line, or a
// file it names, that names one of FlowMeter's ports on this computer is
// evidence that the listener passes FlowMeter on. Such a listener is then
// a relay that could not be checked, never safe; one without such evidence
// is left alone (a printer's spooler).

// quietHolder is what was read of a quiet listener's holder, kept while
// the socket lives.
type quietHolder struct {
	pid  int32
	args []string
	// cmdPorts are the ports on this computer its command line points
	// at, filePorts those of the files it names.
	cmdPorts, filePorts []int
}

// maxConfigSize is the largest file a holder's command line names that is
// read for evidence: configurations and scripts, not data.
const maxConfigSize = 1 << 20

// hostPortRE finds an address on this computer followed by a port, as
// configurations and scripts write them: 127.0.0.1:8000, localhost 8000
// (rinetd), [::1]:8000, ("127.0.0.1", 8000) (a Python script).
var hostPortRE = lazyRE(`(?i)(localhost|ip6-localhost|\[[0-9a-f:.]+\]|::1|\d{1,3}(?:\.\d{1,3}){3})["']?(?:\s*,\s*|\s+|:)["']?(\d{1,5})\b`)

// quietRelays are the listeners beyond loopback on never-asked ports whose
// holders name one of FlowMeter's ports (targets): each a proxy to that
// port, seen by its command line or its config.
func (r *Scanner) quietRelays(targets map[int]bool, fmInodes map[uint64]bool) []Found {
	if r.NotAsked == nil {
		return nil
	}
	kept := map[uint64]quietHolder{}
	var out []Found
	for _, s := range r.listening {
		if _, never := r.NotAsked(s.Port); !never || s.Addr.IsLoopback() || fmInodes[s.Inode] {
			continue
		}
		h, ok := r.quiet[s.Inode]
		if !ok {
			h = r.readQuiet(s)
		}
		kept[s.Inode] = h
		if f, ok := r.quietFound(s, h, targets); ok {
			out = append(out, f)
		}
	}
	r.quiet = kept
	return out
}

// quietFound is a quiet listener as a relay when its holder names one of
// FlowMeter's ports.
func (r *Scanner) quietFound(s system.Socket, h quietHolder, targets map[int]bool) (Found, bool) {
	seen, target := ByCommandLine, firstTarget(h.cmdPorts, targets)
	if target == 0 {
		seen, target = ByConfig, firstTarget(h.filePorts, targets)
	}
	if target == 0 || h.pid == 0 || h.pid == r.selfPID {
		return Found{}, false
	}
	p := r.procs[h.pid]
	if p == nil {
		p = &relayProc{args: h.args, line: readLine(h.args, r.own)}
	}
	f := r.found(h.pid, p)
	f.Program = cmp.Or(p.line.prog, f.Name)
	f.Kind, f.Socket, f.TargetPort, f.Seen = Proxy, s, target, seen
	return f, true
}

func firstTarget(ports []int, targets map[int]bool) int {
	for _, p := range ports {
		if targets[p] {
			return p
		}
	}
	return 0
}

// readQuiet finds a quiet listener's holder and reads the ports its
// command line and the files it names point at.
func (r *Scanner) readQuiet(s system.Socket) quietHolder {
	pid := s.PID
	if pid == 0 {
		pid = r.holderOf(s.Inode)
	}
	if pid == 0 {
		return quietHolder{}
	}
	h := quietHolder{pid: pid, args: r.sys.Args(pid)}
	h.cmdPorts = argPorts(h.args, r.own)
	for _, path := range namedFiles(h.args, r.sys.Cwd(pid), r.sys.Root(pid)) {
		h.filePorts = append(h.filePorts, filePorts(path, r.own)...)
	}
	return h
}

// holderOf is the process holding a listening socket, the topmost of its
// ancestors that holds it too; 0 when no process this user may see does.
func (r *Scanner) holderOf(inode uint64) int32 {
	pids := slices.Clone(r.sys.PIDs())
	slices.SortFunc(pids, func(a, b int32) int { return int(b) - int(a) })
	for _, pid := range pids {
		if !slices.Contains(r.sys.Sockets(pid), inode) {
			continue
		}
		for range 8 {
			st, err := r.sys.Stat(pid)
			if err != nil || st.PPID <= 1 || !slices.Contains(r.sys.Sockets(st.PPID), inode) {
				break
			}
			pid = st.PPID
		}
		return pid
	}
	return 0
}

// argPorts are the ports on this computer a command line points at: what
// a relay program's line says, any host:port of this computer in an
// argument (TCP:127.0.0.1:8000 of a renamed socat), and bare port numbers
// (a script's `proxy.py 9100 8000`).
func argPorts(args []string, own func(netip.Addr) bool) []int {
	if len(args) == 0 {
		return nil
	}
	out := slices.Clone(readLine(args, own).targets)
	for _, a := range args[1:] {
		out = append(out, textPorts(a, own)...)
		v := a
		if _, after, ok := strings.Cut(a, "="); ok && strings.HasPrefix(a, "-") {
			v = after
		}
		if n := argv.Atoi(strings.TrimPrefix(v, ":")); n > 0 {
			out = append(out, n)
		}
	}
	return out
}

// textPorts are the ports of the addresses of this computer in text.
func textPorts(text string, own func(netip.Addr) bool) []int {
	var out []int
	for _, m := range hostPortRE().FindAllStringSubmatch(text, -1) {
		if isLocalName(strings.Trim(m[1], "[]"), own) {
			if n := argv.Atoi(m[2]); n > 0 {
				out = append(out, n)
			}
		}
	}
	return out
}

// namedFiles are the regular files a command line names (its arguments,
// the value of an --opt=file, relative to the process's folder), and the
// configuration a known program reads when none is named (rinetd's
// /etc/rinetd.conf, haproxy's and nginx's); seen through root, the path
// through which the process's files are seen ("" when they are ours).
func namedFiles(args []string, cwd, root string) []string {
	if len(args) == 0 {
		return nil
	}
	var names []string
	for _, a := range args[1:] {
		if _, after, ok := strings.Cut(a, "="); ok && strings.HasPrefix(a, "-") {
			a = after
		}
		if a != "" && !strings.HasPrefix(a, "-") {
			names = append(names, a)
		}
	}
	if _, ok := argv.Flag(args[1:], "-c"); !ok && argv.Base(args[0]) == "rinetd" {
		names = append(names, "/etc/rinetd.conf")
	}
	var out []string
	for _, n := range names {
		if !filepath.IsAbs(n) {
			if cwd == "" {
				continue
			}
			n = filepath.Join(cwd, n)
		}
		p := root + n
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() && !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

// filePorts are the ports of the addresses of this computer a file names,
// read up to maxConfigSize; none from a file that is not text.
func filePorts(path string, own func(netip.Addr) bool) []int {
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxConfigSize))
	if err != nil || bytes.IndexByte(b, 0) >= 0 {
		return nil
	}
	return textPorts(string(b), own)
}
