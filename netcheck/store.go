package netcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
)

// Network is a network the user trusts, remembered by what identifies it:
// the interface, its subnet and, where the system shows it, the hardware
// address of its gateway. A café network that happens to use the same
// subnet on the same interface has another gateway, so it is not trusted.
type Network struct {
	Interface string       `json:"interface"`
	Subnet    netip.Prefix `json:"subnet"`
	// Gateway is the gateway's hardware address, "" when the network has
	// none or the system does not show it.
	Gateway string `json:"gateway,omitempty"`
	// Name is the network as people know it when it was trusted (Wi-Fi
	// "Home"), for the settings' list; it plays no part in matching.
	Name string `json:"name,omitempty"`
}

// same reports whether two records are the same network, whatever their
// names.
func (n Network) same(o Network) bool {
	return n.Interface == o.Interface && n.Subnet == o.Subnet && n.Gateway == o.Gateway
}

// Matches reports whether an interface's address with the prefix subnet,
// whose gateway has the hardware address gateway, is on this network.
func (n Network) Matches(iface string, subnet netip.Prefix, gateway string) bool {
	return n.Interface == iface && n.Subnet == subnet.Masked() && n.Gateway == gateway
}

// Store is what Localguard remembers between runs, shared by the command
// line and the window: the FlowMeter install last used and the trusted
// networks.
type Store struct {
	// Install is the backend/.env last used.
	Install string    `json:"install,omitempty"`
	Trusted []Network `json:"trusted,omitempty"`

	path string
}

// DefaultStorePath is where the store lives: Localguard's folder in the
// user's configuration directory.
func DefaultStorePath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the configuration folder: %w", err)
	}
	return filepath.Join(dir, "localguard", "state.json"), nil
}

// OpenStore reads the store at path; a missing store is an empty one.
func OpenStore(path string) (*Store, error) {
	s := &Store{path: path}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return s, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if err := json.Unmarshal(b, s); err != nil {
		return nil, fmt.Errorf("%s is damaged (%v): delete it to start afresh", path, err)
	}
	return s, nil
}

// Save writes the store, replacing the old one atomically.
func (s *Store) Save() error {
	if err := os.MkdirAll(filepath.Dir(s.path), 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", filepath.Dir(s.path), err)
	}
	b, _ := json.MarshalIndent(s, "", "  ")
	tmp, err := os.CreateTemp(filepath.Dir(s.path), ".state-*.json")
	if err != nil {
		return fmt.Errorf("saving %s: %w", s.path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return fmt.Errorf("saving %s: %w", s.path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("saving %s: %w", s.path, err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("saving %s: %w", s.path, err)
	}
	return nil
}

// Trusts reports whether the user trusts the network of an address with
// the prefix subnet on iface.
func (s *Store) Trusts(iface string, subnet netip.Prefix, gateway string) bool {
	return slices.ContainsFunc(s.Trusted, func(n Network) bool { return n.Matches(iface, subnet, gateway) })
}

// Trust adds a network; it reports false when it was already trusted.
func (s *Store) Trust(n Network) bool {
	if slices.ContainsFunc(s.Trusted, n.same) {
		return false
	}
	s.Trusted = append(s.Trusted, n)
	return true
}

// Distrust removes a network; it reports false when it was not trusted.
func (s *Store) Distrust(n Network) bool {
	i := slices.IndexFunc(s.Trusted, n.same)
	if i < 0 {
		return false
	}
	s.Trusted = slices.Delete(s.Trusted, i, i+1)
	return true
}
