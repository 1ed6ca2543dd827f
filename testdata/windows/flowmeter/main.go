// Command flowmeter is a FlowMeter stand-in for the Windows test stage
// (.ci/windows): built for Windows as python.exe and started under Wine as
// `python.exe -m app.main` from a FlowMeter\backend folder, it reads HOST
// and PORT as FlowMeter does in the simple case (the environment beats
// backend\.env in the working folder, which beats 0.0.0.0:8000) and answers
// FlowMeter's routes with FlowMeter's JSON shapes.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
)

const version = "1.0.0-alpha.3"

func main() {
	settings := readEnv(".env")
	get := func(key, def string) string {
		if v, ok := os.LookupEnv(key); ok {
			return v
		}
		if v, ok := settings[key]; ok {
			return v
		}
		return def
	}
	host, port := get("HOST", "0.0.0.0"), get("PORT", "8000")
	name := get("APP_NAME", "FlowMeter API")
	unsafe := strings.EqualFold(get("ALLOW_UNSAFE_FORMULAS", "false"), "true")

	network := "tcp"
	if host == "0.0.0.0" {
		network = "tcp4"
	}
	l, err := net.Listen(network, net.JoinHostPort(host, port))
	if err != nil {
		fmt.Fprintln(os.Stderr, "flowmeter stand-in:", err)
		os.Exit(1)
	}
	fmt.Printf("flowmeter stand-in listening on %s\n", l.Addr())

	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/info", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"name": name, "version": version, "docs": "/docs", "health": "/health"})
	})
	mux.HandleFunc("GET /health", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"status": "healthy", "version": version})
	})
	mux.HandleFunc("GET /api/v1/settings/security", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"success": true, "message": nil, "data": map[string]any{"allow_unsafe_formulas": unsafe}})
	})
	fmt.Fprintln(os.Stderr, http.Serve(l, mux))
	os.Exit(1)
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

// readEnv reads simple KEY=VALUE lines (comments, blank lines, optional
// quotes); a missing file is no settings, as for FlowMeter.
func readEnv(path string) map[string]string {
	out := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		return out
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		key, value, ok := strings.Cut(line, "=")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		value = strings.TrimSpace(value)
		if len(value) >= 2 && (value[0] == '"' || value[0] == '\'') && value[len(value)-1] == value[0] {
			value = value[1 : len(value)-1]
		}
		out[strings.ToUpper(strings.TrimSpace(key))] = value
	}
	return out
}
