package relay

import (
	"os"
	"path/filepath"

	"localguard/netcheck/internal/argv"
)

// ViteConfigNames are the names Vite looks for its config under, in its
// order.
var ViteConfigNames = []string{"vite.config.js", "vite.config.mjs", "vite.config.ts", "vite.config.cjs", "vite.config.mts", "vite.config.cts"}

// viteProxyTargetRE finds a proxy target on this computer in a Vite config:
// target: 'http://localhost:8000'. FlowMeter's own config writes
// process.env.VITE_API_URL || 'http://localhost:8000'.
var viteProxyTargetRE = lazyRE(`(?:target\s*:|\|\|)\s*['"` + "`" + `]https?://(localhost|127\.0\.0\.1|\[::1\]):(\d+)`)

// viteTargets lists the local ports a Vite's config (in its working
// folder) proxies to; nil when there is no config or it names none.
func viteTargets(dir string) []int {
	if dir == "" {
		return nil
	}
	var out []int
	for _, n := range ViteConfigNames {
		b, err := os.ReadFile(filepath.Join(dir, n))
		if err != nil {
			continue
		}
		for _, m := range viteProxyTargetRE().FindAllSubmatch(b, -1) {
			out = append(out, argv.Atoi(string(m[2])))
		}
		break
	}
	return out
}
