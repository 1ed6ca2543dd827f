package netcheck

import (
	"bufio"
	"bytes"
	"cmp"
	"fmt"
	"maps"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
)

// The names a socket that answered HTTP (and not as FlowMeter) is asked
// for again: a relay that passes FlowMeter on only when the Host header
// is a name (an nginx server_name, an haproxy Host ACL) answers the
// address with 404 while a neighbour who types the name reads FlowMeter.
// The names are those a neighbour could use for this computer — its host
// name, its mDNS name (.local), its full name where a file says it, the
// names the hosts file gives its own addresses — and those the relays'
// configurations answer to (nginx server_name, haproxy Host ACLs). At most maxHostNames are
// asked; a name is only written in the request, never resolved.

// maxHostNames is how many names a socket is asked for, after the
// address: enough for a computer's names and a relay's virtual hosts,
// few enough that a round stays within its budget (each name is one
// request to a server that answered HTTP already).
const maxHostNames = 8

// hostNames are the names asked for in a round, and what the relays'
// configurations say of the names they pass FlowMeter on for.
type hostNames struct {
	names []string
	// vhosts are the server blocks of every nginx running, by the pid of
	// its master, and each haproxy's configuration read as one.
	vhosts map[int32][]nginxServer
	// files are the configuration files read for vhosts (see
	// configStamp).
	files []string
}

// hostNamesFor gathers the names for a round: from the nginx processes
// among args (their configuration, where readable) and this computer.
func hostNamesFor(args map[int32][]string, cwd func(int32) string, own func(netip.Addr) bool, fmPorts map[int]bool) hostNames {
	h := hostNames{vhosts: map[int32][]nginxServer{}}
	for pid, a := range args {
		switch {
		case isNginxMaster(a):
			servers, files := readNginxServersFiles(nginxConfPath(a, cwd(pid)))
			h.files = append(h.files, files...)
			if servers != nil {
				h.vhosts[pid] = servers
			}
		case isHAProxy(a):
			paths := haproxyConfPaths(a, cwd(pid))
			h.files = append(h.files, paths...)
			if s, ok := readHAProxy(paths); ok {
				h.vhosts[pid] = []nginxServer{s}
			}
		}
	}
	var toFlowMeter, others []string
	for _, pid := range slices.Sorted(maps.Keys(h.vhosts)) {
		for _, s := range h.vhosts[pid] {
			if s.passesTo(fmPorts) {
				toFlowMeter = append(toFlowMeter, s.exactNames()...)
			} else if len(s.targets) > 0 {
				others = append(others, s.exactNames()...)
			}
		}
	}
	all := slices.Concat(toFlowMeter, machineNames(hostsFile(), own), others)
	for _, n := range all {
		n = strings.ToLower(strings.TrimSuffix(n, "."))
		if n != "" && !slices.Contains(h.names, n) && len(h.names) < maxHostNames {
			h.names = append(h.names, n)
		}
	}
	return h
}

// isNginxMaster reports whether a command line is an nginx that reads a
// configuration (its master, or nginx run without one); workers are the
// master's.
func isNginxMaster(args []string) bool {
	switch {
	case len(args) == 0:
		return false
	case strings.HasPrefix(args[0], "nginx: "):
		return strings.HasPrefix(args[0], "nginx: master process")
	}
	return baseName(args[0]) == "nginx"
}

// passesTo reports whether the server passes requests to one of ports.
func (s nginxServer) passesTo(ports map[int]bool) bool {
	for _, t := range s.targets {
		if ports[t] {
			return true
		}
	}
	return false
}

// unsure says why a socket on port, which answered neither its address
// nor any of the names asked (h.names, or the first of them when the
// asking ended early) as FlowMeter, may still pass FlowMeter on to a
// neighbour who asks for another name, with the pid of the relay and
// FlowMeter's port (0 when its configuration chooses it by a variable);
// "" when no configuration read says so.
func (h hostNames) unsure(port int, fmPorts map[int]bool, asked []string) (why string, pid int32, target int) {
	if len(fmPorts) == 0 {
		return "", 0, 0
	}
	for _, p := range slices.Sorted(maps.Keys(h.vhosts)) {
		for _, s := range h.vhosts[p] {
			if !slices.Contains(s.ports, port) {
				continue
			}
			t := 0
			for _, x := range s.targets {
				if fmPorts[x] {
					t = x
					break
				}
			}
			if why := s.unsureWhy(t, asked, h.names); why != "" {
				return why, p, t
			}
		}
	}
	return "", 0, 0
}

// unsureWhy says why the server may pass FlowMeter's port t on for names
// that were not asked (of all, the names meant to be asked, only asked
// were); "" when every name it answers was.
func (s nginxServer) unsureWhy(t int, asked, all []string) string {
	switch {
	case s.varTarget:
		return "its configuration passes requests on to a place chosen at each request (a proxy_pass to a variable), and a FlowMeter runs on this computer"
	case t == 0:
		return ""
	case s.hostIf:
		return fmt.Sprintf("its configuration passes FlowMeter's port %d on, choosing by the name asked for in a way no list can hold (an if on $host, a pattern or map of names)", t)
	case !s.enumerable():
		return fmt.Sprintf("its configuration passes FlowMeter's port %d on for names no list can hold (server_name %s)", t, strings.Join(s.names, " "))
	}
	if !s.byDefault && (len(s.names) == 0 || slices.Contains(s.names, "")) {
		// server_name "" (nginx's default when none is written): the
		// requests that name no host at all (HTTP/1.0 without Host), which
		// Localguard never sends, reach it when it is not the default.
		return fmt.Sprintf("its configuration passes FlowMeter's port %d on for requests that name no host (server_name \"\")", t)
	}
	for _, n := range s.exactNames() {
		if slices.Contains(all, n) && !slices.Contains(asked, n) {
			return fmt.Sprintf("its configuration passes FlowMeter's port %d on for the name %s, and it stopped answering before Localguard had asked for that name", t, n)
		}
		if !slices.Contains(asked, n) {
			return fmt.Sprintf("its configuration passes FlowMeter's port %d on for more names than Localguard asks for (%d)", t, maxHostNames)
		}
	}
	return ""
}

// machineNames are the names a neighbour could use for this computer:
// its host name (and the short form), its mDNS name, its full name where
// a file says it (resolv.conf's domain, USERDNSDOMAIN on Windows, the
// hosts file), then the names the hosts file gives its own addresses.
func machineNames(hosts string, own func(netip.Addr) bool) []string {
	var out []string
	host, _ := os.Hostname()
	host = strings.ToLower(host)
	short, _, _ := strings.Cut(host, ".")
	if short != "" {
		out = append(out, host, short, short+".local")
		for _, d := range []string{resolvDomain("/etc/resolv.conf"), os.Getenv("USERDNSDOMAIN")} {
			if d != "" {
				out = append(out, short+"."+strings.ToLower(strings.Trim(d, ".")))
			}
		}
	}
	b, _ := os.ReadFile(hosts)
	network, loop := hostsNames(b, own)
	// The full names the hosts file gives this computer first.
	for _, n := range slices.Concat(network, loop) {
		if short != "" && strings.HasPrefix(n, short+".") {
			out = append(out, n)
		}
	}
	return slices.Concat(out, network, loop)
}

// hostsFile is the hosts file of this system.
func hostsFile() string {
	if runtime.GOOS == "windows" {
		return filepath.Join(cmp.Or(os.Getenv("SystemRoot"), `C:\Windows`), "System32", "drivers", "etc", "hosts")
	}
	return "/etc/hosts"
}

// hostsNames are the names a hosts file gives this computer's own
// addresses: those on a network, then loopback's.
func hostsNames(b []byte, own func(netip.Addr) bool) (network, loop []string) {
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line, _, _ := strings.Cut(sc.Text(), "#")
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		a, err := netip.ParseAddr(f[0])
		if err != nil || !own(a) {
			continue
		}
		for _, n := range f[1:] {
			n = strings.ToLower(n)
			if a.Unmap().IsLoopback() {
				loop = append(loop, n)
			} else {
				network = append(network, n)
			}
		}
	}
	return network, loop
}

// resolvDomain is the domain resolv.conf names for this computer (its
// "domain" line, else the first "search" domain), "" when none.
func resolvDomain(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	var search string
	for line := range strings.Lines(string(b)) {
		f := strings.Fields(line)
		switch {
		case len(f) < 2:
		case f[0] == "domain":
			return f[1]
		case f[0] == "search" && search == "":
			search = f[1]
		}
	}
	return search
}

// configStamp is what the files (the relays' configurations read for the
// names) and their folders are like now: size and modification time, or
// their absence. An edit, a file put beside them (an include's pattern) or
// one removed changes it, and then what those relays serve for a name may
// have changed while their sockets lived (nginx -s reload keeps them).
func configStamp(files []string) string {
	var b strings.Builder
	seen := map[string]bool{}
	for _, f := range files {
		for _, p := range []string{f, filepath.Dir(f)} {
			if seen[p] {
				continue
			}
			seen[p] = true
			if st, err := os.Stat(p); err == nil {
				fmt.Fprintf(&b, "%s\x00%d\x00%d\n", p, st.Size(), st.ModTime().UnixNano())
			} else {
				fmt.Fprintf(&b, "%s\x00-\n", p)
			}
		}
	}
	return b.String()
}
