package ask

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// server is a TCP service on 127.0.0.1 that counts the bytes it receives
// and does what serve says with each connection.
type server struct {
	ln       net.Listener
	received atomic.Int64
}

func newServer(t *testing.T, serve func(c net.Conn, s *server)) *server {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &server{ln: ln}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go serve(c, s)
		}
	}()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *server) port() int { return s.ln.Addr().(*net.TCPAddr).Port }

// count reads and counts until the peer closes or 2 s pass.
func (s *server) count(c net.Conn) {
	buf := make([]byte, 1024)
	c.SetReadDeadline(time.Now().Add(2 * time.Second))
	for {
		n, err := c.Read(buf)
		s.received.Add(int64(n))
		if err != nil {
			return
		}
	}
}

var lo = netip.MustParseAddr("127.0.0.1")

func TestGreetingServiceIsSentNothing(t *testing.T) {
	s := newServer(t, func(c net.Conn, s *server) {
		defer c.Close()
		c.Write([]byte("SSH-2.0-OpenSSH_9.2p1\r\n"))
		s.count(c)
	})
	a := Ask(context.Background(), lo, s.port(), Options{})
	if a.Kind != Greeted || !strings.HasPrefix(a.Greeting, "SSH-2.0") {
		t.Fatalf("answer %+v, want greeted", a)
	}
	time.Sleep(100 * time.Millisecond)
	if n := s.received.Load(); n != 0 {
		t.Errorf("the greeting service received %d bytes", n)
	}
}

func TestNeverSendPortIsNotConnected(t *testing.T) {
	var dialled atomic.Bool
	opts := Options{Dial: func(ctx context.Context, network, addr string) (net.Conn, error) {
		dialled.Store(true)
		return nil, fmt.Errorf("no")
	}}
	for _, port := range []int{9100, 515, 502} {
		if a := Ask(context.Background(), lo, port, opts); a.Kind != Skipped {
			t.Errorf("port %d: %+v, want skipped", port, a)
		}
		if _, never := NeverSend(port); !never {
			t.Errorf("port %d is not on the list", port)
		}
	}
	if dialled.Load() {
		t.Error("a raw-byte port was dialled")
	}
}

func TestHTTPAnswer(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/info" {
			http.NotFound(w, r)
			return
		}
		fmt.Fprint(w, `{"name":"x","docs":"/docs","health":"/health"}`)
	}))
	defer srv.Close()
	ap := netip.MustParseAddrPort(srv.Listener.Addr().String())
	a := Ask(context.Background(), ap.Addr(), int(ap.Port()), Options{})
	if a.Kind != HTTP || a.Status != 200 || a.TLS || !strings.Contains(string(a.Body), `"docs":"/docs"`) {
		t.Fatalf("answer %+v", a)
	}
}

func TestTLSAnswer(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprint(w, `{"name":"x","docs":"/docs","health":"/health"}`)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	defer srv.Close()
	ap := netip.MustParseAddrPort(srv.Listener.Addr().String())
	a := Ask(context.Background(), ap.Addr(), int(ap.Port()), Options{})
	if a.Kind != HTTP || !a.TLS || a.Status != 200 {
		t.Fatalf("answer %+v, want HTTP over TLS", a)
	}
	// A server that takes one group only, not the one whose key share is
	// sent first, asks for it (HelloRetryRequest), TLS 1.3 and 1.2 alike.
	for _, c := range []struct {
		version uint16
		group   tls.CurveID
	}{{tls.VersionTLS13, tls.CurveP384}, {tls.VersionTLS12, tls.CurveP384}, {tls.VersionTLS13, tls.X25519MLKEM768}} {
		only := httptest.NewUnstartedServer(srv.Config.Handler)
		only.Config.ErrorLog = log.New(io.Discard, "", 0)
		only.TLS = &tls.Config{CurvePreferences: []tls.CurveID{c.group}, MinVersion: c.version, MaxVersion: c.version}
		only.StartTLS()
		defer only.Close()
		ap := netip.MustParseAddrPort(only.Listener.Addr().String())
		if a := Ask(context.Background(), ap.Addr(), int(ap.Port()), Options{}); a.Kind != HTTP || !a.TLS || a.Status != 200 {
			t.Errorf("a TLS %x server of %v only: %+v, want HTTP over TLS", c.version, c.group, a)
		}
	}
	// Go's TLS server refuses a plain request with a 400 that says so.
	if a := Ask(context.Background(), ap.Addr(), int(ap.Port()), Options{NoTLS: true}); a.Kind == HTTP && a.Status == 200 {
		t.Errorf("NoTLS: %+v", a)
	}
}

func TestSilentAndClosing(t *testing.T) {
	silent := newServer(t, func(c net.Conn, s *server) { defer c.Close(); s.count(c) })
	a := Ask(context.Background(), lo, silent.port(), Options{Timeout: 200 * time.Millisecond, NoTLS: true})
	if a.Kind != Unanswered {
		t.Errorf("silent: %+v", a)
	}
	closing := newServer(t, func(c net.Conn, s *server) { c.Close() })
	if a := Ask(context.Background(), lo, closing.port(), Options{NoTLS: true}); a.Kind != Closed {
		t.Errorf("closing: %+v", a)
	}
	ln, _ := net.Listen("tcp4", "127.0.0.1:0")
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	if a := Ask(context.Background(), lo, port, Options{}); a.Kind != Refused {
		t.Errorf("refused: %+v", a)
	}
}

// TestServedSeesTheConnectionOpen: Served runs with the connection still
// open, after the answer is read.
func TestServedSeesTheConnectionOpen(t *testing.T) {
	var open atomic.Bool
	s := newServer(t, func(c net.Conn, s *server) {
		defer c.Close()
		buf := make([]byte, 1024)
		c.Read(buf)
		c.Write([]byte("HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno"))
		c.SetReadDeadline(time.Now().Add(time.Second))
		_, err := c.Read(buf) // EOF only once the asker closed
		open.Store(err != nil)
	})
	sent := false
	a := Ask(context.Background(), lo, s.port(), Options{NoTLS: true, Sent: func() { sent = true }, Served: func() {
		time.Sleep(50 * time.Millisecond)
		if open.Load() {
			t.Error("the connection was closed before Served")
		}
	}})
	if a.Kind != HTTP || a.Status != 404 || !sent {
		t.Errorf("answer %+v, sent %v", a, sent)
	}
}
