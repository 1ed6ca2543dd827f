package envfix

import (
	"fmt"
	"strings"
)

// MaxExpandedSize bounds the text a file's ${...} references may expand to,
// all values together. Each reference can copy a whole earlier value, so a
// file of a few kilobytes can expand to gigabytes (A=xx, B=${A}${A},
// C=${B}${B}, ...): python-dotenv would run out of memory on it, and so
// would Localguard. A real .env expands to about its own size.
const MaxExpandedSize = 8 * MaxFileSize

// expandedSize is the total length of the values Read would hold for
// content, worked out from lengths alone in time linear in the file, without
// building a value. It stops counting once the total passes limit.
// It follows Reading.resolve: exact keys, the last value wins, a bare key
// expands to "", unknown names fall back to the environment.
func expandedSize(statements []Statement, env []string, limit int) int {
	type entry struct {
		n   int
		set bool
	}
	exact := map[string]entry{}
	envLen := map[string]int{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		if _, ok := envLen[k]; !ok {
			envLen[k] = len(v)
		}
	}
	total := 0
	for _, st := range statements {
		if st.Invalid {
			continue
		}
		e := entry{set: st.HasValue}
		if st.HasValue {
			walkReferences(st.Raw, func(lit string) { e.n += len(lit) }, func(r reference) {
				if x, ok := exact[r.name]; ok {
					if x.set {
						e.n += x.n
					}
					return
				}
				if n, ok := envLen[r.name]; ok {
					e.n += n
				} else if r.hasDef {
					e.n += len(r.def)
				}
			})
		}
		exact[st.Key] = e
		if total += e.n; total > limit {
			return total
		}
	}
	return total
}

// checkExpansion refuses a file whose references expand past
// MaxExpandedSize, before anything expands them.
func checkExpansion(path string, content []byte, env []string) error {
	if n := expandedSize(parseStatements(content), env, MaxExpandedSize); n > MaxExpandedSize {
		return fmt.Errorf("%s expands its ${...} references to more than %d MiB of text, so FlowMeter could not read it either: remove the repeated references: %w", path, MaxExpandedSize>>20, ErrTooLarge)
	}
	return nil
}
