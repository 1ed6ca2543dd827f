// Package ask asks one listening socket of this computer what it serves,
// the way a neighbour would ask it, and without harm: it waits briefly for
// the server to speak first (a service that greets — SSH, SMTP, FTP, most
// databases — is not HTTP and is sent nothing), never connects to the
// ports of services that act on raw bytes (NeverSend), sends one small
// GET, and tries TLS only when the plain request was refused the way a
// TLS server refuses it. What the answer means is for the caller.
package ask

import (
	"bufio"
	"cmp"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"
)

// Kind is what a socket did when asked.
type Kind int

// What a socket may do when asked.
const (
	// Unanswered: it accepted and said nothing in time, before or after
	// the request (a silent service, or a server too busy to answer).
	Unanswered Kind = iota
	// Refused: the connection was refused or timed out: nothing was sent.
	Refused
	// Greeted: it spoke first (SSH, SMTP, FTP, a database): not HTTP, and
	// nothing was sent to it.
	Greeted
	// Closed: it closed the connection without a byte of answer.
	Closed
	// NotHTTP: it answered with bytes that are not HTTP.
	NotHTTP
	// HTTP: it answered HTTP (Answer.Status, Answer.Body).
	HTTP
	// Skipped: its port is on the NeverSend list: not even connected to.
	Skipped
)

// String names the kind for people and logs.
func (k Kind) String() string {
	switch k {
	case Refused:
		return "refused"
	case Greeted:
		return "greeted"
	case Closed:
		return "closed"
	case NotHTTP:
		return "not-http"
	case HTTP:
		return "http"
	case Skipped:
		return "skipped"
	}
	return "unanswered"
}

// Answer is what one socket answered.
type Answer struct {
	Kind Kind
	// TLS is true when the answer came over TLS.
	TLS bool
	// Status is the HTTP status code (Kind HTTP).
	Status int
	// Body is the start of a 200 answer's body, at most MaxBody bytes.
	Body []byte
	// Greeting is the start of what a greeting service said, printable.
	Greeting string
	// Host is the name the answer came for (the Host header, and the TLS
	// server name), "" when asked by address.
	Host string
	// NamesAsked is how many of Options.Names were asked (in their order)
	// before the asking by names ended; fewer than all when the server
	// stopped answering or the time ran out first.
	NamesAsked int
}

// MaxBody is how much of an answer's body is read.
const MaxBody = 64 << 10

// Options tune one Ask.
type Options struct {
	// Dial connects (the caller's guard that only this computer's
	// addresses are dialled); nil uses a plain net.Dialer.
	Dial func(ctx context.Context, network, address string) (net.Conn, error)
	// GreetingWait is how long to wait for the server to speak first
	// before sending a byte; 0 means DefaultGreetingWait.
	GreetingWait time.Duration
	// Timeout bounds the whole exchange after the connect; 0 means 800 ms.
	Timeout time.Duration
	// Path is what is asked for; "" means /api/info.
	Path string
	// Sent, when set, is called right after the request is written,
	// while the server (or whatever it passes the request on to) serves
	// it; Served once the answer is read, with the connection still open
	// (a relay that passes bytes on still holds its own connection
	// onward then).
	Sent, Served func()
	// NoTLS never retries over TLS.
	NoTLS bool
	// Host, when set, is the name asked for in the Host header (and as
	// the TLS server name) instead of the address.
	Host string
	// Names are asked for in turn, after an HTTP answer Want rejects, as
	// a neighbour who types one of this computer's names asks: a virtual
	// host that answers the address with 404 may serve something else to
	// a name. Only a server that answered HTTP is asked again (never a
	// greeting service), on the same connection when it kept it open,
	// else on a new one, all within one more Timeout. The name is only
	// written in the request: it is never resolved, and only addr is
	// connected to.
	Names []string
	// Want reports whether an answer is the one looked for (it ends the
	// asking by names); nil means any HTTP answer is.
	Want func(Answer) bool
	// Answered, when set, is called once the answer by address came and
	// the names are about to be asked: a deadline the caller set for that
	// first answer ends there, as the names have a Timeout of their own.
	Answered func()
}

// DefaultGreetingWait is how long a server is given to speak first. SSH,
// SMTP, FTP, MySQL and the like greet as soon as they accept; HTTP servers
// never do.
const DefaultGreetingWait = 60 * time.Millisecond

// Ask asks addr:port for opts.Path (GET /api/info). addr must be one of
// this computer's addresses; opts.Dial is where the caller enforces it.
func Ask(ctx context.Context, addr netip.Addr, port int, opts Options) Answer {
	if _, never := NeverSend(port); never {
		return Answer{Kind: Skipped}
	}
	if opts.Timeout <= 0 {
		opts.Timeout = 800 * time.Millisecond
	}
	if opts.GreetingWait <= 0 {
		opts.GreetingWait = DefaultGreetingWait
	}
	if opts.Path == "" {
		opts.Path = "/api/info"
	}
	if opts.Dial == nil {
		d := &net.Dialer{Timeout: 300 * time.Millisecond, KeepAlive: -1} // an exchange of a second: no keep-alive probes to set up
		opts.Dial = d.DialContext
	}
	target := netip.AddrPortFrom(addr.Unmap(), uint16(port)).String()
	a, s := byAddress(ctx, target, opts)
	if a.Kind != HTTP || len(opts.Names) == 0 || opts.Want == nil || opts.Want(a) {
		s.close()
		return a
	}
	if opts.Answered != nil {
		opts.Answered()
	}
	return byNames(ctx, target, opts, a, s)
}

// byAddress asks by address (or opts.Host): plain, then over TLS when the
// plain request was refused the way a TLS server refuses it. The session
// is the connection it answered on while that can take another request,
// nil otherwise.
func byAddress(ctx context.Context, target string, opts Options) (Answer, *session) {
	ctx, cancel := context.WithTimeout(ctx, opts.GreetingWait+opts.Timeout)
	defer cancel()
	a, s := plain(ctx, target, opts)
	if !opts.NoTLS && tlsRefusal(a) && ctx.Err() == nil {
		s.close()
		t, ts := overTLS(ctx, target, opts.Host, opts)
		if t.Kind == HTTP {
			return t, ts
		}
		ts.close()
	}
	return a, s
}

// byNames asks a server that answered HTTP (first) again with each of
// opts.Names in turn, within one more opts.Timeout, and returns the first
// answer opts.Want takes (with its Host); else the first gateway error a
// name got (502, 503, 504: something is set up behind that name, and
// nothing answers there yet), else first. A plain connection
// kept open is reused; a TLS one is not (the server name is chosen in the
// handshake), nor one the server closes.
func byNames(ctx context.Context, target string, opts Options, firstAnswer Answer, s *session) Answer {
	ctx, cancel := context.WithTimeout(ctx, opts.Timeout)
	defer cancel()
	var gateway Answer
	if firstAnswer.TLS {
		s.close()
		s = nil
	}
	asked := 0
	for _, name := range opts.Names {
		if ctx.Err() != nil {
			break
		}
		if s == nil {
			s = redial(ctx, target, name, firstAnswer.TLS, opts)
			if s == nil {
				break
			}
		}
		a, again := s.request(ctx, name, opts)
		if !again || firstAnswer.TLS {
			s.close()
			s = nil
		}
		if a.Kind != HTTP {
			break // it answered HTTP before: it is busy or going away now
		}
		asked++
		a.TLS, a.Host, a.NamesAsked = firstAnswer.TLS, name, asked
		if opts.Want(a) {
			s.close()
			return a
		}
		if gateway.Kind != HTTP && (a.Status == 502 || a.Status == 503 || a.Status == 504) {
			gateway = a
		}
	}
	s.close()
	firstAnswer.NamesAsked, gateway.NamesAsked = asked, asked
	if gateway.Kind == HTTP {
		return gateway
	}
	return firstAnswer
}

// redial opens a new connection for a name, over TLS with the name as
// its server name when the first answer came over TLS. There is no
// greeting wait: the server answered HTTP already.
func redial(ctx context.Context, target, name string, overTLS bool, opts Options) *session {
	raw, err := opts.Dial(ctx, "tcp", target)
	if err != nil {
		return nil
	}
	if !overTLS {
		return &session{conn: raw, br: bufio.NewReader(raw), target: target}
	}
	conn, err := handshake(ctx, raw, name)
	if err != nil {
		return nil
	}
	return &session{conn: conn, br: bufio.NewReader(conn), target: target, tls: true}
}

// session is a connection a request can be written on, with what was
// read of it.
type session struct {
	conn   net.Conn
	br     *bufio.Reader
	target string
	tls    bool
}

// close closes the connection; a nil session is nothing to close.
func (s *session) close() {
	if s != nil {
		s.conn.Close()
	}
}

// plain asks over a plain connection, after the greeting wait.
func plain(ctx context.Context, target string, opts Options) (Answer, *session) {
	conn, err := opts.Dial(ctx, "tcp", target)
	if err != nil {
		return Answer{Kind: Refused}, nil
	}
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	conn.SetReadDeadline(time.Now().Add(opts.GreetingWait))
	buf := make([]byte, 64)
	n, err := conn.Read(buf)
	stop()
	switch {
	case n > 0:
		conn.Close()
		return Answer{Kind: Greeted, Greeting: printable(buf[:n])}, nil
	case !isTimeout(err) || ctx.Err() != nil:
		conn.Close()
		return Answer{Kind: Closed}, nil
	}
	s := &session{conn: conn, br: bufio.NewReader(conn), target: target}
	a, again := s.request(ctx, opts.Host, opts)
	if !again {
		conn.Close()
		return a, nil
	}
	return a, s
}

// overTLS asks over TLS: a new connection, no greeting wait (TLS servers
// wait for the client, and the plain attempt already waited). host, when
// set, is the server name (SNI) and the Host header.
func overTLS(ctx context.Context, target, host string, opts Options) (Answer, *session) {
	raw, err := opts.Dial(ctx, "tcp", target)
	if err != nil {
		return Answer{Kind: Refused}, nil
	}
	conn, err := handshake(ctx, raw, host)
	if err != nil {
		return Answer{Kind: Closed, TLS: true}, nil
	}
	s := &session{conn: conn, br: bufio.NewReader(conn), target: target, tls: true}
	a, again := s.request(ctx, host, opts)
	a.TLS = true
	if !again {
		s.close()
		return a, nil
	}
	return a, s
}

// handshake runs the TLS handshake on raw, with name as the server name
// when set; raw is closed when it fails.
func handshake(ctx context.Context, raw net.Conn, name string) (net.Conn, error) {
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Now()) })
	defer stop()
	// The certificate is not what is judged: the answer is. A local
	// FlowMeter behind TLS has a self-signed certificate at best.
	// X25519 first, its key share the one sent (a server that wants
	// another group of the list asks for it): the answer is judged, not
	// kept secret, and the post-quantum key share Go sends first by
	// default costs more than the rest of the handshake. A server of the
	// post-quantum group alone still gets it, asking.
	curves := []tls.CurveID{tls.X25519, tls.CurveP256, tls.CurveP384, tls.CurveP521, tls.X25519MLKEM768}
	cfg := &tls.Config{InsecureSkipVerify: true, ServerName: name, CurvePreferences: curves} //nolint:gosec // identity is judged by the answer
	conn := tls.Client(raw, cfg)
	if err := conn.HandshakeContext(ctx); err != nil {
		raw.Close()
		return nil, err
	}
	return conn, nil
}

// request writes one GET for opts.Path with host in the Host header (the
// address when ""), and reads the answer, within ctx; again reports
// whether the connection can take another request (the server kept it
// open and the whole answer was read).
func (s *session) request(ctx context.Context, host string, opts Options) (a Answer, again bool) {
	stop := context.AfterFunc(ctx, func() { s.conn.SetDeadline(time.Now()) })
	defer stop()
	deadline, _ := ctx.Deadline()
	s.conn.SetDeadline(deadline)
	// Keep-alive (HTTP/1.1 without "Connection: close"): a relay keeps its
	// connection onward while this one stays open, so Served sees it.
	req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\nUser-Agent: localguard\r\n\r\n", opts.Path, cmp.Or(host, s.target))
	if _, err := io.WriteString(s.conn, req); err != nil {
		return Answer{Kind: Closed}, false
	}
	if opts.Sent != nil {
		opts.Sent()
	}
	a, again = readAnswer(ctx, s.br)
	if opts.Served != nil {
		opts.Served()
	}
	return a, again && ctx.Err() == nil
}

// readAnswer reads an HTTP answer, or says what came instead; again
// reports whether the connection can take another request.
func readAnswer(ctx context.Context, br *bufio.Reader) (Answer, bool) {
	first, err := br.Peek(1)
	switch {
	case err != nil && isTimeout(err):
		return Answer{Kind: Unanswered}, false
	case err != nil:
		if ctx.Err() != nil {
			return Answer{Kind: Unanswered}, false
		}
		return Answer{Kind: Closed}, false
	case first[0] != 'H':
		b, _ := br.Peek(min(br.Buffered(), 64))
		return Answer{Kind: NotHTTP, Greeting: printable(b)}, false
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		if isTimeout(err) {
			return Answer{Kind: Unanswered}, false
		}
		return Answer{Kind: NotHTTP}, false
	}
	defer resp.Body.Close()
	a := Answer{Kind: HTTP, Status: resp.StatusCode}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	if err != nil && isTimeout(err) {
		return Answer{Kind: Unanswered}, false
	}
	a.Body = body
	if err != nil || resp.Close {
		return a, false
	}
	// The rest of a longer body is not read: the connection is not reused.
	n, _ := resp.Body.Read(make([]byte, 1))
	return a, n == 0
}

// tlsRefusal reports whether a plain answer is how TLS servers refuse a
// plain request: closing without a word, a TLS alert or handshake record,
// or an HTTP 400 that says so (nginx's "plain HTTP request was sent to
// HTTPS port").
func tlsRefusal(a Answer) bool {
	switch a.Kind {
	case Closed:
		return true
	case NotHTTP:
		return strings.HasPrefix(a.Greeting, `\x15`) || strings.HasPrefix(a.Greeting, `\x16`)
	case HTTP:
		s := strings.ToLower(string(a.Body))
		return a.Status == http.StatusBadRequest && (strings.Contains(s, "https") || strings.Contains(s, "tls") || strings.Contains(s, "ssl"))
	}
	return false
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// printable is b with bytes that are not printable ASCII escaped.
func printable(b []byte) string {
	var s strings.Builder
	for _, c := range b {
		if c >= 0x20 && c < 0x7f {
			s.WriteByte(c)
		} else {
			s.WriteString(`\x` + strconv.FormatUint(uint64(c)>>4, 16) + strconv.FormatUint(uint64(c)&15, 16))
		}
	}
	return s.String()
}
