package netcheck

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// Reading an haproxy configuration for the names its Host ACLs match, as
// nginx's server_name is read (servednginx.go): which ports it binds, the
// names it compares the Host header with exactly, whether it matches
// names in a way no list can hold (a prefix, suffix, substring, regular
// expression, a file or map of names), and the ports of this computer its
// servers are on. One configuration reads as one virtual host: haproxy
// chooses a backend by ACLs anywhere in a frontend, so the names and the
// backends are not tied apart here (an exact name is only asked; the
// judgement is the answer).

// haproxyConfPaths are the files an haproxy command line names with -f
// (a folder: its *.cfg files), else haproxy's default.
func haproxyConfPaths(args []string, cwd string) []string {
	var out []string
	for i := 0; i+1 < len(args); i++ {
		if args[i] != "-f" {
			continue
		}
		p := args[i+1]
		if !filepath.IsAbs(p) {
			p = filepath.Join(cwd, p)
		}
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			m, _ := filepath.Glob(filepath.Join(p, "*.cfg"))
			out = append(out, m...)
			continue
		}
		out = append(out, p)
	}
	if len(out) == 0 {
		out = []string{"/etc/haproxy/haproxy.cfg"}
	}
	return out
}

// readHAProxy reads the configuration files as one virtual host; ok is
// false when none could be read.
func readHAProxy(paths []string) (nginxServer, bool) {
	s := nginxServer{byDefault: true}
	read := false
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		read = true
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 0, 4096), 1<<20)
		for sc.Scan() {
			line, _, _ := strings.Cut(sc.Text(), "#")
			s.haproxyLine(strings.Fields(line))
		}
	}
	return s, read
}

// haproxyLine reads one line's binds, servers and Host matches.
func (s *nginxServer) haproxyLine(f []string) {
	if len(f) < 2 {
		return
	}
	switch f[0] {
	case "bind":
		for _, a := range strings.Split(f[1], ",") {
			if p := haproxyBindPort(a); p != 0 {
				s.ports = append(s.ports, p)
			}
		}
	case "server":
		if len(f) >= 3 {
			if p := localPort(f[2], 0); p != 0 {
				s.targets = append(s.targets, p)
			}
		}
	}
	for i, w := range f {
		if exact, ok := haproxyHostFetch(w); ok {
			s.haproxyMatch(exact, f[i+1:])
		}
	}
}

// haproxyHostFetch reports whether w fetches the Host header, and whether
// its match is exact (hdr(host), req.hdr(host), hdr_dom(host)) rather
// than by pattern (hdr_beg, hdr_end, hdr_sub, hdr_reg, hdr_len...).
func haproxyHostFetch(w string) (exact, ok bool) {
	w = strings.ToLower(w)
	if !strings.Contains(w, "(host") {
		return false, false
	}
	i := strings.Index(w, "hdr")
	if i < 0 {
		return false, false
	}
	fetch, _, _ := strings.Cut(w[i:], "(") // "req.hdr(", "%[req.hdr(": the fetch
	switch fetch {
	case "hdr", "hdr_dom", "hdr_str", "hdr_ip":
		return !strings.Contains(w, ",map") && !strings.Contains(w, ",regsub"), true
	case "hdr_beg", "hdr_end", "hdr_sub", "hdr_reg", "hdr_len", "hdr_cnt", "hdr_val", "hdr_found":
		return false, true
	}
	return false, strings.HasPrefix(fetch, "hdr")
}

// haproxyMatch reads the values a Host fetch is compared with: exact
// names are listed; a pattern flag (-m beg/end/sub/reg, -f a file, -M a
// map) or a pattern fetch makes the names unlistable.
func (s *nginxServer) haproxyMatch(exact bool, rest []string) {
	for i := 0; i < len(rest); i++ {
		w := rest[i]
		switch {
		case haproxyFlag(w):
			if i+1 < len(rest) && !haproxyExactFlag(w, rest[i+1]) {
				exact = false
			}
			if w == "-m" || w == "-f" || w == "-M" {
				i++
			}
		case haproxyEnd(w) || !exact:
			s.hostIf = s.hostIf || !exact
			return
		default:
			s.names = append(s.names, w)
		}
	}
	s.hostIf = s.hostIf || !exact
}

// haproxyFlag reports whether w is a flag of an ACL's match.
func haproxyFlag(w string) bool { return strings.HasPrefix(w, "-") }

// haproxyExactFlag reports whether the flag w (with the word after it)
// keeps the match exact: -m str/dom/ip, -i, -n, --; not -m beg/end/sub/
// reg, -f (a file of names), -M (a map).
func haproxyExactFlag(w, next string) bool {
	switch w {
	case "-m":
		return next == "str" || next == "dom" || next == "ip"
	case "-f", "-M":
		return false
	}
	return true
}

// haproxyEnd reports whether w ends an ACL's values (an inline ACL's
// brace, a condition's word).
func haproxyEnd(w string) bool {
	switch w {
	case "}", "if", "unless", "||", "!", "or":
		return true
	}
	return strings.HasPrefix(w, "{")
}

// haproxyBindPort is the port of a bind address: ":80", "*:80",
// "0.0.0.0:80", "ipv6@:::80", "[::]:80"; 0 for a unix socket.
func haproxyBindPort(a string) int {
	if pre, rest, ok := strings.Cut(a, "@"); ok {
		if strings.HasPrefix(pre, "unix") || strings.HasPrefix(pre, "abns") {
			return 0
		}
		a = rest
	}
	i := strings.LastIndexByte(a, ':')
	if i < 0 {
		return 0
	}
	port, _, _ := strings.Cut(a[i+1:], "-") // a range: its first port
	p, _ := strconv.Atoi(port)
	return p
}

// isHAProxy reports whether a command line is haproxy's.
func isHAProxy(args []string) bool {
	return len(args) > 0 && baseName(args[0]) == "haproxy"
}
