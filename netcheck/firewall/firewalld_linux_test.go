package firewall

import (
	"net/netip"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/godbus/dbus/v5"
	"github.com/godbus/dbus/v5/prop"

	"localguard/testdata/privatebus"
)

// A stand-in for firewalld on a private bus (a real dbus-daemon), with
// firewalld 1.x's D-Bus interface (org.fedoraproject.FirewallD1: .zone,
// .policy, getZoneSettings2's dictionary, a(ss) ports, rules_str), read the
// way Localguard reads the system bus. Debian's firewalld itself needs a
// system bus, polkit and nftables of its own; its interface is what
// Localguard relies on.

type port = struct{ Port, Protocol string }

// standIn is the firewalld a test serves.
type standIn struct {
	panic   bool
	zones   map[string]map[string]dbus.Variant
	ifZone  map[string]string
	policy  map[string]dbus.Variant
	service map[string]map[string]dbus.Variant
}

func zone(target string, services []string, ports []port, rich []string, sources []string) map[string]dbus.Variant {
	return map[string]dbus.Variant{
		"target": dbus.MakeVariant(target), "services": dbus.MakeVariant(services), "ports": dbus.MakeVariant(ports),
		"protocols": dbus.MakeVariant([]string{}), "rules_str": dbus.MakeVariant(rich), "sources": dbus.MakeVariant(sources),
		"source_ports": dbus.MakeVariant([]port{}), "forward_ports": dbus.MakeVariant([][]string{}),
		"icmp_block_inversion": dbus.MakeVariant(false), "forward": dbus.MakeVariant(true),
	}
}

// debianDefaults is firewalld's stock setup: public (the default zone)
// with ssh and dhcpv6-client, home with 8000/tcp open (the test's), and
// the allow-host-ipv6 policy's ICMPv6 rich rules.
func debianDefaults() *standIn {
	return &standIn{
		zones: map[string]map[string]dbus.Variant{
			"public": zone("default", []string{"ssh", "dhcpv6-client"}, nil, nil, nil),
			"home":   zone("default", []string{"ssh"}, []port{{"8000", "tcp"}}, nil, nil),
		},
		ifZone: map[string]string{"lg1": "home"},
		policy: func() map[string]dbus.Variant {
			p := zone("CONTINUE", nil, nil, []string{
				`rule family="ipv6" icmp-type name="neighbour-advertisement" accept`,
				`rule family="ipv6" icmp-type name="router-advertisement" accept`,
			}, nil)
			p["ingress_zones"], p["egress_zones"] = dbus.MakeVariant([]string{"ANY"}), dbus.MakeVariant([]string{"HOST"})
			return p
		}(),
		service: map[string]map[string]dbus.Variant{
			"ssh":           {"ports": dbus.MakeVariant([]port{{"22", "tcp"}})},
			"dhcpv6-client": {"ports": dbus.MakeVariant([]port{{"546", "udp"}})},
			"flowmeter":     {"ports": dbus.MakeVariant([]port{{"7990-8010", "tcp"}})},
		},
	}
}

// serve exports the stand-in on a new private bus and points the system
// bus there.
func (s *standIn) serve(t *testing.T) {
	t.Helper()
	daemon, err := exec.LookPath("dbus-daemon")
	if err != nil {
		t.Skip("dbus-daemon (Debian's dbus) is not installed")
	}
	addr := privatebus.Start(t, daemon, "--session")
	conn, err := dbus.Connect(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	if reply, err := conn.RequestName(fwdService, dbus.NameFlagDoNotQueue); err != nil || reply != dbus.RequestNameReplyPrimaryOwner {
		t.Fatalf("taking firewalld's name: %v %v", reply, err)
	}
	s.export(t, conn)
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", addr)
}

func (s *standIn) export(t *testing.T, conn *dbus.Conn) {
	t.Helper()
	settings := func(m map[string]map[string]dbus.Variant) func(string) (map[string]dbus.Variant, *dbus.Error) {
		return func(name string) (map[string]dbus.Variant, *dbus.Error) {
			if v, ok := m[name]; ok {
				return v, nil
			}
			return nil, dbus.NewError("org.fedoraproject.FirewallD1.Exception", []any{"INVALID_ZONE: " + name})
		}
	}
	tables := map[string]map[string]any{
		fwdService: {
			"queryPanicMode":      func() (bool, *dbus.Error) { return s.panic, nil },
			"getDefaultZone":      func() (string, *dbus.Error) { return "public", nil },
			"getServiceSettings2": settings(s.service),
		},
		fwdZone: {
			"getZoneOfInterface": func(i string) (string, *dbus.Error) { return s.ifZone[i], nil },
			"getActiveZones": func() (map[string]map[string][]string, *dbus.Error) {
				out := map[string]map[string][]string{"public": {"interfaces": {"lg0"}}}
				for i, z := range s.ifZone {
					out[z] = map[string][]string{"interfaces": {i}}
				}
				return out, nil
			},
			"getZoneSettings2": settings(s.zones),
		},
		fwdPolicy: {
			"getActivePolicies": func() (map[string]map[string][]string, *dbus.Error) {
				return map[string]map[string][]string{"allow-host-ipv6": {"ingress_zones": {"ANY"}, "egress_zones": {"HOST"}}}, nil
			},
			"getPolicySettings": settings(map[string]map[string]dbus.Variant{"allow-host-ipv6": s.policy}),
		},
	}
	for iface, methods := range tables {
		if err := conn.ExportMethodTable(methods, fwdPath, iface); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := prop.Export(conn, fwdPath, prop.Map{fwdService: {"state": {Value: "RUNNING", Emit: prop.EmitFalse}}}); err != nil {
		t.Fatal(err)
	}
}

func fwdQuery(iface string) Query {
	return Query{Interface: iface, Local: netip.MustParseAddr("10.1.2.3"), Subnet: netip.MustParsePrefix("10.1.2.3/24"), Port: 8000}
}

// decideFirewalld reads the stand-in as Localguard reads the system, and
// firewalld's own answer for iface.
func decideFirewalld(t *testing.T, iface string) Answer {
	t.Helper()
	s, ok := read([]string{"lg0", "lg1"}).(*linuxSnapshot)
	if !ok || s.fwd == nil {
		t.Fatalf("firewalld not read: %+v", s)
	}
	return EvaluateFirewalld(s.fwd, fwdQuery(iface))
}

func TestFirewalldOverDBus(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*standIn)
		iface  string
		want   Decision
		says   string
	}{
		{"the default zone (public) does not open 8000", nil, "lg0", Blocked, "zone public"},
		{"home opens port 8000/tcp", nil, "lg1", Allowed, "port 8000/tcp"},
		{"a service whose ports hold 8000", func(s *standIn) { s.zones["public"]["services"] = dbus.MakeVariant([]string{"ssh", "flowmeter"}) }, "lg0", Allowed, "service flowmeter"},
		{"a service that cannot be read", func(s *standIn) { s.zones["public"]["services"] = dbus.MakeVariant([]string{"nosuch"}) }, "lg0", Unknown, "nosuch"},
		{"target ACCEPT (the trusted zone)", func(s *standIn) { s.zones["public"]["target"] = dbus.MakeVariant("ACCEPT") }, "lg0", Allowed, "target ACCEPT"},
		{"target DROP", func(s *standIn) { s.zones["public"]["target"] = dbus.MakeVariant("DROP") }, "lg0", Blocked, "zone public"},
		{"a rich rule accepting a source on the port", func(s *standIn) {
			s.zones["public"]["rules_str"] = dbus.MakeVariant([]string{`rule family="ipv4" source address="10.0.0.0/8" port port="8000" protocol="tcp" accept`})
		}, "lg0", Allowed, "rich rule"},
		{"a rich rule rejecting a source", func(s *standIn) {
			s.zones["public"]["rules_str"] = dbus.MakeVariant([]string{`rule family="ipv4" source address="10.0.0.0/8" reject`})
		}, "lg0", Blocked, "zone public"},
		{"a rich rule that marks", func(s *standIn) {
			s.zones["public"]["rules_str"] = dbus.MakeVariant([]string{`rule family="ipv4" source address="10.0.0.0/8" mark set=1`})
		}, "lg0", Unknown, "rich rule"},
		{"a zone chosen by source address", func(s *standIn) {
			s.zones["home"]["sources"] = dbus.MakeVariant([]string{"10.1.0.0/16"})
		}, "lg0", Unknown, "neighbour's address"},
		{"panic mode", func(s *standIn) { s.panic = true; s.zones["public"]["target"] = dbus.MakeVariant("ACCEPT") }, "lg0", Blocked, "panic"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := debianDefaults()
			if tc.change != nil {
				tc.change(s)
			}
			s.serve(t)
			got := decideFirewalld(t, tc.iface)
			if got.Decision != tc.want || !strings.Contains(got.Rule, tc.says) {
				t.Fatalf("%+v, want %s saying %q", got, tc.want, tc.says)
			}
		})
	}
}

// TestNoFirewalld: a system bus without firewalld adds no answer, and no
// bus at all neither.
func TestNoFirewalld(t *testing.T) {
	t.Setenv("DBUS_SYSTEM_BUS_ADDRESS", "unix:path="+os.DevNull)
	s := read(nil).(*linuxSnapshot)
	if s.fwd != nil || s.fwdErr != nil {
		t.Fatalf("%+v", s)
	}
}
