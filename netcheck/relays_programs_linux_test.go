package netcheck

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"localguard/testdata/netns"
)

// The reverse proxy and the tunnels, with the real nginx, sshd and ssh.

func TestRelayNginx(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	nginx := needProgram(t, "nginx", "nginx-light")
	l := newLAN(t)
	env, port := flowMeterOnLoopback(t)
	dir := t.TempDir()
	os.Chmod(dir, 0o755)
	rp := freePort(t)
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
    include %[1]s/sites/*.conf;
}
`, dir)), 0o644)
	os.MkdirAll(filepath.Join(dir, "sites"), 0o755)
	os.WriteFile(filepath.Join(dir, "sites", "flowmeter.conf"), []byte(fmt.Sprintf(`server {
    listen %d;
    location / {
        proxy_pass http://127.0.0.1:%d;
    }
}
`, rp, port)), 0o644)
	n := start(t, dir, nginx, childEnv(), "nginx", "-e", filepath.Join(dir, "error.log"), "-p", dir+"/", "-c", conf)
	n.waitListening(t, rp, any4)
	c := Open(context.Background(), env, nil, t.TempDir(), childEnv())
	// Idle: found by its configuration.
	if v := c.Check(context.Background()); relayOn(v, rp) == nil {
		t.Errorf("idle nginx not found by its configuration: %s: %s", v.Status, v.Message)
	}
	r := wantRelay(t, l, c, l.v4, rp, true, true)
	if r == nil {
		return
	}
	if r.PID != n.pid() || r.Program != "nginx" || r.TargetPort != port || r.Cause != "config" || !strings.Contains(r.Advice, fmt.Sprintf("listen 127.0.0.1:%d;", rp)) {
		t.Errorf("relay %+v", *r)
	}
}

// sshServer runs sshd -D on addr:port with its own configuration, host key
// and authorized key, in the network namespace ns ("" for this one), and
// returns the client's key.
func sshServer(t *testing.T, ns string, addr netip.Addr, port int) string {
	t.Helper()
	needRoot(t)
	sshd := needProgram(t, "sshd", "openssh-server")
	keygen := needProgram(t, "ssh-keygen", "openssh-client")
	dir := t.TempDir()
	for _, k := range []string{"host", "client"} {
		if out, err := exec.Command(keygen, "-q", "-t", "ed25519", "-N", "", "-f", filepath.Join(dir, k)).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v: %s", err, out)
		}
	}
	pub, _ := os.ReadFile(filepath.Join(dir, "client.pub"))
	os.WriteFile(filepath.Join(dir, "authorized_keys"), pub, 0o600)
	conf := filepath.Join(dir, "sshd_config")
	os.WriteFile(conf, []byte(fmt.Sprintf(`Port %d
ListenAddress %s
HostKey %s/host
AuthorizedKeysFile %s/authorized_keys
PidFile %s/sshd.pid
StrictModes no
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
AllowTcpForwarding yes
GatewayPorts no
`, port, addr, dir, dir, dir)), 0o600)
	os.MkdirAll("/run/sshd", 0o755)                // sshd's privilege separation folder
	argv := []string{sshd, "-D", "-e", "-f", conf} // sshd re-executes itself by argv[0]
	path := sshd
	if ns != "" {
		argv = append([]string{"ip", "netns", "exec", ns, sshd}, argv[1:]...)
		path = ""
	}
	s := start(t, "/", path, childEnv(), argv...)
	deadline := time.Now().Add(10 * time.Second)
	for {
		cmd := []string{python, "-c", fmt.Sprintf("import socket; socket.create_connection((%q, %d), timeout=1)", addr, port)}
		if ns != "" {
			cmd = append([]string{"ip", "netns", "exec", ns}, cmd...)
		}
		if exec.Command(cmd[0], cmd[1:]...).Run() == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("sshd does not listen on %s:%d: %s", addr, port, s.out)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return filepath.Join(dir, "client")
}

// sshClient starts ssh with the key and the forwarding options given.
func sshClient(t *testing.T, key string, addr netip.Addr, port int, opts ...string) *child {
	t.Helper()
	ssh := needProgram(t, "ssh", "openssh-client")
	argv := append([]string{"ssh", "-F", "/dev/null", "-i", key, "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
		"-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes", "-N", "-p", fmt.Sprint(port)}, opts...)
	argv = append(argv, "root@"+addr.String())
	return start(t, "/", ssh, childEnv(), argv...)
}

func TestRelaySSH(t *testing.T) {
	if netns.Own(t) {
		return
	}
	needUvicorn(t)
	l := newLAN(t)
	env, port := flowMeterOnLoopback(t)
	c := Open(context.Background(), env, nil, t.TempDir(), childEnv())

	t.Run("ssh -g -L to a local sshd", func(t *testing.T) {
		sp := freePort(t)
		key := sshServer(t, "", lo4, sp)
		rp := freePort(t)
		cl := sshClient(t, key, lo4, sp, "-g", "-L", fmt.Sprintf("%d:127.0.0.1:%d", rp, port))
		cl.waitListening(t, rp, any4)
		r := wantRelay(t, l, c, l.v4, rp, true, true)
		if r == nil {
			return
		}
		checkSSHLocalForward(t, r, cl.pid(), rp, port)
	})
	t.Run("ssh -L without -g: loopback only", func(t *testing.T) {
		sp := freePort(t)
		key := sshServer(t, "", lo4, sp)
		rp := freePort(t)
		cl := sshClient(t, key, lo4, sp, "-L", fmt.Sprintf("%d:127.0.0.1:%d", rp, port))
		cl.waitListening(t, rp, lo4)
		wantRelay(t, l, c, l.v4, rp, false, true)
	})
	t.Run("ssh -R into the neighbour's sshd", func(t *testing.T) { checkSSHRemoteForward(t, l, c, env, port) })
}

// checkSSHLocalForward wants the relay r of ssh -g -L (pid, from rp to
// FlowMeter's port) reported as ssh's proxy, advised to listen on loopback
// without -g.
func checkSSHLocalForward(t *testing.T, r *Relay, pid int32, rp, port int) {
	t.Helper()
	if r.PID != pid || r.Program != "ssh" || r.Kind != RelayProxy || r.TargetPort != port ||
		!strings.Contains(r.Advice, fmt.Sprintf("-L 127.0.0.1:%d:127.0.0.1:%d", rp, port)) || strings.Contains(r.Advice[strings.Index(r.Advice, ": "):], " -g ") {
		t.Errorf("relay %+v (ssh's pid %d, FlowMeter's port %d)", *r, pid, port)
	}
}

// checkSSHRemoteForward starts ssh -R from this computer into the
// neighbour's sshd, forwarding the FlowMeter on port, and wants the
// neighbour to read FlowMeter on its own loopback and the verdicts (the
// kept Checker c's and a fresh one's for env) exposed by that tunnel.
func checkSSHRemoteForward(t *testing.T, l lan, c *Checker, env string, port int) {
	peer := netip.MustParseAddr(strings.TrimSuffix(l.v4.String(), ".1") + ".2")
	sp := freePort(t)
	key := sshServer(t, l.ns, peer, sp)
	fwd := freePort(t)
	cl := sshClient(t, key, peer, sp, "-R", fmt.Sprintf("%d:127.0.0.1:%d", fwd, port))
	// The neighbour reads FlowMeter on its own loopback.
	deadline := time.Now().Add(10 * time.Second)
	for !l.reads(t, lo4, fwd) {
		if time.Now().After(deadline) {
			t.Fatalf("the neighbour cannot read FlowMeter through the tunnel: %s", cl.out)
		}
		time.Sleep(100 * time.Millisecond)
	}
	for _, v := range []Verdict{c.Check(context.Background()), judgeAsUser(t, env)} {
		r := relayOn(v, fwd)
		if v.Status != StatusExposed || r == nil {
			t.Fatalf("the neighbour reads FlowMeter through ssh -R, yet: %s: %s\n%s", v.Status, v.Message, relaysOf(v))
		}
		if r.Kind != RelayTunnel || r.PID != cl.pid() || r.Remote != netip.AddrPortFrom(peer, uint16(sp)).String() || r.TargetPort != port {
			t.Errorf("tunnel %+v", *r)
		}
		t.Logf("%s: %s", v.Status, v.Message)
	}
}
