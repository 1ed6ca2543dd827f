package netcheck

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestStoreRemembersNetworks: a trusted network survives a reopen, and is
// matched by subnet and gateway, not by interface name alone.
func TestStoreRemembersNetworks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "localguard", "state.json")
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	home := Network{Interface: "wlan0", Subnet: netip.MustParsePrefix("192.168.1.0/24"), Gateway: "aa:bb:cc:dd:ee:ff"}
	if !s.Trust(home) || s.Trust(home) {
		t.Fatal("Trust should add once")
	}
	s.Install = "/home/ana/FlowMeter/backend/.env"
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	s, err = OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if s.Install != "/home/ana/FlowMeter/backend/.env" || len(s.Trusted) != 1 {
		t.Fatalf("reopened store %+v", s)
	}
	addr := netip.MustParsePrefix("192.168.1.23/24")
	tests := []struct {
		name, iface, gateway string
		addr                 netip.Prefix
		want                 bool
	}{
		{"home", "wlan0", "aa:bb:cc:dd:ee:ff", addr, true},
		{"café with the same subnet", "wlan0", "11:22:33:44:55:66", addr, false},
		{"other subnet", "wlan0", "aa:bb:cc:dd:ee:ff", netip.MustParsePrefix("10.0.0.5/24"), false},
		{"same address, wider subnet", "wlan0", "aa:bb:cc:dd:ee:ff", netip.MustParsePrefix("192.168.1.23/16"), false},
		{"other interface", "eth0", "aa:bb:cc:dd:ee:ff", addr, false},
	}
	for _, tt := range tests {
		if got := s.Trusts(tt.iface, tt.addr, tt.gateway); got != tt.want {
			t.Errorf("%s: Trusts = %v", tt.name, got)
		}
	}
	if !s.Distrust(home) || s.Distrust(home) || len(s.Trusted) != 0 {
		t.Error("Distrust should remove once")
	}
}

// TestStoreNeverCreatesHome: with HOME (or the folder above Localguard's
// settings folder) missing, nothing is created; the store works in memory
// for the run and says it cannot remember.
func TestStoreNeverCreatesHome(t *testing.T) {
	home := filepath.Join(t.TempDir(), "no-such-home")
	path := filepath.Join(home, ".config", "localguard", "state.json")
	s, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	why := s.Remembers()
	if !errors.Is(why, ErrNotRemembered) || !strings.Contains(why.Error(), home) || strings.Contains(why.Error(), "\n") {
		t.Errorf("Remembers() = %v, want one sentence naming %s", why, home)
	}
	n := Network{Interface: "wlan0", Subnet: netip.MustParsePrefix("192.168.1.0/24")}
	s.Trust(n)
	s.Install = "/srv/FlowMeter/backend/.env"
	if err := s.Save(); !errors.Is(err, ErrNotRemembered) {
		t.Errorf("Save: %v, want ErrNotRemembered", err)
	}
	if _, err := os.Stat(home); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("the home folder was created: %v", err)
	}
	if !s.Trusts("wlan0", netip.MustParsePrefix("192.168.1.5/24"), "") {
		t.Error("the network is not trusted for this run")
	}

	// With the folder above it present, Save creates Localguard's own
	// folder, private.
	if err := os.MkdirAll(filepath.Join(home, ".config"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, _ = OpenStore(path)
	if err := s.Remembers(); err != nil {
		t.Fatalf("Remembers: %v", err)
	}
	if err := s.Save(); err != nil {
		t.Fatal(err)
	}
	if info, err := os.Stat(filepath.Dir(path)); err != nil || runtime.GOOS != "windows" && info.Mode().Perm() != 0o700 { // Windows keeps no Unix modes
		t.Errorf("settings folder: %v %v", info, err)
	}
}

// TestOpenInstallRemembers: the install a check was opened for is the one
// the next run, given none, opens.
func TestOpenInstallRemembers(t *testing.T) {
	backend := filepath.Join(t.TempDir(), "FlowMeter", "backend")
	if err := os.MkdirAll(backend, 0o755); err != nil {
		t.Fatal(err)
	}
	env := filepath.Join(backend, ".env")
	if err := os.WriteFile(env, []byte("HOST=127.0.0.1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "localguard", "state.json")
	store, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := OpenInstall(t.Context(), env, store, nil)
	if err != nil || c.EnvPath != env {
		t.Fatalf("OpenInstall(%s) = %q, %v", env, c.EnvPath, err)
	}
	again, err := OpenStore(path)
	if err != nil {
		t.Fatal(err)
	}
	if again.Install != env {
		t.Fatalf("the store remembers %q, want %q", again.Install, env)
	}
}

// TestDefaultStoreDamaged: a damaged store is not an error that stops a
// check: it is a store in memory that trusts nothing and says why.
func TestDefaultStoreDamaged(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("the configuration folder is moved with XDG_CONFIG_HOME, which only Linux and the BSDs read")
	}
	dir := t.TempDir()
	t.Setenv("XDG_CONFIG_HOME", dir)
	if err := os.Mkdir(filepath.Join(dir, "localguard"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "localguard", "state.json"), []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	s := DefaultStore()
	if why := s.Remembers(); !errors.Is(why, ErrNotRemembered) || !strings.Contains(why.Error(), "damaged") {
		t.Fatalf("Remembers() = %v, want a sentence saying the store is damaged", why)
	}
	if len(s.Trusted) != 0 {
		t.Fatalf("a damaged store trusts %v", s.Trusted)
	}
}
