//go:build !linux && !darwin

package firewall

// errorSnapshot answers unknown to every query: the firewall could not be
// read.
type errorSnapshot struct{ by, why string }

func (e errorSnapshot) Decide(Query) Answer {
	return Answer{Decision: Unknown, By: e.by, Rule: e.why}
}
