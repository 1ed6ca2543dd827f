package netcheck

import (
	"fmt"
	"net/netip"
	"strings"

	"localguard/netcheck/firewall"
)

// The firewall in the verdict. A network on which the host firewall
// certainly keeps neighbours out is not an exposure now, but never safe:
// FlowMeter still listens there, and marking the network Private, or one
// changed rule, opens it. Any doubt (a rule not understood, a firewall
// that cannot be read) leaves the network exposed, and the message says
// the firewall could not be read.

// keptOut lists the untrusted networks the firewall keeps out.
func keptOut(es []Exposure) []Exposure {
	var out []Exposure
	for _, e := range es {
		if !e.Trusted && e.Blocked() {
			out = append(out, e)
		}
	}
	return out
}

// firewallRisks are the sentences for the listeners the firewall alone
// keeps neighbours from, and sets the fix (or the advice) for the first.
func (j *judgement) firewallRisks() []string {
	v := j.v
	var risks []string
	for i, l := range v.Listeners {
		kept := keptOut(l.ExposedOn)
		if len(kept) == 0 {
			continue
		}
		risks = append(risks, keptOutSentence("FlowMeter", l.Address, kept))
		cause, lf := j.causes[i], j.f.Listeners[i]
		switch {
		case cause.FileFixes() && fixedNow(lf):
			risks = append(risks, fmt.Sprintf("%s is already fixed; restart %s to apply it.", cause.EnvFile, ownerWords(l, lf)))
			v.RestartPID = l.PID
		case cause.FileFixes() && v.Fix == "":
			v.Fix = fixCommand(cause.EnvFile)
		case cause.Advice != "" && v.Advice == "":
			risks = append(risks, upperFirst(cause.Advice)+".")
			v.Advice = cause.Advice
		}
	}
	return risks
}

// blockedRelays makes a verdict that would be safe at-risk when a relay
// answers on networks the firewall alone keeps out, saying so with the
// relay's own fix.
func (j *judgement) blockedRelays() {
	v := j.v
	if v.Status != StatusSafe && v.Status != StatusAtRisk {
		return
	}
	var risks []string
	for _, r := range v.Relays {
		kept := keptOut(r.ExposedOn)
		if len(kept) == 0 {
			continue
		}
		risks = append(risks, keptOutSentence(relayWords(r)+", which passes FlowMeter on,", r.Address, kept))
		if v.Advice == "" {
			v.Advice = r.Advice
		}
	}
	if len(risks) == 0 {
		return
	}
	if v.Status == StatusAtRisk {
		v.Message = strings.Join(risks, " ") + " " + v.Message
	} else {
		v.Message = strings.Join(risks, " ")
	}
	v.Status = StatusAtRisk
}

// keptOutSentence says in the analyst's words that the firewall keeps
// others out for now, what would open it, and what to do.
func keptOutSentence(what, listen string, kept []Exposure) string {
	by := kept[0].Firewall.By
	opens := "one changed rule opens it"
	if by == firewallWindows {
		by = "Windows Firewall"
		if kept[0].FirewallCategory == "Public" {
			opens = "marking the network Private, or one changed rule, opens it"
		}
	}
	where := "every interface"
	if a, err := netip.ParseAddr(listen); err == nil && !a.IsUnspecified() {
		where = listen + ", beyond this computer"
	}
	return fmt.Sprintf("%s keeps others out on %s for now, but %s listens on %s: %s. Make it local-only.", by, keptWhere(kept), what, where, opens)
}

// firewallWindows is how Windows' firewall names itself in answers.
const firewallWindows = "Windows Defender Firewall"

// keptWhere names the networks kept out: "this Public network" as Windows
// users know it, else the networks by name.
func keptWhere(kept []Exposure) string {
	var names []string
	for _, e := range kept {
		switch {
		case e.FirewallCategory != "" && len(kept) == 1 && e.Network == "":
			return "this " + e.FirewallCategory + " network"
		case e.FirewallCategory != "" && len(kept) == 1:
			return fmt.Sprintf("this %s network (%s)", e.FirewallCategory, e.Network)
		}
		n := fmt.Sprintf("%s (%s)", e.Interface, e.Address)
		if e.Network != "" {
			n = fmt.Sprintf("%s (%s, %s)", e.Network, e.Interface, e.Address)
		}
		if !contains(names, n) {
			names = append(names, n)
		}
	}
	return joinWords(names)
}

// firewallNotes are what the exposed message adds about the firewall: the
// networks it keeps out (not exposures now), and the ones whose firewall
// could not be read, which count as open.
func firewallNotes(ls []Listener, rs []Relay) string {
	var kept, unread []string
	why := ""
	add := func(es []Exposure) {
		for _, e := range es {
			switch {
			case e.Trusted || e.Firewall == nil:
			case e.Firewall.Decision == firewall.Blocked:
				kept = appendNew(kept, fmt.Sprintf("%s (%s)", e.Interface, e.Firewall.By))
			case e.Firewall.Decision == firewall.Unknown:
				unread = appendNew(unread, e.Interface)
				if why == "" {
					why = e.Firewall.Rule
				}
			}
		}
	}
	for _, l := range ls {
		add(l.ExposedOn)
	}
	for _, r := range rs {
		add(r.ExposedOn)
	}
	var b strings.Builder
	if len(unread) > 0 {
		fmt.Fprintf(&b, " Localguard could not read the firewall for %s (%s), so it counts it open.", joinWords(unread), strings.TrimSuffix(why, "."))
	}
	if len(kept) > 0 {
		fmt.Fprintf(&b, " The firewall keeps others out on %s for now.", joinWords(kept))
	}
	return b.String()
}

func appendNew(list []string, s string) []string {
	if contains(list, s) {
		return list
	}
	return append(list, s)
}
