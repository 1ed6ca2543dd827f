// Package argv reads the pieces of command lines that both FlowMeter's
// recognisers (netcheck) and the relay finders (netcheck/relay) look at:
// flags, program names, ports, and the programs both kinds of recogniser
// know (Vite, container port publishers).
package argv

import "strings"

// Flag returns the value of the last of the given flags, written as
// `--flag value` or `--flag=value` (or `-bvalue` for one-letter flags).
func Flag(args []string, names ...string) (string, bool) {
	value, found := "", false
	for i := 0; i < len(args); i++ {
		a := args[i]
		for _, n := range names {
			switch {
			case a == n && i+1 < len(args):
				value, found = args[i+1], true
				i++
			case strings.HasPrefix(a, n+"="):
				value, found = a[len(n)+1:], true
			case len(n) == 2 && n[0] == '-' && n[1] != '-' && strings.HasPrefix(a, n) && len(a) > 2:
				value, found = a[2:], true
			default:
				continue
			}
			break
		}
	}
	return value, found
}

// ViteHost reads Vite's --host, which may stand alone (every address).
func ViteHost(args []string) (string, bool) {
	value, found := "", false
	for i, a := range args {
		switch {
		case a == "--host":
			found, value = true, ""
			if i+1 < len(args) && !strings.HasPrefix(args[i+1], "-") {
				value = args[i+1]
			}
		case strings.HasPrefix(a, "--host="):
			found, value = true, a[len("--host="):]
		}
	}
	return value, found
}

// Base is a path's last element, without .exe, for Unix and Windows
// paths alike.
func Base(p string) string {
	if i := strings.LastIndexAny(p, `/\`); i >= 0 {
		p = p[i+1:]
	}
	if len(p) > 4 && strings.EqualFold(p[len(p)-4:], ".exe") {
		p = p[:len(p)-4]
	}
	return p
}

// IsContainerProxy reports whether a process publishes container ports on
// the host: Docker's docker-proxy, rootless Podman's rootlessport, and the
// port forwarders of Docker Desktop and Podman machine.
func IsContainerProxy(exe string) bool {
	switch exe {
	case "docker-proxy", "rootlessport", "gvproxy", "vpnkit", "com.docker.backend", "com.docker.backe":
		return true
	}
	return false
}

// IsViteScript reports whether an argument runs Vite: node_modules/.bin/vite,
// vite/bin/vite.js, a bare `vite`.
func IsViteScript(a string) bool {
	switch strings.ToLower(Base(a)) {
	case "vite", "vite.js", "vite.mjs", "vite.cmd":
		return true
	}
	return false
}

// Atoi is a decimal port number, 0 when s is not one (a sign, a letter,
// more than 65535).
func Atoi(s string) int {
	n := 0
	for _, r := range s {
		if r < '0' || r > '9' || n > 65535 {
			return 0
		}
		n = n*10 + int(r-'0')
	}
	return n
}
