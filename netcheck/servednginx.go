package netcheck

import (
	"cmp"
	"maps"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Reading an nginx configuration for its virtual hosts: which names each
// server block answers, on which ports, and to which ports of this
// computer it passes requests. The socket asking uses it for the names a
// neighbour could type (server_name), and to say "cannot tell" when a
// server passes FlowMeter on only for names no list can hold (a wildcard,
// a regular expression, a choice made on $host inside the server).
// (netcheck/nginxconf.go reads proxy_pass lines for the relay scan; this
// reads the structure, which the names need.)

// nginxServer is one server block.
type nginxServer struct {
	// ports it listens on (80 when it says nothing, as nginx does as
	// root; 8000 too, nginx's default otherwise).
	ports []int
	// names are its server_name values as written.
	names []string
	// targets are the ports of this computer its proxy_pass lines pass
	// to (through upstream blocks too).
	targets []int
	// hostIf is true when the server decides by the name asked for
	// inside itself ("if ($host ...)", or on a map of $host): no list of
	// names tells what it serves to which.
	hostIf bool
	// varTarget is true when a proxy_pass goes to a variable: where it
	// passes requests is chosen at each request.
	varTarget bool
	// byDefault is true when the server takes the requests no other
	// server's name matches (nginx's default_server; haproxy's
	// configuration, read as one server, always): a request that names
	// no host reaches it as the address does.
	byDefault bool
}

// nginxDirective is one directive, with its block when it has one.
type nginxDirective struct {
	name  string
	args  []string
	block []nginxDirective
}

// Limits of the reading: include depth, files, and bytes per file.
const (
	nginxMaxDepth = 8
	nginxMaxFiles = 200
	nginxMaxBytes = 4 << 20
)

// nginxConfPath is the main configuration file of an nginx process from
// its command line (-c, relative to -p or its folder), else nginx's
// default.
func nginxConfPath(args []string, cwd string) string {
	if len(args) > 0 && strings.HasPrefix(args[0], "nginx: ") {
		// The master renames itself: "nginx: master process nginx -c ...".
		args = strings.Fields(strings.Join(args, " "))
	}
	prefix, _ := flagValue(args, "-p")
	conf, ok := flagValue(args, "-c")
	if !ok {
		conf = "/etc/nginx/nginx.conf"
	}
	if !filepath.IsAbs(conf) {
		conf = filepath.Join(cmp.Or(prefix, cwd), conf)
	}
	return conf
}

// readNginxServers reads the server blocks of the configuration at conf
// and the files it includes; nil when it cannot be read.
func readNginxServers(conf string) []nginxServer {
	servers, _ := readNginxServersFiles(conf)
	return servers
}

// readNginxServersFiles is readNginxServers with the files it read (or
// tried to: a file not there yet is a file to watch too).
func readNginxServersFiles(conf string) ([]nginxServer, []string) {
	seen := map[string]bool{}
	servers := nginxServersOf(conf, seen)
	return servers, slices.Sorted(maps.Keys(seen))
}

// nginxServersOf reads the server blocks of conf, noting each file read in
// seen.
func nginxServersOf(conf string, seen map[string]bool) []nginxServer {
	top := readNginxFile(conf, filepath.Dir(conf), 0, seen)
	if top == nil {
		return nil
	}
	upstreams := map[string][]int{}
	walkNginx(top, func(d nginxDirective) {
		if d.name == "upstream" && len(d.args) == 1 {
			for _, s := range d.block {
				if s.name == "server" && len(s.args) > 0 {
					if p := localPort(s.args[0], 0); p != 0 {
						upstreams[d.args[0]] = append(upstreams[d.args[0]], p)
					}
				}
			}
		}
	})
	hostMaps := map[string]bool{}
	walkNginx(top, func(d nginxDirective) {
		if d.name == "map" && len(d.args) == 2 && isHostVar(d.args[0]) {
			hostMaps[d.args[1]] = true
		}
	})
	var out []nginxServer
	walkNginx(top, func(d nginxDirective) {
		if d.name == "server" && d.block != nil {
			out = append(out, nginxServerOf(d.block, upstreams, hostMaps))
		}
	})
	return out
}

// readNginxFile parses one file, with its includes spliced in (relative
// to base, the main file's folder, as nginx resolves them).
func readNginxFile(path, base string, depth int, seen map[string]bool) []nginxDirective {
	if depth > nginxMaxDepth || seen[path] || len(seen) >= nginxMaxFiles {
		return nil
	}
	seen[path] = true
	f, err := os.Open(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	b := make([]byte, nginxMaxBytes)
	n, _ := f.Read(b)
	ds, _ := parseNginx(b[:n])
	return spliceIncludes(ds, base, depth, seen)
}

// spliceIncludes replaces each include directive by the directives of
// the files it names.
func spliceIncludes(ds []nginxDirective, base string, depth int, seen map[string]bool) []nginxDirective {
	out := make([]nginxDirective, 0, len(ds))
	for _, d := range ds {
		if d.name == "include" && len(d.args) == 1 && d.block == nil {
			pattern := d.args[0]
			if !filepath.IsAbs(pattern) {
				pattern = filepath.Join(base, pattern)
			}
			// The pattern's folder is watched too (configStamp): a file
			// put there is read by nginx's next reload.
			seen[filepath.Dir(pattern)] = true
			matches, _ := filepath.Glob(pattern)
			for _, m := range matches {
				out = append(out, readNginxFile(m, base, depth+1, seen)...)
			}
			continue
		}
		if d.block != nil {
			d.block = spliceIncludes(d.block, base, depth, seen)
		}
		out = append(out, d)
	}
	return out
}

// walkNginx calls fn on every directive, depth first.
func walkNginx(ds []nginxDirective, fn func(nginxDirective)) {
	for _, d := range ds {
		fn(d)
		walkNginx(d.block, fn)
	}
}

// nginxServerOf reads one server block.
func nginxServerOf(block []nginxDirective, upstreams map[string][]int, hostMaps map[string]bool) nginxServer {
	var s nginxServer
	for _, d := range block {
		switch {
		case d.name == "listen" && len(d.args) > 0:
			if p := listenPort(d.args[0]); p != 0 {
				s.ports = append(s.ports, p)
			}
			s.byDefault = s.byDefault || slices.Contains(d.args[1:], "default_server") || slices.Contains(d.args[1:], "default")
		case d.name == "server_name":
			s.names = append(s.names, d.args...)
		}
	}
	if len(s.ports) == 0 {
		s.ports = []int{80, 8000}
	}
	walkNginx(block, func(d nginxDirective) {
		switch {
		case d.name == "if" && mentionsHost(d.args, hostMaps):
			s.hostIf = true
		case d.name == "proxy_pass" && len(d.args) == 1:
			s.addTarget(d.args[0], upstreams)
		}
	})
	return s
}

// addTarget adds where a proxy_pass passes to.
func (s *nginxServer) addTarget(arg string, upstreams map[string][]int) {
	u := arg
	if i := strings.Index(u, "://"); i >= 0 {
		u = u[i+3:]
	}
	if i := strings.IndexAny(u, "/?"); i >= 0 {
		u = u[:i]
	}
	if strings.Contains(u, "$") {
		s.varTarget = true
		return
	}
	if ports, ok := upstreams[u]; ok {
		s.targets = append(s.targets, ports...)
		return
	}
	def := 80
	if strings.HasPrefix(arg, "https://") {
		def = 443
	}
	if p := localPort(u, def); p != 0 {
		s.targets = append(s.targets, p)
	}
}

// enumerable reports whether every name the server answers is one a
// list can hold: exact names only.
func (s nginxServer) enumerable() bool {
	if s.hostIf {
		return false
	}
	for _, n := range s.names {
		if strings.ContainsAny(n, "*~$") || strings.HasPrefix(n, ".") {
			return false
		}
	}
	return true
}

// exactNames are the server's names a neighbour can ask for as they are
// ("_", the usual name of a catch-all, is one too: nothing stops a
// neighbour from writing it in the Host header).
func (s nginxServer) exactNames() []string {
	var out []string
	for _, n := range s.names {
		if n != "" && !strings.ContainsAny(n, "*~$") && !strings.HasPrefix(n, ".") {
			out = append(out, strings.ToLower(n))
		}
	}
	return out
}

// mentionsHost reports whether an if's condition reads the name asked for.
func mentionsHost(args []string, hostMaps map[string]bool) bool {
	for _, a := range args {
		a = strings.Trim(a, "()")
		if isHostVar(a) || hostMaps[a] {
			return true
		}
	}
	return false
}

// isHostVar reports whether v is one of nginx's variables of the name a
// request asks for.
func isHostVar(v string) bool {
	switch strings.Trim(v, "(){}") {
	case "$host", "$http_host", "$server_name", "$ssl_server_name":
		return true
	}
	return false
}

// listenPort is the port of a listen directive's address: "8080",
// "127.0.0.1:8080", "[::]:8080", "*:80"; 0 for a unix socket.
func listenPort(a string) int {
	if strings.HasPrefix(a, "unix:") {
		return 0
	}
	if p, err := strconv.Atoi(a); err == nil {
		return p
	}
	if _, port, err := net.SplitHostPort(a); err == nil {
		p, _ := strconv.Atoi(port)
		return p
	}
	return 80 // an address without a port
}

// localPort is the port of host[:port] when host is this computer by
// name or loopback address (def when no port is written), else 0.
func localPort(hp string, def int) int {
	host, port, err := net.SplitHostPort(hp)
	if err != nil {
		host, port = strings.Trim(hp, "[]"), strconv.Itoa(def)
	}
	local := strings.EqualFold(host, "localhost")
	if a, err := netip.ParseAddr(host); err == nil {
		local = a.IsLoopback() || a.IsUnspecified()
	}
	p, _ := strconv.Atoi(port)
	if !local {
		return 0
	}
	return p
}

// parseNginx reads nginx's configuration syntax: directives of words
// ending in ";" or a "{...}" block, "#" comments, quoted words. A syntax
// error ends the reading with what was read so far (nginx itself would
// not start with such a file).
func parseNginx(b []byte) ([]nginxDirective, bool) {
	toks := nginxTokens(b)
	ds, rest, ok := parseNginxBlock(toks, 0)
	return ds, ok && rest == len(toks)
}

// nginxToken is a word, or one of ";", "{", "}" (quoted: false).
type nginxToken struct {
	text   string
	quoted bool
}

func (t nginxToken) is(s string) bool { return !t.quoted && t.text == s }

// parseNginxBlock reads directives from toks[i:] until a "}" or the end;
// it returns the index after what it read.
func parseNginxBlock(toks []nginxToken, depth int) ([]nginxDirective, int, bool) {
	var out []nginxDirective
	i := 0
	for i < len(toks) {
		if toks[i].is("}") {
			return out, i, depth > 0
		}
		var d nginxDirective
		for i < len(toks) && !toks[i].is(";") && !toks[i].is("{") && !toks[i].is("}") {
			if d.name == "" {
				d.name = toks[i].text
			} else {
				d.args = append(d.args, toks[i].text)
			}
			i++
		}
		switch {
		case i == len(toks) || toks[i].is("}"):
			return out, i, false
		case toks[i].is("{"):
			if depth >= 32 {
				return out, i, false
			}
			inner, n, ok := parseNginxBlock(toks[i+1:], depth+1)
			d.block = inner
			if d.block == nil {
				d.block = []nginxDirective{}
			}
			i += 1 + n
			if !ok || i >= len(toks) {
				return append(out, d), i, false
			}
		}
		i++ // the ";" or the "}"
		out = append(out, d)
	}
	return out, i, depth == 0
}

// nginxTokens splits the configuration into words and ";{}".
func nginxTokens(b []byte) []nginxToken {
	var out []nginxToken
	for i := 0; i < len(b); {
		c := b[i]
		switch {
		case c == ' ' || c == '\t' || c == '\r' || c == '\n':
			i++
		case c == '#':
			for i < len(b) && b[i] != '\n' {
				i++
			}
		case c == ';' || c == '{' || c == '}':
			out = append(out, nginxToken{text: string(c)})
			i++
		case c == '"' || c == '\'':
			var t nginxToken
			t, i = nginxQuoted(b, i)
			out = append(out, t)
		default:
			j := nginxWordEnd(b, i)
			out = append(out, nginxToken{text: string(b[i:j])})
			i = j
		}
	}
	return out
}

// nginxQuoted reads the quoted word at b[i], with its escapes, and
// returns it with the index after its closing quote.
func nginxQuoted(b []byte, i int) (nginxToken, int) {
	q := b[i]
	var w strings.Builder
	j := i + 1
	for ; j < len(b) && b[j] != q; j++ {
		if b[j] == '\\' && j+1 < len(b) {
			j++
		}
		w.WriteByte(b[j])
	}
	return nginxToken{text: w.String(), quoted: true}, j + 1
}

// nginxWordEnd is the index after the unquoted word at b[i]: it ends at
// whitespace or ";{}", except after a backslash and inside ${name}.
func nginxWordEnd(b []byte, i int) int {
	j := i
	for j < len(b) && !strings.ContainsRune(" \t\r\n;{}", rune(b[j])) {
		switch {
		case b[j] == '\\' && j+1 < len(b):
			j++
		case b[j] == '$' && j+1 < len(b) && b[j+1] == '{':
			// ${name}: the braces are the variable's, not a block.
			for j < len(b) && b[j] != '}' {
				j++
			}
		}
		j++
	}
	return min(j, len(b))
}
