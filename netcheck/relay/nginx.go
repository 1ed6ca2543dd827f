package relay

import (
	"cmp"
	"net/netip"
	"os"
	"path/filepath"
	"strings"

	"localguard/netcheck/internal/argv"
)

// Reading an nginx configuration for the local ports its proxy_pass lines
// pass to: the file named by -c (else the usual places), and the files it
// includes.

var (
	proxyPassRE = lazyRE(`(?m)^\s*proxy_pass\s+https?://([^/;\s]+)`)
	includeRE   = lazyRE(`(?m)^\s*include\s+([^;\s]+)\s*;`)
)

// nginxTargets lists the ports on this computer an nginx passes requests
// to, from its configuration; nil when it cannot be read.
func nginxTargets(args []string, cwd string, own func(netip.Addr) bool) []int {
	prefix, _ := argv.Flag(args, "-p")
	conf, ok := argv.Flag(args, "-c")
	if len(args) > 0 && strings.HasPrefix(args[0], "nginx: ") {
		// The master renames itself: "nginx: master process nginx -c ...".
		f := strings.Fields(strings.Join(args, " "))
		prefix, _ = argv.Flag(f, "-p")
		conf, ok = argv.Flag(f, "-c")
	}
	if !ok {
		conf = "/etc/nginx/nginx.conf"
	}
	if !filepath.IsAbs(conf) {
		base := cmp.Or(prefix, cwd)
		conf = filepath.Join(base, conf)
	}
	var ports []int
	seen := map[string]bool{}
	var read func(path string, depth int)
	read = func(path string, depth int) {
		if depth > 8 || seen[path] || len(seen) > 200 {
			return
		}
		seen[path] = true
		b, err := os.ReadFile(path)
		if err != nil {
			return
		}
		for _, m := range proxyPassRE().FindAllSubmatch(b, -1) {
			host, port := splitHostPort(string(m[1]))
			if isLocalName(host, own) && port != "" {
				ports = append(ports, argv.Atoi(port))
			}
		}
		for _, m := range includeRE().FindAllSubmatch(b, -1) {
			pattern := string(m[1])
			if !filepath.IsAbs(pattern) {
				pattern = filepath.Join(filepath.Dir(conf), pattern)
			}
			matches, _ := filepath.Glob(pattern)
			for _, f := range matches {
				read(f, depth+1)
			}
		}
	}
	read(conf, 0)
	return ports
}
