package envfix

import (
	"encoding/json"
	"net/netip"
	"net/url"
	"strings"
)

// Severities of a Risk, worst first.
const (
	SeverityCritical = "critical"
	SeverityWarning  = "warning"
)

// Risk is a setting other than HOST that weakens FlowMeter's safety.
type Risk struct {
	// Key is the setting as FlowMeter's .env.example spells it.
	Key      string
	Severity string
	// Message says in one sentence what the setting does.
	Message string
	// Setting is what FlowMeter reads for the key now.
	Setting Setting
	// SafeValue is the value that removes the risk; a fix writes it with
	// PlanSet.
	SafeValue string
}

// localOrigins is the CORS_ORIGINS a fix writes: FlowMeter's own frontend.
const localOrigins = `["http://localhost:3000"]`

// Risks lists the settings FlowMeter would start with that weaken its
// safety: the formula sandbox switched off, cross-site access from other
// origins, and error details returned to callers.
func (r *Reading) Risks() []Risk {
	var risks []Risk
	if s := r.Setting("ALLOW_UNSAFE_FORMULAS", "false"); parseBool(s.Value) {
		risks = append(risks, Risk{
			Key: "ALLOW_UNSAFE_FORMULAS", Severity: SeverityCritical, Setting: s, SafeValue: "false",
			Message: "ALLOW_UNSAFE_FORMULAS=" + s.Value + " starts FlowMeter with its formula sandbox off, so a formula can run any program on this computer.",
		})
	}
	if s := r.Setting("CORS_ORIGINS", ""); s.Source != SourceDefault {
		if bad := riskyOrigins(s.Value); len(bad) > 0 {
			risks = append(risks, Risk{
				Key: "CORS_ORIGINS", Severity: SeverityWarning, Setting: s, SafeValue: localOrigins,
				Message: "CORS_ORIGINS allows " + strings.Join(bad, ", ") + ", so web pages from there can use FlowMeter through your browser, with your data.",
			})
		}
	}
	if s := r.Setting("DEBUG", "false"); parseBool(s.Value) {
		risks = append(risks, Risk{
			Key: "DEBUG", Severity: SeverityWarning, Setting: s, SafeValue: "false",
			Message: "DEBUG=" + s.Value + " makes FlowMeter send error details, with paths and code, to whoever calls it.",
		})
	}
	return risks
}

// parseBool is pydantic's reading of a true boolean.
func parseBool(v string) bool {
	switch strings.ToLower(strings.TrimFunc(v, isSpace)) {
	case "1", "true", "t", "yes", "y", "on":
		return true
	}
	return false
}

// riskyOrigins returns the origins in a CORS_ORIGINS value (a JSON list, as
// pydantic reads it) that are not this computer: "*" or another host.
func riskyOrigins(v string) []string {
	var origins []string
	if err := json.Unmarshal([]byte(v), &origins); err != nil {
		// pydantic also accepts a single origin or a comma-separated list
		// in some versions; judge each part.
		origins = strings.Split(v, ",")
	}
	var bad []string
	for _, o := range origins {
		o = strings.TrimSpace(o)
		if o != "" && !localOrigin(o) {
			bad = append(bad, o)
		}
	}
	return bad
}

func localOrigin(o string) bool {
	u, err := url.Parse(o)
	if err != nil || u.Host == "" {
		return false
	}
	h := u.Hostname()
	if strings.EqualFold(h, "localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && a.IsLoopback()
}
