package netcheck

import (
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strconv"
	"time"
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
	ctx, cancel := context.WithTimeout(ctx, connectTimeout)
	defer cancel()
	var d net.Dialer
	c, err := d.DialContext(ctx, "tcp", netip.AddrPortFrom(addr, uint16(port)).String())
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

// IdentifyFlowMeter reports whether GET /api/info on addr:port answers as
// FlowMeter: JSON whose "name" is appName ("" for DefaultAppName).
func IdentifyFlowMeter(ctx context.Context, addr netip.Addr, port int, appName string) bool {
	if appName == "" {
		appName = DefaultAppName
	}
	var info struct {
		Name string `json:"name"`
	}
	return getJSON(ctx, addr, port, "/api/info", &info) && info.Name == appName
}

// SandboxState reads FlowMeter's formula sandbox from GET
// /api/v1/settings/security on addr:port: "on" when allow_unsafe_formulas is
// false, "off" when true, "unknown" when it does not answer so. It only ever
// reads: the same path's PUT switches the sandbox off.
func SandboxState(ctx context.Context, addr netip.Addr, port int) string {
	var resp struct {
		Success bool `json:"success"`
		Data    struct {
			AllowUnsafeFormulas *bool `json:"allow_unsafe_formulas"`
		} `json:"data"`
	}
	if !getJSON(ctx, addr, port, "/api/v1/settings/security", &resp) || resp.Data.AllowUnsafeFormulas == nil {
		return "unknown"
	}
	if *resp.Data.AllowUnsafeFormulas {
		return "off"
	}
	return "on"
}

// probeClient talks to local sockets only: no proxy from the environment,
// no redirects, no connection kept.
var probeClient = &http.Client{
	Transport: &http.Transport{
		Proxy:             nil,
		DisableKeepAlives: true,
		DialContext:       (&net.Dialer{Timeout: connectTimeout}).DialContext,
	},
	CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
}

// getJSON GETs path from addr:port and decodes a 200 answer into v.
func getJSON(ctx context.Context, addr netip.Addr, port int, path string, v any) bool {
	ctx, cancel := context.WithTimeout(ctx, httpTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, URL(addr, port)+path, nil)
	if err != nil {
		return false
	}
	req.Header.Set("Accept", "application/json")
	resp, err := probeClient.Do(req)
	if err != nil {
		return false
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return false
	}
	return json.NewDecoder(io.LimitReader(resp.Body, 64<<10)).Decode(v) == nil
}
