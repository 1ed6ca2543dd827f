// Command containerfm is a FlowMeter-like backend for the container tests:
// a static binary in an image built FROM scratch (nothing is pulled). It
// answers the endpoints Localguard reads on :8000.
package main

import (
	"encoding/json"
	"net/http"
)

func main() {
	answers := map[string]any{
		"/api/info":                 map[string]any{"name": "FlowMeter API", "version": "1.0", "docs": "/docs", "health": "/health"},
		"/health":                   map[string]any{"status": "healthy", "version": "1.0"},
		"/api/v1/settings/security": map[string]any{"success": true, "message": nil, "data": map[string]any{"allow_unsafe_formulas": false}},
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		a, ok := answers[r.URL.Path]
		if !ok || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(a)
	})
	if err := http.ListenAndServe(":8000", nil); err != nil {
		panic(err)
	}
}
