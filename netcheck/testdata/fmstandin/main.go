// Command fmstandin is a FlowMeter stand-in for netcheck's container tests
// (--network host, and Compose publishing its port): a static binary
// (CGO_ENABLED=0) for an image built FROM scratch, as nothing can be
// pulled. It answers FlowMeter's GET /api/info and GET
// /api/v1/settings/security with FlowMeter's shapes on -addr (by default
// port 8000 on every address, IPv4 and IPv6, as in a container).
package main

import (
	"encoding/json"
	"flag"
	"log"
	"net/http"
)

func main() {
	addr := flag.String("addr", ":8000", "where to listen")
	flag.Parse()
	answer := func(v any) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(v)
		}
	}
	http.Handle("/api/info", answer(map[string]string{"name": "FlowMeter API", "version": "1.0.0-alpha.3", "docs": "/docs", "health": "/health"}))
	http.Handle("/api/v1/settings/security", answer(map[string]any{"success": true, "message": nil, "data": map[string]bool{"allow_unsafe_formulas": false}}))
	log.Fatal(http.ListenAndServe(*addr, nil))
}
