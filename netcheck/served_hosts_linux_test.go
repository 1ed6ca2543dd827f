package netcheck

import (
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// Relays that pass FlowMeter on only when the Host header is a name (a
// virtual host with a default server that answers 404), judged from the
// neighbour's side: the neighbour who types the name reads FlowMeter, so
// the verdict must not be safe — exposed when Localguard finds the name
// (this computer's name, or the relay's own server_name), unchecked when
// the configuration passes FlowMeter on for names no list holds. A
// virtual host of a site that is not FlowMeter stays safe.

// readsAs reports whether the second host reads FlowMeter's /api/info at
// addr:port asking for the name host in the Host header.
func (l lan) readsAs(t *testing.T, addr netip.Addr, port int, host string) bool {
	t.Helper()
	script := `import json, sys, urllib.request
r = urllib.request.Request(sys.argv[1], headers={"Host": sys.argv[2]})
d = json.load(urllib.request.urlopen(r, timeout=15))
sys.exit(0 if d.get("docs") == "/docs" else 1)`
	err := exec.Command("ip", "netns", "exec", l.ns, python, "-c", script, URL(addr, port)+"/api/info", host).Run()
	return err == nil
}

// startNginxVhosts runs nginx with a default server answering 404 on rp
// and a server for names passing to 127.0.0.1:up.
func startNginxVhosts(t *testing.T, rp, up int, names string) *child {
	t.Helper()
	nginx := needProgram(t, "nginx", "nginx-light")
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	conf := filepath.Join(dir, "nginx.conf")
	os.WriteFile(conf, []byte(fmt.Sprintf(`daemon off;
worker_processes 1;
pid %[1]s/nginx.pid;
error_log %[1]s/error.log;
events { worker_connections 64; }
http {
    access_log off;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    upstream app { server 127.0.0.1:%[3]d; }
    server {
        listen %[2]d default_server;
        server_name _;
        return 404;
    }
    include %[1]s/sites/*.conf;
}
`, dir, rp, up)), 0o644)
	os.MkdirAll(filepath.Join(dir, "sites"), 0o755)
	os.WriteFile(filepath.Join(dir, "sites", "app.conf"), []byte(fmt.Sprintf(`server {
    listen %d;
    server_name %s;
    location / {
        proxy_pass http://app;
        proxy_set_header Host $host;
    }
}
`, rp, names)), 0o644)
	n := start(t, dir, nginx, childEnv(), "nginx", "-e", filepath.Join(dir, "error.log"), "-p", dir+"/", "-c", conf)
	n.waitListening(t, rp, any4)
	return n
}

// startHAProxyHostACL runs haproxy in HTTP mode passing to 127.0.0.1:up
// only requests for the name host, answering 404 to the rest.
func startHAProxyHostACL(t *testing.T, rp, up int, host string) *child {
	t.Helper()
	return startHAProxyACL(t, rp, up, "hdr(host) -i "+host)
}

// startHAProxyACL is startHAProxyHostACL with the ACL's match as written.
func startHAProxyACL(t *testing.T, rp, up int, match string) *child {
	t.Helper()
	haproxy := needProgram(t, "haproxy", "haproxy")
	cfg := filepath.Join(t.TempDir(), "haproxy.cfg")
	conf := fmt.Sprintf(`defaults
  mode http
  timeout connect 5s
  timeout client 60s
  timeout server 60s
frontend in
  bind 0.0.0.0:%d
  acl named %s
  http-request return status 404 content-type text/plain string "no such site" unless named
  default_backend app
backend app
  server app 127.0.0.1:%d
`, rp, match, up)
	if err := os.WriteFile(cfg, []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	h := start(t, "/", haproxy, childEnv(), "haproxy", "-db", "-f", cfg)
	h.waitListening(t, rp, any4)
	return h
}

func TestHostNamedRelays(t *testing.T) {
	needUvicorn(t)
	l := newLAN(t)
	env, port := flowMeterOnLoopback(t)
	host, _ := os.Hostname()
	host = strings.ToLower(host)
	for _, tc := range []struct {
		name, ask string // ask: the name the neighbour types
		start     func(t *testing.T, rp int) *child
	}{
		{"nginx server_name of this computer's name", host, func(t *testing.T, rp int) *child {
			return startNginxVhosts(t, rp, port, "mylaptop "+host)
		}},
		{"nginx server_name only its configuration names", "flowmeter.lab.internal", func(t *testing.T, rp int) *child {
			return startNginxVhosts(t, rp, port, "flowmeter.lab.internal")
		}},
		{"haproxy with a Host ACL of this computer's name", host, func(t *testing.T, rp int) *child {
			return startHAProxyHostACL(t, rp, port, host)
		}},
		{"haproxy with a Host ACL only its configuration names", "fm.lab.internal", func(t *testing.T, rp int) *child {
			return startHAProxyHostACL(t, rp, port, "fm.lab.internal")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rp := freePort(t)
			p := tc.start(t, rp)
			wantNamedOnly(t, l, rp, tc.ask)
			for _, v := range []Verdict{judgeAsUser(t, env), judgeAsUser(t, "")} {
				r := relayOn(v, rp)
				switch {
				case v.Status != StatusExposed || r == nil:
					t.Errorf("the neighbour reads FlowMeter through port %d as %q, yet: %s: %s\n%s", rp, tc.ask, v.Status, v.Message, relaysOf(v))
				case !r.Confirmed || r.TargetPort != port || r.PID == 0 || r.HostName == "" || !slices.Contains(r.SeenBy, SeenAnswer):
					t.Errorf("relay %+v: want confirmed by its answer to a name, to port %d, with its pid", *r, port)
				default:
					t.Logf("%s: %s", v.Status, v.Message)
				}
			}
			p.stop()
		})
	}
}

// wantNamedOnly wants the relay on rp to pass FlowMeter to the neighbour
// for the name, and not for its address (else the test proves nothing).
func wantNamedOnly(t *testing.T, l lan, rp int, name string) {
	t.Helper()
	if l.reads(t, l.v4, rp) {
		t.Fatalf("the neighbour reads FlowMeter on port %d by its address: not a virtual host", rp)
	}
	if !l.readsAs(t, l.v4, rp, name) {
		t.Fatalf("the neighbour cannot read FlowMeter on port %d as %q: the test proves nothing", rp, name)
	}
}

// TestHostNamedRelayUnlisted: names Localguard cannot enumerate (a
// wildcard, a regular expression, an haproxy suffix match) in front of
// FlowMeter: cannot tell, never safe.
func TestHostNamedRelayUnlisted(t *testing.T) {
	needUvicorn(t)
	l := newLAN(t)
	env, port := flowMeterOnLoopback(t)
	for _, tc := range []struct {
		name, ask string
		start     func(t *testing.T, rp int) *child
	}{
		{"nginx server_name *.flowmeter.test", "lab.flowmeter.test", func(t *testing.T, rp int) *child {
			return startNginxVhosts(t, rp, port, "*.flowmeter.test")
		}},
		{"nginx server_name regex", "fm-7.lab", func(t *testing.T, rp int) *child {
			return startNginxVhosts(t, rp, port, `~^fm-[0-9]+\.lab$`)
		}},
		{"haproxy hdr_end(host)", "a.fm.test", func(t *testing.T, rp int) *child {
			return startHAProxyACL(t, rp, port, "hdr_end(host) -i .fm.test")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rp := freePort(t)
			n := tc.start(t, rp)
			wantNamedOnly(t, l, rp, tc.ask)
			v := judgeAsUser(t, env)
			r := relayOn(v, rp)
			switch {
			case v.Status == StatusSafe || r == nil:
				t.Errorf("the neighbour reads FlowMeter through port %d as %q, yet: %s: %s\n%s", rp, tc.ask, v.Status, v.Message, relaysOf(v))
			case v.Status != StatusError || !r.Unchecked || r.UncheckedWhy == "" || r.PID != n.pid():
				t.Errorf("want cannot tell (error) with the unchecked relay named: %s: %s\n%s", v.Status, v.Message, relaysOf(v))
			default:
				t.Logf("%s: %s", v.Status, v.Message)
			}
			n.stop()
		})
	}
}

// TestHostNamedSiteStaysSafe: a virtual host for this computer's name
// that passes on to a site that is not FlowMeter (while a FlowMeter runs
// on loopback) stays safe, through nginx and haproxy alike.
func TestHostNamedSiteStaysSafe(t *testing.T) {
	needUvicorn(t)
	l := newLAN(t)
	env, _ := flowMeterOnLoopback(t)
	site := freePort(t)
	start(t, t.TempDir(), python, childEnv(), python, "-m", "http.server", "--bind", "127.0.0.1", fmt.Sprint(site)).waitListening(t, site, lo4)
	host, _ := os.Hostname()
	host = strings.ToLower(host)
	for _, tc := range []struct {
		name  string
		start func(t *testing.T, rp int) *child
	}{
		{"nginx", func(t *testing.T, rp int) *child { return startNginxVhosts(t, rp, site, "mylaptop "+host) }},
		{"haproxy", func(t *testing.T, rp int) *child { return startHAProxyHostACL(t, rp, site, host) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rp := freePort(t)
			p := tc.start(t, rp)
			if !l.connectFromPeer(t, l.v4, rp) || l.readsAs(t, l.v4, rp, host) {
				t.Fatalf("the control on port %d is not a reachable site that is not FlowMeter", rp)
			}
			v := judgeAsUser(t, env)
			if v.Status != StatusSafe || relayOn(v, rp) != nil {
				t.Errorf("a virtual host of a site that is not FlowMeter: %s: %s\n%s", v.Status, v.Message, relaysOf(v))
			} else {
				t.Logf("%s: %s", v.Status, v.Message)
			}
			p.stop()
		})
	}
}
