package relay

import (
	"net/netip"
	"strings"

	"localguard/netcheck/internal/argv"
)

// Reading a relay's command line: which program passes connections on,
// to which local port, and whether it carries them to another host.

// relayLine is what a command line says about a relay.
type relayLine struct {
	// prog is the relay program: socat, ssh, vite, nginx, kubectl,
	// cloudflared, ngrok; "" when the command is not one.
	prog string
	// targets are the local ports the command line says it passes
	// connections to (socat's TCP:127.0.0.1:8000, ssh's -L/-R, a tunnel's
	// --url); empty when it does not say (Vite, nginx: their config does).
	targets []int
	// forwards are the ports the relay opens for others: socat's
	// TCP-LISTEN port, ssh -L's local port, ssh -R's port on the far end.
	forwards map[int]int // target port → forwarded port
	// localForward: ssh -L, whose target is this computer's only when ssh
	// connects to this computer.
	localForward bool
	// tunnel: ssh -R, cloudflared, ngrok: the relay carries the target to
	// another host.
	tunnel bool
	// gateway: ssh -g (-L ports on every address).
	gateway bool
	// hostFlag: Vite's --host, kubectl's --address, a container port
	// publisher's -host-ip.
	host    string
	hostSet bool
	// container: a container runtime's port publisher (docker-proxy...),
	// publishing hostPort for the container's containerPort.
	container               bool
	hostPort, containerPort int
}

// readLine recognises a relay program from its arguments; own tells this
// computer's addresses (nil: only loopback is).
func readLine(args []string, own func(netip.Addr) bool) relayLine {
	if len(args) == 0 {
		return relayLine{}
	}
	exe := argv.Base(args[0])
	if argv.IsContainerProxy(exe) {
		r := relayLine{prog: exe, container: true}
		r.host, r.hostSet = argv.Flag(args[1:], "-host-ip", "--host-ip")
		if v, ok := argv.Flag(args[1:], "-host-port", "--host-port"); ok {
			r.hostPort = argv.Atoi(v)
		}
		if v, ok := argv.Flag(args[1:], "-container-port", "--container-port"); ok {
			r.containerPort = argv.Atoi(v)
		}
		return r
	}
	switch exe {
	case "socat":
		return socatLine(args[1:], own)
	case "ssh":
		return sshLine(args[1:], own)
	case "nginx":
		return relayLine{prog: "nginx"}
	case "kubectl":
		return kubectlLine(args[1:])
	case "cloudflared":
		r := relayLine{prog: "cloudflared", tunnel: true}
		if u, ok := argv.Flag(args[1:], "--url"); ok {
			r.addTarget(urlPort(u, own), 0)
		}
		return r
	case "ngrok":
		return ngrokLine(args[1:], own)
	}
	if strings.HasPrefix(args[0], "nginx: ") {
		// nginx renames itself: "nginx: master process nginx -c ...".
		return relayLine{prog: "nginx"}
	}
	for _, a := range args {
		if argv.IsViteScript(a) {
			r := relayLine{prog: "vite"}
			r.host, r.hostSet = argv.ViteHost(args[1:])
			return r
		}
	}
	return relayLine{}
}

func (r *relayLine) addTarget(port, forwarded int) {
	if port <= 0 {
		return
	}
	r.targets = append(r.targets, port)
	if r.forwards == nil {
		r.forwards = map[int]int{}
	}
	if forwarded > 0 {
		r.forwards[port] = forwarded
	}
}

// socatLine reads socat's two addresses: TCP-LISTEN:port[,...] and
// TCP:host:port (or TCP4/TCP6/TCP-CONNECT) to this computer.
func socatLine(args []string, own func(netip.Addr) bool) relayLine {
	r := relayLine{prog: "socat"}
	listen := 0
	var target int
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			continue
		}
		kind, rest, _ := strings.Cut(a, ":")
		switch strings.ToUpper(kind) {
		case "TCP-LISTEN", "TCP4-LISTEN", "TCP6-LISTEN", "TCP-L", "TCP4-L", "TCP6-L":
			p, _, _ := strings.Cut(rest, ",")
			listen = argv.Atoi(p)
		case "TCP", "TCP4", "TCP6", "TCP-CONNECT", "TCP4-CONNECT", "TCP6-CONNECT":
			hp, _, _ := strings.Cut(rest, ",")
			host, port := splitHostPort(hp)
			if isLocalName(host, own) {
				target = argv.Atoi(port)
			}
		}
	}
	r.addTarget(target, listen)
	return r
}

// SSHFlagsWithValue are ssh's options that take a value.
const SSHFlagsWithValue = "BbcDEeFIiJLlmOoPpQRSWw"

// sshLine reads ssh's -L, -R and -g.
func sshLine(args []string, own func(netip.Addr) bool) relayLine {
	r := relayLine{prog: "ssh"}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") || len(a) < 2 {
			continue
		}
		// Options may be bundled: -gL 9000:localhost:8000, -NfgL...
		for j := 1; j < len(a); j++ {
			c := a[j]
			if !strings.ContainsRune(SSHFlagsWithValue, rune(c)) {
				if c == 'g' {
					r.gateway = true
				}
				continue
			}
			v := a[j+1:]
			if v == "" && i+1 < len(args) {
				i++
				v = args[i]
			}
			switch c {
			case 'L':
				if port, host, hostport, ok := ForwardSpec(v); ok && isLocalName(host, own) {
					r.localForward = true
					r.addTarget(hostport, port)
				}
			case 'R':
				if port, host, hostport, ok := ForwardSpec(v); ok && isLocalName(host, own) {
					r.tunnel = true
					r.addTarget(hostport, port)
				}
			}
			break
		}
	}
	return r
}

// ForwardSpec reads ssh's [bind_address:]port:host:hostport, with IPv6
// hosts in brackets or split by slashes.
func ForwardSpec(v string) (port int, host string, hostport int, ok bool) {
	var parts []string
	for v != "" {
		if strings.HasPrefix(v, "[") {
			end := strings.Index(v, "]")
			if end < 0 {
				return 0, "", 0, false
			}
			parts = append(parts, v[1:end])
			v = strings.TrimPrefix(v[end+1:], ":")
			continue
		}
		p, rest, found := strings.Cut(v, ":")
		parts = append(parts, p)
		if !found {
			break
		}
		v = rest
	}
	if len(parts) == 1 && strings.Count(parts[0], "/") >= 2 {
		parts = strings.Split(parts[0], "/")
	}
	switch len(parts) {
	case 3:
		return argv.Atoi(parts[0]), parts[1], argv.Atoi(parts[2]), argv.Atoi(parts[2]) > 0
	case 4:
		return argv.Atoi(parts[1]), parts[2], argv.Atoi(parts[3]), argv.Atoi(parts[3]) > 0
	}
	return 0, "", 0, false
}

// kubectlLine reads `kubectl port-forward [--address A] TARGET LOCAL:REMOTE`.
func kubectlLine(args []string) relayLine {
	if len(args) == 0 || !containsArg(args, "port-forward") {
		return relayLine{}
	}
	r := relayLine{prog: "kubectl"}
	r.host, r.hostSet = argv.Flag(args, "--address")
	return r
}

// ngrokLine reads `ngrok http|tcp [host:]port`.
func ngrokLine(args []string, own func(netip.Addr) bool) relayLine {
	r := relayLine{prog: "ngrok", tunnel: true}
	for i, a := range args {
		if (a == "http" || a == "tcp") && i+1 < len(args) {
			v := args[i+1]
			if strings.Contains(v, "://") {
				r.addTarget(urlPort(v, own), 0)
			} else if host, port := splitHostPort(v); port != "" && isLocalName(host, own) {
				r.addTarget(argv.Atoi(port), 0)
			} else {
				r.addTarget(argv.Atoi(v), 0)
			}
		}
	}
	return r
}

// urlPort is the port of an http URL to this computer, 0 when it names
// another host or no port.
func urlPort(u string, own func(netip.Addr) bool) int {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		rest = u
	}
	hp, _, _ := strings.Cut(rest, "/")
	host, port := splitHostPort(hp)
	if !isLocalName(host, own) {
		return 0
	}
	if port == "" {
		if strings.HasPrefix(u, "https") {
			return 443
		}
		return 80
	}
	return argv.Atoi(port)
}

// splitHostPort splits host:port, [v6]:port; a bare host gives port "".
func splitHostPort(hp string) (host, port string) {
	if strings.HasPrefix(hp, "[") {
		end := strings.Index(hp, "]")
		if end < 0 {
			return hp, ""
		}
		return hp[1:end], strings.TrimPrefix(hp[end+1:], ":")
	}
	if i := strings.LastIndexByte(hp, ':'); i >= 0 && strings.Count(hp, ":") == 1 {
		return hp[:i], hp[i+1:]
	}
	return hp, ""
}

// isLocalName reports whether a host names this computer's loopback:
// localhost, 127.x.y.z, ::1, or an empty host (ssh and socat take it as
// localhost). Another address of this computer (own, when not nil) counts
// too.
func isLocalName(h string, own func(netip.Addr) bool) bool {
	if h == "" || strings.EqualFold(h, "localhost") || strings.EqualFold(h, "ip6-localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	if err != nil {
		return false
	}
	return a.IsLoopback() || a.IsUnspecified() || own != nil && own(a)
}

func containsArg(args []string, s string) bool {
	for _, a := range args {
		if a == s {
			return true
		}
	}
	return false
}

// Program is the relay program a command line runs (socat, ssh, nginx,
// vite, kubectl, cloudflared, ngrok, a container's port publisher), ""
// when it runs none Localguard knows.
func Program(args []string) string { return readLine(args, nil).prog }
