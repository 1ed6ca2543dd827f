package netcheck

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"os"
	"strconv"
	"syscall"
	"time"

	"localguard/netcheck/ask"
	"localguard/netcheck/system"
)

// DefaultAppName is the name FlowMeter's GET /api/info gives when APP_NAME
// is not set.
const DefaultAppName = "FlowMeter API"

// Timeouts of the probes: a local socket answers in well under a
// millisecond, a local FlowMeter in a few; a poll must never hang on one.
const (
	connectTimeout = 300 * time.Millisecond
	httpTimeout    = 800 * time.Millisecond
)

// Probe reports whether a TCP connect to addr:port succeeds within a short
// timeout. From this machine it proves the socket answers on that address;
// a firewall may still keep neighbours out.
func Probe(ctx context.Context, addr netip.Addr, port int) bool {
	defer system.Probing()()
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	c, err := localDialer.DialContext(ctx, "tcp", netip.AddrPortFrom(addr, uint16(port)).String())
	if err != nil {
		return false
	}
	c.Close()
	return true
}

// URL is the address a person types to reach FlowMeter on addr:port:
// http://192.168.1.23:8000, http://[fd00::2]:8000, http://[fe80::1%25eth0]:8000.
func URL(addr netip.Addr, port int) string {
	u := url.URL{Scheme: "http", Host: net.JoinHostPort(addr.Unmap().String(), strconv.Itoa(port))}
	return u.String()
}

// Identity is what a socket's answers say it is.
type Identity int

// The answers of IdentifyFlowMeter.
const (
	// IdentityUnknown: no answer in time (a busy or starting server), so
	// the socket may still be FlowMeter.
	IdentityUnknown Identity = iota
	// IdentityFlowMeter: GET /api/info answered with FlowMeter's shape.
	IdentityFlowMeter
	// IdentityOther: the socket answered, and not as FlowMeter (refused,
	// closed, another protocol, another HTTP app).
	IdentityOther
)

// IdentifyFlowMeter asks GET /api/info on addr:port, within timeout, and
// says whether the answer has FlowMeter's shape: a JSON object with a name
// (APP_NAME, which a user may change), "docs": "/docs" and "health":
// "/health". The name itself is not compared: FlowMeter is recognised by
// the shape of its answer. addr must be one of this computer's addresses.
// It asks as package ask does: after a greeting wait, never on a raw-byte
// port (that is IdentityUnknown: it may be FlowMeter, and is not asked).
func IdentifyFlowMeter(ctx context.Context, addr netip.Addr, port int, timeout time.Duration) Identity {
	return askInfo(ctx, addr, port, timeout, ask.Options{}).id
}

// asked is what a socket answered to GET /api/info.
type asked struct {
	id Identity
	// http is true when it answered HTTP (as FlowMeter or not): an HTTP
	// answer that is not FlowMeter's shape decides, whatever the command
	// line says.
	http   bool
	answer ask.Answer
}

// askInfo asks GET /api/info through package ask, with the Sent and Served
// hooks of opts, and reads the answer's shape.
func askInfo(ctx context.Context, addr netip.Addr, port int, timeout time.Duration, opts ask.Options) asked {
	defer system.Probing()()
	opts.Dial, opts.Timeout = localDialer.DialContext, timeout
	a := ask.Ask(ctx, addr, port, opts)
	switch a.Kind {
	case ask.Unanswered, ask.Skipped:
		return asked{id: IdentityUnknown, answer: a}
	case ask.HTTP:
		id := IdentityOther
		if a.Status == http.StatusOK && flowMeterShape(a.Body) {
			id = IdentityFlowMeter
		}
		return asked{id: id, http: true, answer: a}
	}
	return asked{id: IdentityOther, answer: a}
}

// flowMeterShape reports whether body is FlowMeter's /api/info answer: a
// JSON object with a name, "docs": "/docs" and "health": "/health".
func flowMeterShape(body []byte) bool {
	var info struct {
		Name   *string `json:"name"`
		Docs   string  `json:"docs"`
		Health string  `json:"health"`
	}
	return json.Unmarshal(body, &info) == nil && info.Name != nil && info.Docs == "/docs" && info.Health == "/health"
}

// Sandbox is the state of FlowMeter's formula sandbox, in the words of the
// JSON contract.
type Sandbox string

// The states of the formula sandbox.
const (
	// SandboxOn: formulas cannot run programs.
	SandboxOn Sandbox = "on"
	// SandboxOff: anyone who reaches FlowMeter can run any program.
	SandboxOff Sandbox = "off"
	// SandboxUnknown: FlowMeter did not say.
	SandboxUnknown Sandbox = "unknown"
)

// SandboxState reads FlowMeter's formula sandbox from GET
// /api/v1/settings/security on addr:port: on when allow_unsafe_formulas is
// false, off when true, unknown when it does not answer so. It only ever
// reads: the same path's PUT switches the sandbox off.
func SandboxState(ctx context.Context, addr netip.Addr, port int) Sandbox {
	var resp struct {
		Success bool `json:"success"`
		Data    struct {
			AllowUnsafeFormulas *bool `json:"allow_unsafe_formulas"`
		} `json:"data"`
	}
	if getJSONWithin(ctx, addr, port, "/api/v1/settings/security", &resp, httpTimeout) != nil || resp.Data.AllowUnsafeFormulas == nil {
		return SandboxUnknown
	}
	if *resp.Data.AllowUnsafeFormulas {
		return SandboxOff
	}
	return SandboxOn
}

// localDialer connects only to this computer's own addresses: a socket may
// be bound (IP_FREEBIND, IP_TRANSPARENT) to an address the computer does
// not have, and a connect there would leave the computer. Callers check
// first; this is the last guard. Its connections last a second at most:
// no TCP keep-alive is set up on them (four system calls a connect).
var localDialer = &net.Dialer{Timeout: connectTimeout, ControlContext: refuseForeign, KeepAlive: -1}

// ErrNotOwnAddress means a probe was refused because its address is not one
// of this computer's.
var ErrNotOwnAddress = errors.New("not an address of this computer")

func refuseForeign(_ context.Context, _, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return err
	}
	if !isOwnAddr(ap.Addr()) {
		return fmt.Errorf("%s: %w", ap.Addr(), ErrNotOwnAddress)
	}
	return nil
}

// isOwnAddr reports whether a is loopback or assigned to one of this
// computer's interfaces now.
func isOwnAddr(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	if a.IsLoopback() {
		return true
	}
	if local, known := system.LocalAddr(a); known {
		return local // the kernel's own route: one question, not two listings per connect
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return false
	}
	for _, ia := range addrs {
		if ipn, ok := ia.(*net.IPNet); ok {
			if b, ok := netip.AddrFromSlice(ipn.IP); ok && b.Unmap() == a {
				return true
			}
		}
	}
	return false
}

// probeClient talks to local sockets only: no proxy from the environment,
// no redirects, no connection kept.
var probeClient = &http.Client{
	Transport: &http.Transport{
		Proxy:             nil,
		DisableKeepAlives: true,
		DialContext:       localDialer.DialContext,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// errTimeout means a probe got no answer in time.
var errTimeout = errors.New("no answer in time")

// errNotAnswered means a probe got an answer that is not a JSON 200.
var errNotAnswered = errors.New("not a JSON answer")

// getJSONWithin GETs path from addr:port and decodes a 200 answer into v.
// It returns nil on success, errTimeout when the socket accepted but did
// not answer within timeout, errNotAnswered otherwise.
func getJSONWithin(ctx context.Context, addr netip.Addr, port int, path string, v any, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, URL(addr, port)+path, nil)
	if err != nil {
		return errNotAnswered
	}
	req.Header.Set("Accept", "application/json")
	defer system.Probing()()
	resp, err := probeClient.Do(req)
	if err != nil {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
			return errTimeout
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return errTimeout
		}
		return errNotAnswered
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errNotAnswered
	}
	if json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(v) != nil {
		if ctx.Err() != nil {
			return errTimeout
		}
		return errNotAnswered
	}
	return nil
}
