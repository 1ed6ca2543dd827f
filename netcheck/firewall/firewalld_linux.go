package firewall

import (
	"context"
	"errors"
	"time"

	"github.com/godbus/dbus/v5"
)

// firewalld's D-Bus names.
const (
	fwdService = "org.fedoraproject.FirewallD1"
	fwdPath    = "/org/fedoraproject/FirewallD1"
	fwdZone    = fwdService + ".zone"
	fwdPolicy  = fwdService + ".policy"
)

// errNoFirewalld means firewalld is not on the system bus.
var errNoFirewalld = errors.New("firewalld is not running")

// dbusTimeout bounds each question to firewalld.
const dbusTimeout = 2 * time.Second

// readFirewalld reads firewalld's runtime state from the bus: its state,
// panic mode, the default zone, the zone of each interface named, the
// active zones' and the services' settings, and the active policies toward
// this computer. errNoFirewalld when firewalld is not on the bus.
func readFirewalld(conn *dbus.Conn, ifaces []string) (*FirewalldState, error) {
	var owner string
	if err := conn.BusObject().Call("org.freedesktop.DBus.GetNameOwner", 0, fwdService).Store(&owner); err != nil {
		return nil, errNoFirewalld
	}
	fw := &dbusObject{conn.Object(fwdService, fwdPath)}
	s := &FirewalldState{InterfaceZone: map[string]string{}, Zones: map[string]FirewalldZone{}, Services: map[string][]FirewalldPort{}}
	if v, err := fw.o.GetProperty(fwdService + ".state"); err != nil || v.Store(&s.State) != nil {
		return nil, errors.Join(errors.New("reading firewalld's state"), err)
	}
	if err := errors.Join(fw.call(fwdService+".queryPanicMode", &s.Panic), fw.call(fwdService+".getDefaultZone", &s.DefaultZone)); err != nil {
		return nil, err
	}
	for _, i := range ifaces {
		var z string
		if err := fw.call(fwdZone+".getZoneOfInterface", &z, i); err != nil {
			return nil, err
		}
		if z != "" {
			s.InterfaceZone[i] = z
		}
	}
	var active map[string]map[string][]string
	if err := fw.call(fwdZone+".getActiveZones", &active); err != nil {
		return nil, err
	}
	names := []string{s.DefaultZone}
	for z := range active {
		names = append(names, z)
	}
	for _, z := range names {
		var settings map[string]dbus.Variant
		if err := fw.call(fwdZone+".getZoneSettings2", &settings, z); err != nil {
			return nil, err
		}
		s.Zones[z] = zoneOf(settings)
	}
	if err := readPolicies(fw, s); err != nil {
		return nil, err
	}
	readServices(fw, s)
	return s, nil
}

// readPolicies reads the active policies whose egress zone is HOST.
func readPolicies(fw *dbusObject, s *FirewalldState) error {
	var active map[string]map[string][]string
	if err := fw.call(fwdPolicy+".getActivePolicies", &active); err != nil {
		var de dbus.Error
		if errors.As(err, &de) && de.Name == "org.freedesktop.DBus.Error.UnknownMethod" {
			return nil // firewalld before 0.9 has no policies
		}
		return err
	}
	for name := range active {
		var settings map[string]dbus.Variant
		if err := fw.call(fwdPolicy+".getPolicySettings", &settings, name); err != nil {
			return err
		}
		var egress, ingress []string
		variantInto(settings, "egress_zones", &egress)
		variantInto(settings, "ingress_zones", &ingress)
		if containsFold(egress, "HOST") {
			s.Policies = append(s.Policies, FirewalldPolicy{Name: name, Ingress: ingress, FirewalldZone: zoneOf(settings)})
		}
	}
	return nil
}

// readServices reads the ports of every service a zone or policy names; a
// service that cannot be read stays out of s.Services (unknown).
func readServices(fw *dbusObject, s *FirewalldState) {
	var names []string
	for _, z := range s.Zones {
		names = append(names, z.Services...)
	}
	for _, p := range s.Policies {
		names = append(names, p.Services...)
	}
	for _, svc := range names {
		if _, done := s.Services[svc]; done {
			continue
		}
		var settings map[string]dbus.Variant
		if fw.call(fwdService+".getServiceSettings2", &settings, svc) != nil {
			continue
		}
		var ports [][]any
		s.Services[svc] = []FirewalldPort{}
		if v, ok := settings["ports"]; ok && v.Store(&ports) == nil {
			s.Services[svc] = portsOf(ports)
		}
	}
}

// zoneOf reads a zone's (or policy's) settings dictionary.
func zoneOf(settings map[string]dbus.Variant) FirewalldZone {
	var z FirewalldZone
	variantInto(settings, "target", &z.Target)
	variantInto(settings, "services", &z.Services)
	variantInto(settings, "protocols", &z.Protocols)
	variantInto(settings, "rules_str", &z.RichRules)
	variantInto(settings, "sources", &z.Sources)
	var ports, sports, fports [][]any
	variantInto(settings, "ports", &ports)
	variantInto(settings, "source_ports", &sports)
	variantInto(settings, "forward_ports", &fports)
	z.Ports, z.SourcePorts, z.ForwardPorts = portsOf(ports), portsOf(sports), portsOf(fports)
	return z
}

// portsOf reads (port, protocol, ...) structures.
func portsOf(list [][]any) []FirewalldPort {
	var out []FirewalldPort
	for _, p := range list {
		if len(p) < 2 {
			continue
		}
		port, _ := p[0].(string)
		proto, _ := p[1].(string)
		out = append(out, FirewalldPort{Port: port, Protocol: proto})
	}
	return out
}

func variantInto(settings map[string]dbus.Variant, key string, v any) {
	if x, ok := settings[key]; ok {
		_ = x.Store(v)
	}
}

type dbusObject struct{ o dbus.BusObject }

// call calls a method with a timeout and stores its one answer.
func (d *dbusObject) call(method string, out any, args ...any) error {
	ctx, cancel := context.WithTimeout(context.Background(), dbusTimeout)
	defer cancel()
	return d.o.CallWithContext(ctx, method, 0, args...).Store(out)
}
