package envfix

import (
	"net/netip"
	"net/url"
	"strings"
)

// Severities of a Risk, worst first.
const (
	// SeverityError: FlowMeter would refuse the value and not start at all.
	SeverityError    = "error"
	SeverityCritical = "critical"
	SeverityWarning  = "warning"
)

// Risk is a setting other than HOST that weakens FlowMeter's safety, or
// that FlowMeter would refuse at its start.
type Risk struct {
	// Key is the setting as FlowMeter's .env.example spells it.
	Key      string
	Severity string
	// Message says in one or two sentences what the setting does, or, for
	// SeverityError, that FlowMeter will not start, which line (or which
	// environment variable) to correct, and to what kind of value.
	Message string
	// Setting is the value the risk is about and where it comes from.
	Setting Setting
	// SafeValue is the value that removes the risk; a fix writes it with
	// PlanSet. It is empty when no value is clearly right (a port, a list
	// FlowMeter cannot read): such a finding has no automatic fix and the
	// person corrects the line.
	SafeValue string
}

// localOrigins is the CORS_ORIGINS a fix writes: FlowMeter's own frontend.
const localOrigins = `["http://localhost:3000"]`

// Risks lists, first, the values FlowMeter would refuse at its start (see
// RisksIn), then the settings it would start with that weaken its safety:
// the formula sandbox switched off, cross-site access from other origins,
// and error details returned to callers. Messages name the file "the .env
// file"; RisksIn names it by its path.
func (r *Reading) Risks() []Risk { return r.RisksIn("") }

// RisksIn is Risks with messages that name the file path (the file as the
// person gave it).
func (r *Reading) RisksIn(path string) []Risk {
	risks := r.startErrors(path)
	if s := r.Setting("ALLOW_UNSAFE_FORMULAS", "false"); isTrue(s.Value) {
		risks = append(risks, Risk{
			Key: "ALLOW_UNSAFE_FORMULAS", Severity: SeverityCritical, Setting: s, SafeValue: "false",
			Message: "ALLOW_UNSAFE_FORMULAS=" + s.Value + " starts FlowMeter with its formula sandbox off, so a formula can run any program on this computer.",
		})
	}
	if c := r.checkList("CORS_ORIGINS"); c.used.Source != SourceDefault {
		if bad := riskyOrigins(c.values); len(bad) > 0 {
			risks = append(risks, Risk{
				Key: "CORS_ORIGINS", Severity: SeverityWarning, Setting: c.used, SafeValue: localOrigins,
				Message: "CORS_ORIGINS allows " + strings.Join(bad, ", ") + ", so web pages from there can use FlowMeter through your browser, with your data.",
			})
		}
	}
	if s := r.Setting("DEBUG", "false"); isTrue(s.Value) {
		risks = append(risks, Risk{
			Key: "DEBUG", Severity: SeverityWarning, Setting: s, SafeValue: "false",
			Message: "DEBUG=" + s.Value + " makes FlowMeter send error details, with paths and code, to whoever calls it.",
		})
	}
	return risks
}

// isTrue reports whether pydantic 2 reads v as true ("on" and "yes" are);
// a value it refuses is a start error, not true.
func isTrue(v string) bool {
	b, ok := parseBool(v)
	return ok && b
}

// riskyOrigins returns the origins in a CORS_ORIGINS list that are not this
// computer ("*" or another host), as a message shows them.
func riskyOrigins(origins []string) []string {
	var bad []string
	for _, o := range origins {
		o = strings.TrimSpace(o)
		if o != "" && !localOrigin(o) {
			bad = append(bad, shownValue(o, ""))
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
