package netcheck

import (
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"localguard/netcheck/ask"
)

// The names a socket is asked for, and nginx's virtual hosts: pure parts,
// table-tested with real files.

func TestReadNginxServers(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	os.MkdirAll(filepath.Join(dir, "sites"), 0o755)
	os.WriteFile(conf, []byte(`# main
events {}
http {
    upstream app { server 127.0.0.1:8000; server localhost:8001 backup; }
    upstream far { server 192.0.2.7:8000; }
    map $host $pool { default app; }
    server { listen 80 default_server; server_name _; return 404; }
    include sites/*.conf;
}
`), 0o644)
	os.WriteFile(filepath.Join(dir, "sites", "a.conf"), []byte(`server {
    listen 0.0.0.0:8080;
    listen [::]:8080;
    server_name "MyLaptop" flowmeter.local;   # the names
    location /api { proxy_pass http://app/api; }
}
server {
    listen 8081;
    server_name *.lab.example ~^fm\d+$;
    location / { proxy_pass http://127.0.0.1:8000; }
}
server {
    listen 8082;
    server_name wiki.local;
    location / { proxy_pass http://far; }
}
server {
    listen 8083;
    server_name exact.local;
    if ($host = other.local) { return 404; }
    location / { proxy_pass http://[::1]:8000; }
}
server {
    server_name chosen.local;
    location / { proxy_pass http://$pool; }
}
`), 0o644)
	got := readNginxServers(conf)
	want := []nginxServer{
		{ports: []int{80}, names: []string{"_"}},
		{ports: []int{8080, 8080}, names: []string{"MyLaptop", "flowmeter.local"}, targets: []int{8000, 8001}},
		{ports: []int{8081}, names: []string{"*.lab.example", `~^fm\d+$`}, targets: []int{8000}},
		{ports: []int{8082}, names: []string{"wiki.local"}},
		{ports: []int{8083}, names: []string{"exact.local"}, targets: []int{8000}, hostIf: true},
		{ports: []int{80, 8000}, names: []string{"chosen.local"}, varTarget: true},
	}
	if len(got) != len(want) {
		t.Fatalf("%d servers, want %d: %+v", len(got), len(want), got)
	}
	for i := range want {
		g, w := got[i], want[i]
		if !slices.Equal(g.ports, w.ports) || !slices.Equal(g.names, w.names) || !slices.Equal(g.targets, w.targets) || g.hostIf != w.hostIf || g.varTarget != w.varTarget {
			t.Errorf("server %d: %+v, want %+v", i, g, w)
		}
	}
	if readNginxServers(filepath.Join(dir, "missing.conf")) != nil {
		t.Error("a missing configuration read as servers")
	}
}

func TestParseNginx(t *testing.T) {
	for _, tc := range []struct {
		in   string
		ok   bool
		want string // directive names and args, depth first
	}{
		{`a b;`, true, "a[b]"},
		{"a 'b c' \"d;e\"; # x { y\nf { g; }", true, "a[b c d;e] f[] g[]"},
		{`proxy_pass http://${up}/x;`, true, "proxy_pass[http://${up}/x]"},
		{`rewrite ^/a\;b /c;`, true, `rewrite[^/a\;b /c]`},
		{`a { b;`, false, "a[] b[]"},
		{`a; }`, false, "a[]"},
		{`a b`, false, ""},
	} {
		ds, ok := parseNginx([]byte(tc.in))
		var got []string
		walkNginx(ds, func(d nginxDirective) { got = append(got, d.name+"["+strings.Join(d.args, " ")+"]") })
		if ok != tc.ok || strings.Join(got, " ") != tc.want {
			t.Errorf("parseNginx(%q) = %q, %v; want %q, %v", tc.in, strings.Join(got, " "), ok, tc.want, tc.ok)
		}
	}
}

func FuzzParseNginx(f *testing.F) {
	for _, s := range []string{"a b;", "http { server { listen 80; server_name a *.b; location / { proxy_pass http://127.0.0.1:8000; } } }", "a '", `a "\`, "${", "}}}{{{"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ds, _ := parseNginx(b)
		walkNginx(ds, func(d nginxDirective) {
			s := nginxServerOf(d.block, map[string][]int{}, map[string]bool{})
			s.enumerable()
			s.exactNames()
		})
	})
}

func TestHostNames(t *testing.T) {
	own := func(a netip.Addr) bool {
		return a.IsLoopback() || a == netip.MustParseAddr("192.168.1.23") || a == netip.MustParseAddr("fd00::23")
	}
	hosts := []byte(`127.0.0.1 localhost
127.0.1.1 ana-laptop.corp.example ana-laptop
192.168.1.23 flowbox flowbox.lan # this computer on the LAN
192.168.1.99 printer
::1 localhost ip6-localhost
fd00::23 flowbox6
ff02::1 ip6-allnodes
not-an-address name
`)
	network, loop := hostsNames(hosts, own)
	if !slices.Equal(network, []string{"flowbox", "flowbox.lan", "flowbox6"}) || !slices.Equal(loop, []string{"localhost", "ana-laptop.corp.example", "ana-laptop", "localhost", "ip6-localhost"}) {
		t.Errorf("hosts names: network %v, loopback %v", network, loop)
	}
	dir := t.TempDir()
	for _, tc := range []struct{ conf, want string }{
		{"nameserver 10.0.0.1\nsearch corp.example lab.example\n", "corp.example"},
		{"search a.example\ndomain b.example\n", "b.example"},
		{"nameserver 10.0.0.1\n", ""},
	} {
		p := filepath.Join(dir, "resolv.conf")
		os.WriteFile(p, []byte(tc.conf), 0o644)
		if got := resolvDomain(p); got != tc.want {
			t.Errorf("resolvDomain(%q) = %q, want %q", tc.conf, got, tc.want)
		}
	}
	p := filepath.Join(dir, "hosts")
	os.WriteFile(p, hosts, 0o644)
	names := machineNames(p, own)
	host, _ := os.Hostname()
	short, _, _ := strings.Cut(strings.ToLower(host), ".")
	if len(names) < 3 || names[0] != strings.ToLower(host) || !slices.Contains(names, short+".local") || !slices.Contains(names, "flowbox") {
		t.Errorf("machine names %v: want the host name first, its .local and the hosts file's", names)
	}
}

// The names asked are capped at maxHostNames, the names of servers that
// pass FlowMeter on first; and what cannot be enumerated is "cannot tell".
func TestHostNamesForAndUnsure(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	var b strings.Builder
	b.WriteString("http {\n server { listen 9000; server_name other.site; location / { proxy_pass http://127.0.0.1:7000; } }\n")
	b.WriteString(" server { listen 9001; server_name fm1 fm2; location / { proxy_pass http://127.0.0.1:8000; } }\n")
	b.WriteString(" server { listen 9002; server_name a1 a2 a3 a4 a5 a6 a7 a8 a9; location / { proxy_pass http://127.0.0.1:8000; } }\n")
	b.WriteString(" server { listen 9003; server_name *.wild; location / { proxy_pass http://127.0.0.1:8000; } }\n")
	b.WriteString(" server { listen 9004; server_name *.wild; location / { proxy_pass http://127.0.0.1:7000; } }\n")
	b.WriteString(" server { listen 9005; location / { proxy_pass http://$upstream; } }\n")
	b.WriteString(" server { listen 9006; location / { proxy_pass http://127.0.0.1:8000; } }\n")
	b.WriteString(" server { listen 9007 default_server; location / { proxy_pass http://127.0.0.1:8000; } }\n}\n")
	os.WriteFile(conf, []byte(b.String()), 0o644)
	args := map[int32][]string{
		10: {"nginx: master process nginx -c " + conf},
		11: {"nginx: worker process"},
		12: {"python3", "-m", "http.server"},
	}
	fmPorts := map[int]bool{8000: true}
	h := hostNamesFor(args, func(int32) string { return "/" }, func(a netip.Addr) bool { return a.IsLoopback() }, fmPorts)
	if len(h.names) != maxHostNames || h.names[0] != "fm1" || h.names[1] != "fm2" || slices.Contains(h.names, "other.site") {
		t.Errorf("names %v: want %d, FlowMeter's servers' first", h.names, maxHostNames)
	}
	if len(h.vhosts) != 1 || len(h.vhosts[10]) != 8 {
		t.Fatalf("vhosts %+v: want the master's eight servers only", h.vhosts)
	}
	for _, tc := range []struct {
		port    int
		fm      map[int]bool
		unsure  bool
		target  int
		contain string
	}{
		{9000, fmPorts, false, 0, ""},                          // another site
		{9001, fmPorts, false, 0, ""},                          // every name asked
		{9002, fmPorts, true, 8000, "more names than"},         // more names than asked
		{9003, fmPorts, true, 8000, "no list can hold"},        // a wildcard
		{9004, fmPorts, false, 0, ""},                          // a wildcard to another site
		{9005, fmPorts, true, 0, "chosen at each request"},     // a variable
		{9005, map[int]bool{}, false, 0, ""},                   // no FlowMeter runs
		{9999, fmPorts, false, 0, ""},                          // no server of that port
		{9003, map[int]bool{7000: true}, false, 0, ""},         // FlowMeter elsewhere
		{9004, map[int]bool{7000: true}, true, 7000, "*.wild"}, // ...behind the wildcard
	} {
		why, pid, target := h.unsure(tc.port, tc.fm, h.names)
		if (why != "") != tc.unsure || target != tc.target || tc.unsure && (pid != 10 || !strings.Contains(why, tc.contain)) {
			t.Errorf("port %d, FlowMeter on %v: %q, pid %d, target %d", tc.port, tc.fm, why, pid, target)
		}
	}
	// The asking by names ended before every name (the server stopped
	// answering, the time ran out): the names not asked are not known.
	if why, _, target := h.unsure(9001, fmPorts, nil); target != 8000 || !strings.Contains(why, "stopped answering before") {
		t.Errorf("every name asked on 9001, then none: %q, target %d; want cannot tell", why, target)
	}
}

func TestReadHAProxy(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		name, cfg string
		want      nginxServer
	}{
		{"exact names, inline and in ACLs", `frontend in
  bind :80,0.0.0.0:8080
  bind ipv6@:::8443 ssl crt x.pem
  bind unix@/run/x.sock
  acl fm hdr(host) -i FlowMeter.lab fm.local  # names
  use_backend app if fm || { req.hdr(host),lower -m str other.lab }
backend app
  server a 127.0.0.1:8000 check
  server b 192.0.2.9:8000
`, nginxServer{ports: []int{80, 8080, 8443}, names: []string{"FlowMeter.lab", "fm.local", "other.lab"}, targets: []int{8000}}},
		{"a suffix match", "frontend in\n  bind *:80\n  acl x hdr_end(host) -i .lab\n  use_backend a if x\nbackend a\n  server s localhost:8000\n",
			nginxServer{ports: []int{80}, targets: []int{8000}, hostIf: true}},
		{"-m reg, and a file of names", "frontend in\n  bind :80\n  acl x hdr(host) -m reg ^fm\n  acl y hdr(host) -f /etc/haproxy/names.lst\n",
			nginxServer{ports: []int{80}, hostIf: true}},
		{"a map of names", "frontend in\n  bind :80\n  use_backend %[req.hdr(host),lower,map(/etc/haproxy/hosts.map)]\n",
			nginxServer{ports: []int{80}, hostIf: true}},
	} {
		p := filepath.Join(dir, "haproxy.cfg")
		os.WriteFile(p, []byte(tc.cfg), 0o644)
		got, ok := readHAProxy(haproxyConfPaths([]string{"haproxy", "-db", "-f", p}, "/"))
		if !ok || !slices.Equal(got.ports, tc.want.ports) || !slices.Equal(got.names, tc.want.names) || !slices.Equal(got.targets, tc.want.targets) || got.hostIf != tc.want.hostIf {
			t.Errorf("%s: %+v, want %+v", tc.name, got, tc.want)
		}
	}
	if _, ok := readHAProxy([]string{filepath.Join(dir, "none.cfg")}); ok {
		t.Error("a missing configuration read")
	}
	if got := haproxyConfPaths([]string{"haproxy", "-W", "-f", dir}, "/"); len(got) != 1 || filepath.Base(got[0]) != "haproxy.cfg" {
		t.Errorf("a folder given with -f: %v, want its *.cfg files", got)
	}
}

// An nginx reloaded with a server for FlowMeter keeps its sockets: the
// answers its sockets gave are asked again when a configuration the names
// were read from (or its folder: a file put beside it for an include's
// pattern) changed, and kept while nothing did.
func TestConfigChangeAsksAgain(t *testing.T) {
	dir := t.TempDir()
	conf := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(conf, []byte("events {}\nhttp { include conf.d/*.conf; }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(filepath.Join(dir, "conf.d"), 0o755)
	_, files := readNginxServersFiles(conf)
	if !slices.Contains(files, conf) {
		t.Fatalf("files read %v: want %s", files, conf)
	}
	past := time.Now().Add(-time.Hour)
	for _, f := range append(files, filepath.Join(dir, "conf.d")) {
		os.Chtimes(f, past, past)
	}
	_, files = readNginxServersFiles(conf)
	fresh := func() *servedScanner {
		s := &servedScanner{answers: map[string]servedAnswer{
			"nginx":  {Kind: ask.HTTP, Status: 404},
			"silent": {Kind: ask.Unanswered},
		}}
		s.configFiles, s.configStamp = files, configStamp(files)
		return s
	}
	s := fresh()
	s.configChanged()
	if len(s.answers) != 2 {
		t.Fatalf("nothing changed, answers %v: want both kept", s.answers)
	}
	for _, change := range []struct {
		what string
		do   func() error
	}{
		{"the file edited", func() error {
			return os.WriteFile(conf, []byte("events {}\nhttp { include conf.d/*.conf; server { server_name x; } }\n"), 0o644)
		}},
		{"a file put in conf.d", func() error {
			return os.WriteFile(filepath.Join(dir, "conf.d", "flowmeter.conf"), []byte("server { server_name x; }\n"), 0o644)
		}},
	} {
		s := fresh()
		if err := change.do(); err != nil {
			t.Fatal(err)
		}
		s.configChanged()
		if _, ok := s.answers["nginx"]; ok {
			t.Errorf("%s: the HTTP answer was kept; want it asked again", change.what)
		}
		if _, ok := s.answers["silent"]; !ok {
			t.Errorf("%s: an answer that was not HTTP went too", change.what)
		}
		_, files = readNginxServersFiles(conf)
	}
}
