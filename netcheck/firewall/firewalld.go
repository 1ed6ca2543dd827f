package firewall

import (
	"fmt"
	"strconv"
	"strings"
)

// firewalldBy names firewalld in answers.
const firewalldBy = "firewalld"

// FirewalldPort is a port or port range and its protocol ("8000", "tcp";
// "8000-8010", "tcp").
type FirewalldPort struct{ Port, Protocol string }

// FirewalldZone is a zone's runtime settings (getZoneSettings2).
type FirewalldZone struct {
	// Target is "default", "ACCEPT", "DROP" or "%%REJECT%%".
	Target       string
	Services     []string
	Ports        []FirewalldPort
	Protocols    []string
	SourcePorts  []FirewalldPort
	ForwardPorts []FirewalldPort
	// RichRules are the zone's rich rules as firewalld writes them.
	RichRules []string
	// Sources are the addresses bound to the zone: a neighbour from one of
	// them gets this zone whatever its interface.
	Sources []string
}

// FirewalldPolicy is an active policy whose traffic goes to this computer
// (egress zone HOST), with its ingress zones.
type FirewalldPolicy struct {
	Name    string
	Ingress []string
	FirewalldZone
}

// FirewalldState is firewalld's runtime state as read over D-Bus.
type FirewalldState struct {
	// State is firewalld's "state" property: "RUNNING" when it filters.
	State string
	Panic bool
	// DefaultZone takes interfaces no zone names.
	DefaultZone string
	// InterfaceZone is the zone of each interface a zone names.
	InterfaceZone map[string]string
	// Zones are the active zones' settings.
	Zones map[string]FirewalldZone
	// Services are the ports of the services the zones name; a service
	// missing here could not be read.
	Services map[string][]FirewalldPort
	// Policies are the active policies toward this computer.
	Policies []FirewalldPolicy
}

// EvaluateFirewalld is firewalld's decision for a neighbour's new TCP
// connection: panic mode drops everything; a zone bound to source addresses
// makes it unknown (the neighbour's address decides); otherwise the zone of
// the interface (the default zone when none names it) lets it in when its
// target is ACCEPT, or a port, service, protocol, source port or rich rule
// may; a forwarded port or a rich rule Localguard does not read makes it
// unknown; else the zone's target (default, DROP, %%REJECT%%) keeps it out.
func EvaluateFirewalld(s *FirewalldState, q Query) Answer {
	switch {
	case s.State != "RUNNING":
		return Answer{Unknown, firewalldBy, fmt.Sprintf("firewalld is %s, not running", strings.ToLower(s.State))}
	case s.Panic:
		return Answer{Blocked, firewalldBy, "panic mode drops every packet"}
	}
	for name, z := range s.Zones {
		if len(z.Sources) > 0 {
			return Answer{Unknown, firewalldBy, fmt.Sprintf("zone %s is chosen by the neighbour's address (%s)", name, strings.Join(z.Sources, ", "))}
		}
	}
	name := s.InterfaceZone[q.Interface]
	if name == "" {
		name = s.DefaultZone
	}
	z, ok := s.Zones[name]
	if !ok {
		return Answer{Unknown, firewalldBy, fmt.Sprintf("the settings of zone %q could not be read", name)}
	}
	where := "zone " + name
	if a, decided := zoneOpens(s, z, where, q.Port); decided {
		return a
	}
	for _, p := range s.Policies {
		if !containsFold(p.Ingress, name) && !containsFold(p.Ingress, "ANY") {
			continue
		}
		if a, decided := zoneOpens(s, p.FirewalldZone, "policy "+p.Name, q.Port); decided {
			return a
		}
	}
	switch strings.ToUpper(z.Target) {
	case "DEFAULT", "%%REJECT%%", "REJECT", "DROP", "":
		return Answer{Blocked, firewalldBy, fmt.Sprintf("%s (%s) does not allow port %d/tcp", where, q.Interface, q.Port)}
	}
	return Answer{Unknown, firewalldBy, fmt.Sprintf("%s has the target %s, which Localguard does not know", where, z.Target)}
}

// zoneOpens reports whether a zone's (or a policy's) settings decide the
// connection: let in, or unknown. Policies' targets CONTINUE and the
// like leave it to the zone.
func zoneOpens(s *FirewalldState, z FirewalldZone, where string, port int) (Answer, bool) {
	allowed := func(what string) (Answer, bool) {
		return Answer{Allowed, firewalldBy, fmt.Sprintf("%s allows %s", where, what)}, true
	}
	if strings.EqualFold(z.Target, "ACCEPT") {
		return allowed("everything (target ACCEPT)")
	}
	if p, ok := portIn(z.Ports, port); ok {
		return allowed("port " + p)
	}
	if containsFold(z.Protocols, "tcp") {
		return allowed("the tcp protocol")
	}
	if len(tcpPorts(z.SourcePorts)) > 0 {
		return allowed("some source ports, which a neighbour chooses")
	}
	if p, ok := portIn(z.ForwardPorts, port); ok {
		return Answer{Unknown, firewalldBy, fmt.Sprintf("%s forwards port %s elsewhere", where, p)}, true
	}
	for _, svc := range z.Services {
		ports, read := s.Services[svc]
		if !read {
			return Answer{Unknown, firewalldBy, fmt.Sprintf("the ports of service %s in %s could not be read", svc, where)}, true
		}
		if _, ok := portIn(ports, port); ok {
			return allowed("service " + svc)
		}
	}
	for _, r := range z.RichRules {
		switch richRuleOpens(s, r, port) {
		case yes:
			return allowed("some neighbours through the rich rule " + r)
		case maybe:
			return Answer{Unknown, firewalldBy, fmt.Sprintf("%s has a rich rule Localguard does not evaluate: %s", where, r)}, true
		}
	}
	return Answer{}, false
}

// richRuleOpens says whether a rich rule may let a neighbour's TCP
// connection to port in: no for one that only rejects, drops or logs, or is
// for ICMP or other ports; yes for an accept that covers the port (whatever
// its source); maybe for anything else.
func richRuleOpens(s *FirewalldState, rule string, port int) match {
	f := richFields(rule)
	switch {
	case f["icmp-type"] != "" || f["icmp-block"] != "" || f["icmp-block-inversion"] != "":
		return no
	case f["action"] == "reject" || f["action"] == "drop" || f["action"] == "log" || f["action"] == "audit":
		return no
	case f["action"] != "accept":
		return maybe // none, mark, forward-port, masquerade...
	}
	return richCovers(s, f, port)
}

// richCovers says whether an accepting rich rule's port, service or
// protocol covers port/tcp; one with none of them accepts everything from
// its source.
func richCovers(s *FirewalldState, f map[string]string, port int) match {
	switch {
	case f["port"] != "":
		_, ok := portIn([]FirewalldPort{{f["port"], f["protocol"]}}, port)
		return boolMatch(ok)
	case f["service"] != "":
		ports, read := s.Services[f["service"]]
		if !read {
			return maybe
		}
		_, ok := portIn(ports, port)
		return boolMatch(ok)
	case f["protocol"] != "":
		return boolMatch(strings.EqualFold(f["protocol"], "tcp"))
	}
	return yes
}

func boolMatch(b bool) match {
	if b {
		return yes
	}
	return no
}

// richActions are the words of a rich rule that say what it does.
var richActions = map[string]bool{"accept": true, "reject": true, "drop": true, "mark": true, "forward-port": true, "masquerade": true}

// richFields reads a rich rule's elements: the action (accept, reject,
// drop, mark, log...), and the values of port, protocol, service and icmp
// elements.
func richFields(rule string) map[string]string {
	out := map[string]string{}
	last := ""
	for _, w := range strings.Fields(rule) {
		k, v, isKV := strings.Cut(w, "=")
		if isKV {
			richValue(out, last, k, strings.Trim(v, `"'`))
			continue
		}
		switch {
		case richActions[w] && (out["action"] == "" || out["action"] == "log"):
			out["action"] = w
		case (w == "log" || w == "audit" || w == "nflog") && out["action"] == "":
			out["action"] = "log"
		case w == "icmp-block-inversion":
			out[w] = "yes"
		}
		if !richActions[w] {
			last = w
		}
	}
	return out
}

// richValue records key=value of the element last.
func richValue(out map[string]string, last, k, v string) {
	switch {
	case k == "name" && last != "":
		out[last] = v
	case k == "port" && last == "port", k == "protocol" && (last == "port" || last == "protocol"):
		out[k] = v
	case k == "value" && last == "protocol":
		out["protocol"] = v
	}
}

// portIn finds port/tcp among ports ("8000", "8000-8010").
func portIn(ports []FirewalldPort, port int) (string, bool) {
	for _, p := range tcpPorts(ports) {
		lo, hi, isRange := strings.Cut(p.Port, "-")
		a, err1 := strconv.Atoi(lo)
		b, err2 := strconv.Atoi(hi)
		if !isRange {
			b, err2 = a, err1
		}
		if err1 == nil && err2 == nil && a <= port && port <= b {
			return p.Port + "/" + p.Protocol, true
		}
	}
	return "", false
}

func tcpPorts(ports []FirewalldPort) []FirewalldPort {
	var out []FirewalldPort
	for _, p := range ports {
		if strings.EqualFold(p.Protocol, "tcp") || p.Protocol == "" {
			out = append(out, p)
		}
	}
	return out
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(x, s) {
			return true
		}
	}
	return false
}
