package netcheck

import (
	"cmp"
	"fmt"
	"strings"
)

// Headline is the status in the words a person reads first.
func (s Status) Headline() string {
	switch s {
	case StatusSafe:
		return "SAFE"
	case StatusExposed:
		return "EXPOSED"
	case StatusAtRisk:
		return "AT RISK"
	}
	return "ERROR"
}

// ANSI colours for the headline, used only when stdout is a terminal.
var statusColor = map[Status]string{
	StatusSafe:    "\x1b[1;32m",
	StatusExposed: "\x1b[1;31m",
	StatusAtRisk:  "\x1b[1;33m",
	StatusError:   "\x1b[1;90m",
}

// Text renders the verdict for a terminal: the status in one line, where
// FlowMeter can be reached, and the one command that fixes it.
func (v Verdict) Text(color bool) string {
	var b strings.Builder
	head := v.Status.Headline()
	if color {
		head = statusColor[v.Status] + head + "\x1b[0m"
	}
	fmt.Fprintf(&b, "%s  %s\n", head, v.Message)
	for _, l := range v.Listeners {
		for _, e := range l.ExposedOn {
			switch {
			case e.Trusted:
			case e.Blocked():
				fmt.Fprintf(&b, "  kept out by %s for now: %s on %s (%s): %s\n", e.Firewall.By, e.URL, e.Interface, e.Kind, e.Firewall.Rule)
			default:
				fmt.Fprintf(&b, "  reachable: %s on %s (%s)%s\n", e.URL, e.Interface, e.Kind, firewallWords(e))
			}
		}
	}
	for _, r := range v.Relays {
		if r.Kind == RelayTunnel {
			fmt.Fprintf(&b, "  reachable through %s: the far end of the tunnel, %s\n", relayWords(r), r.Remote)
			continue
		}
		verb := "reachable"
		if r.Unchecked {
			verb = "may be reachable"
		}
		for _, e := range r.ExposedOn {
			switch {
			case e.Trusted:
			case e.Blocked():
				fmt.Fprintf(&b, "  kept out by %s for now, through %s: %s on %s (%s)\n", e.Firewall.By, relayWords(r), cmp.Or(e.URL, e.Address), e.Interface, e.Kind)
			default:
				fmt.Fprintf(&b, "  %s through %s: %s on %s (%s)%s\n", verb, relayWords(r), cmp.Or(e.URL, e.Address), e.Interface, e.Kind, firewallWords(e))
			}
		}
		if r.Fix != "" {
			fmt.Fprintf(&b, "  fix the relay: %s\n", r.Fix)
		}
	}
	for _, f := range v.Findings {
		fmt.Fprintf(&b, "  %s: %s\n", f.Severity, f.Message)
	}
	if v.Fix != "" {
		fmt.Fprintf(&b, "  fix%s: %s\n", ShellNote, v.Fix)
	}
	return b.String()
}

// firewallWords says what the firewall decided on a reachable network,
// when it was asked.
func firewallWords(e Exposure) string {
	switch {
	case e.Firewall == nil:
		return ""
	case e.Firewall.Decision == "unknown":
		return ", firewall not read: " + e.Firewall.Rule
	}
	return ", let in by " + e.Firewall.By + ": " + e.Firewall.Rule
}
