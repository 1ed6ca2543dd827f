package ask

import (
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// A virtual host: FlowMeter's answer for the name mylaptop, 404 for the
// address and for every other name.

const infoBody = `{"name":"FlowMeter API","version":"1","docs":"/docs","health":"/health"}`

func isInfo(a Answer) bool {
	return a.Status == 200 && strings.Contains(string(a.Body), `"docs":"/docs"`)
}

// vhost serves infoBody for host, 404 otherwise, and counts connections
// and requests; closeEach makes it close the connection after each answer.
func vhost(t *testing.T, host string, closeEach bool, tlsToo bool) (srv *httptest.Server, conns, reqs *atomic.Int64, hosts *[]string) {
	t.Helper()
	conns, reqs = new(atomic.Int64), new(atomic.Int64)
	var seen []string
	hosts = &seen
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reqs.Add(1)
		seen = append(seen, r.Host)
		if closeEach {
			w.Header().Set("Connection", "close")
		}
		if r.Host != host || r.TLS != nil && r.TLS.ServerName != host {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(infoBody))
	})
	srv = httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	if tlsToo {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv, conns, reqs, hosts
}

func portOf(t *testing.T, srv *httptest.Server) int {
	t.Helper()
	return srv.Listener.Addr().(*net.TCPAddr).Port
}

func TestNamesAskedAfterAnAddressAnswer(t *testing.T) {
	for _, tc := range []struct {
		name      string
		closeEach bool
		tls       bool
		wantConns int64
	}{
		{"keep-alive: one connection for the address and every name", false, false, 1},
		{"the server closes after each answer: a connection per request", true, false, 3},
		{"over TLS: a connection per name, the name as server name", false, true, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, conns, reqs, hosts := vhost(t, "mylaptop", tc.closeEach, tc.tls)
			a := Ask(context.Background(), lo, portOf(t, srv), Options{Names: []string{"other", "mylaptop", "never-asked"}, Want: isInfo, Timeout: time.Second})
			if a.Kind != HTTP || !isInfo(a) || a.Host != "mylaptop" || a.TLS != tc.tls {
				t.Fatalf("answer %+v: want FlowMeter's, for mylaptop", a)
			}
			if n := reqs.Load(); n != 3 {
				t.Errorf("%d requests (hosts %v), want 3: the address, other, mylaptop — none after the answer", n, *hosts)
			}
			if n := conns.Load(); n != tc.wantConns {
				t.Errorf("%d connections, want %d", n, tc.wantConns)
			}
		})
	}
}

func TestNamesNotAsked(t *testing.T) {
	srv, _, reqs, _ := vhost(t, "mylaptop", false, false)
	// Without Want, the first HTTP answer is the answer.
	if a := Ask(context.Background(), lo, portOf(t, srv), Options{Names: []string{"mylaptop"}}); a.Status != 404 || a.Host != "" || reqs.Load() != 1 {
		t.Errorf("answer %+v after %d requests: want the address's 404 only", a, reqs.Load())
	}
	// None of the names: the address's answer, after each was asked.
	reqs.Store(0)
	if a := Ask(context.Background(), lo, portOf(t, srv), Options{Names: []string{"a", "b"}, Want: isInfo}); a.Status != 404 || a.Host != "" || reqs.Load() != 3 {
		t.Errorf("answer %+v after %d requests: want the address's 404, after 3", a, reqs.Load())
	}
	// Host asks for the name from the start.
	reqs.Store(0)
	if a := Ask(context.Background(), lo, portOf(t, srv), Options{Host: "mylaptop"}); !isInfo(a) || reqs.Load() != 1 {
		t.Errorf("answer %+v after %d requests: want FlowMeter's at once", a, reqs.Load())
	}
}

// A greeting service, a silent one and one that is not HTTP are never
// asked by name: only a server that answered HTTP is.
func TestNamesOnlyForHTTP(t *testing.T) {
	for _, tc := range []struct {
		name  string
		serve func(c net.Conn, s *server)
		want  Kind
	}{
		{"greeting", func(c net.Conn, s *server) { c.Write([]byte("SSH-2.0-x\r\n")); s.count(c) }, Greeted},
		{"not HTTP", func(c net.Conn, s *server) { s.countOnce(c); c.Write([]byte("+OK\r\n")); s.count(c) }, NotHTTP},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var conns atomic.Int64
			s := newServer(t, func(c net.Conn, s *server) { conns.Add(1); tc.serve(c, s) })
			a := Ask(context.Background(), lo, s.port(), Options{Names: []string{"a", "b"}, Want: isInfo, Timeout: 300 * time.Millisecond, NoTLS: true})
			if a.Kind != tc.want || conns.Load() != 1 {
				t.Errorf("answer %v after %d connections, want %v after one", a.Kind, conns.Load(), tc.want)
			}
		})
	}
}

// countOnce reads what the client sent first.
func (s *server) countOnce(c net.Conn) {
	buf := make([]byte, 1024)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	n, _ := c.Read(buf)
	s.received.Add(int64(n))
}

// A name whose virtual host has nothing behind it yet (a gateway error) is
// the answer kept: its far end is missing, and is asked again when a
// socket appears.
func TestNamesGatewayError(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Host == "fm.lab" {
			w.WriteHeader(http.StatusBadGateway)
			return
		}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	a := Ask(context.Background(), lo, portOf(t, srv), Options{Names: []string{"a", "fm.lab", "b"}, Want: isInfo})
	if a.Status != http.StatusBadGateway || a.Host != "fm.lab" {
		t.Errorf("answer %+v: want fm.lab's 502", a)
	}
}

// slowVhost is vhost with each answer delayed by delay.
func slowVhost(t *testing.T, host string, delay time.Duration) int {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(delay)
		if r.Host != host {
			http.NotFound(w, r)
			return
		}
		w.Write([]byte(infoBody))
	}))
	t.Cleanup(srv.Close)
	return portOf(t, srv)
}

// The caller learns when the names begin (Answered, so its own wait for
// the first answer ends there), and how many names were asked: a round
// the time cut short says so, and its answer is not the last word.
func TestNamesAskedCounted(t *testing.T) {
	port := slowVhost(t, "mylaptop", 100*time.Millisecond)
	names := []string{"x", "y", "mylaptop"}
	var answered atomic.Int64
	opts := Options{Names: names, Want: isInfo, Timeout: 250 * time.Millisecond, Answered: func() { answered.Add(1) }}
	a := Ask(context.Background(), lo, port, opts)
	if answered.Load() != 1 {
		t.Errorf("Answered called %d times, want once", answered.Load())
	}
	if isInfo(a) || a.NamesAsked >= len(names) {
		t.Errorf("names cut by the time: answer %d for %q, %d names asked; want fewer than %d and not FlowMeter's", a.Status, a.Host, a.NamesAsked, len(names))
	}
	opts.Timeout = 5 * time.Second
	if a := Ask(context.Background(), lo, port, opts); !isInfo(a) || a.NamesAsked != 3 || a.Host != "mylaptop" {
		t.Errorf("every name within the time: answer %d for %q after %d names; want FlowMeter's for mylaptop after 3", a.Status, a.Host, a.NamesAsked)
	}
}
