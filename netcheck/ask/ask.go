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
		d := &net.Dialer{Timeout: 300 * time.Millisecond}
		opts.Dial = d.DialContext
	}
	ctx, cancel := context.WithTimeout(ctx, opts.GreetingWait+opts.Timeout)
	defer cancel()
	target := netip.AddrPortFrom(addr.Unmap(), uint16(port)).String()
	a := plain(ctx, target, opts)
	if !opts.NoTLS && tlsRefusal(a) && ctx.Err() == nil {
		if t := overTLS(ctx, target, opts); t.Kind == HTTP {
			return t
		}
	}
	return a
}

// plain asks over a plain connection, after the greeting wait.
func plain(ctx context.Context, target string, opts Options) Answer {
	conn, err := opts.Dial(ctx, "tcp", target)
	if err != nil {
		return Answer{Kind: Refused}
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()
	conn.SetReadDeadline(time.Now().Add(opts.GreetingWait))
	buf := make([]byte, 64)
	n, err := conn.Read(buf)
	switch {
	case n > 0:
		return Answer{Kind: Greeted, Greeting: printable(buf[:n])}
	case !isTimeout(err) || ctx.Err() != nil:
		return Answer{Kind: Closed}
	}
	return exchange(ctx, conn, target, opts)
}

// overTLS asks over TLS: a new connection, no greeting wait (TLS servers
// wait for the client, and the plain attempt already waited).
func overTLS(ctx context.Context, target string, opts Options) Answer {
	raw, err := opts.Dial(ctx, "tcp", target)
	if err != nil {
		return Answer{Kind: Refused}
	}
	defer raw.Close()
	stop := context.AfterFunc(ctx, func() { raw.SetDeadline(time.Now()) })
	defer stop()
	// The certificate is not what is judged: the answer is. A local
	// FlowMeter behind TLS has a self-signed certificate at best.
	conn := tls.Client(raw, &tls.Config{InsecureSkipVerify: true}) //nolint:gosec // identity is judged by the answer
	if err := conn.HandshakeContext(ctx); err != nil {
		return Answer{Kind: Closed, TLS: true}
	}
	a := exchange(ctx, conn, target, opts)
	a.TLS = true
	return a
}

// exchange writes the request and reads the answer.
func exchange(ctx context.Context, conn net.Conn, target string, opts Options) Answer {
	deadline, _ := ctx.Deadline()
	conn.SetDeadline(deadline)
	// Keep-alive (HTTP/1.1 without "Connection: close"): a relay keeps its
	// connection onward while this one stays open, so Served sees it.
	req := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: %s\r\nAccept: application/json\r\nUser-Agent: localguard\r\n\r\n", opts.Path, target)
	if _, err := io.WriteString(conn, req); err != nil {
		return Answer{Kind: Closed}
	}
	if opts.Sent != nil {
		opts.Sent()
	}
	a := readAnswer(ctx, bufio.NewReader(conn))
	if opts.Served != nil {
		opts.Served()
	}
	return a
}

// readAnswer reads an HTTP answer, or says what came instead.
func readAnswer(ctx context.Context, br *bufio.Reader) Answer {
	first, err := br.Peek(1)
	switch {
	case err != nil && isTimeout(err):
		return Answer{Kind: Unanswered}
	case err != nil:
		if ctx.Err() != nil {
			return Answer{Kind: Unanswered}
		}
		return Answer{Kind: Closed}
	case first[0] != 'H':
		b, _ := br.Peek(min(br.Buffered(), 64))
		return Answer{Kind: NotHTTP, Greeting: printable(b)}
	}
	resp, err := http.ReadResponse(br, nil)
	if err != nil {
		if isTimeout(err) {
			return Answer{Kind: Unanswered}
		}
		return Answer{Kind: NotHTTP}
	}
	defer resp.Body.Close()
	a := Answer{Kind: HTTP, Status: resp.StatusCode}
	body, err := io.ReadAll(io.LimitReader(resp.Body, MaxBody))
	if err != nil && isTimeout(err) {
		return Answer{Kind: Unanswered}
	}
	a.Body = body
	return a
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
