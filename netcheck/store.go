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

	"localguard/envfix"
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
	// Virtual is true for a network only this computer's own containers
	// and virtual machines are on (KindVirtual): trusted unless the user
	// untrusts it, and then kept in Store.Untrusted.
	Virtual bool `json:"virtual,omitempty"`
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
//
// Localguard never creates a home folder, nor the folder that holds its
// settings folder: where either is missing (HOME points nowhere, a
// service account without one), the store lives in memory for the run and
// Remembers says why; the window tells the user it cannot remember.
type Store struct {
	// Install is the backend/.env last used.
	Install string    `json:"install,omitempty"`
	Trusted []Network `json:"trusted,omitempty"`
	// Untrusted are the networks of this computer's own guests the user
	// untrusted: they are trusted by default.
	Untrusted []Network `json:"untrusted,omitempty"`

	path string
	// memory is why the store is not kept on disk; nil when it is.
	memory error
}

// ErrNotRemembered means what was changed holds for this run only: the
// store has no folder to be kept in.
var ErrNotRemembered = errors.New("kept for this run only")

// MemoryStore is a store kept in memory only, for the reason why.
func MemoryStore(why error) *Store {
	return &Store{memory: fmt.Errorf("trusted networks and the chosen install are %w: Localguard cannot remember them, as %v", ErrNotRemembered, why)}
}

// Remembers is nil when the store is kept on disk; otherwise it says, in
// one sentence wrapping ErrNotRemembered, why the trusted networks and the
// chosen install are kept for this run only.
func (s *Store) Remembers() error { return s.memory }

// DefaultStorePath is where the store lives: Localguard's folder in the
// user's configuration directory.
func DefaultStorePath() (string, error) {
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("finding the configuration folder: %w", err)
	}
	return filepath.Join(dir, "localguard", "state.json"), nil
}

// DefaultStore opens the store at DefaultStorePath, the one the command
// line and the window share. It always returns a store: when that one
// cannot be read (no configuration folder, a damaged file), a MemoryStore
// that says why, which trusts no network until the user trusts one again.
func DefaultStore() *Store {
	path, err := DefaultStorePath()
	if err != nil {
		return MemoryStore(err)
	}
	s, err := OpenStore(path)
	if err != nil {
		return MemoryStore(err)
	}
	return s
}

// OpenStore reads the store at path; a missing store is an empty one. When
// the folder that would hold the store's folder does not exist, the store
// lives in memory (see Remembers) rather than create it.
func OpenStore(path string) (*Store, error) {
	s := &Store{path: path}
	if err := s.checkParent(); err != nil {
		return s, nil
	}
	b, err := envfix.ReadFile(path) // the window may be replacing it this moment
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

// checkParent makes the store live in memory when the folder above its
// own folder is missing, and says why.
func (s *Store) checkParent() error {
	parent := filepath.Dir(filepath.Dir(s.path))
	info, err := os.Stat(parent)
	if err == nil && !info.IsDir() {
		err = fmt.Errorf("%s is not a folder", parent)
	}
	if err == nil {
		return nil
	}
	if errors.Is(err, fs.ErrNotExist) {
		err = fmt.Errorf("%s does not exist, and Localguard does not create home or settings folders (is HOME set right?)", parent)
	}
	s.memory = fmt.Errorf("trusted networks and the chosen install are %w: Localguard cannot remember them, as %v", ErrNotRemembered, err)
	return s.memory
}

// Save writes the store, replacing the old one atomically. It creates
// Localguard's own settings folder when needed, never the folders above
// it; without them it returns an error wrapping ErrNotRemembered and what
// was changed holds for this run only.
func (s *Store) Save() error {
	if s.memory != nil {
		return s.memory
	}
	if err := s.checkParent(); err != nil {
		return err
	}
	if err := os.Mkdir(filepath.Dir(s.path), 0o700); err != nil && !errors.Is(err, fs.ErrExist) {
		return fmt.Errorf("creating %s: %w", filepath.Dir(s.path), err)
	}
	b, _ := json.MarshalIndent(s, "", "  ")
	if err := envfix.WriteFileAtomic(s.path, append(b, '\n'), 0o600); err != nil {
		return fmt.Errorf("saving the trusted networks and the chosen install: %w", err)
	}
	return nil
}

// Trusts reports whether the user trusts the network of an address with
// the prefix subnet on iface.
func (s *Store) Trusts(iface string, subnet netip.Prefix, gateway string) bool {
	return slices.ContainsFunc(s.Trusted, func(n Network) bool { return n.Matches(iface, subnet, gateway) })
}

// Trust adds a network; it reports false when it was already trusted. A
// network of this computer's guests (Virtual), trusted by default, is
// trusted again by forgetting that the user untrusted it.
func (s *Store) Trust(n Network) bool {
	if n.Virtual {
		i := slices.IndexFunc(s.Untrusted, n.same)
		if i < 0 {
			return false
		}
		s.Untrusted = slices.Delete(s.Untrusted, i, i+1)
		return true
	}
	if slices.ContainsFunc(s.Trusted, n.same) {
		return false
	}
	s.Trusted = append(s.Trusted, n)
	return true
}

// Distrust removes a network; it reports false when it was not trusted. A
// network of this computer's guests (Virtual) is remembered as untrusted.
func (s *Store) Distrust(n Network) bool {
	if n.Virtual {
		if slices.ContainsFunc(s.Untrusted, n.same) {
			return false
		}
		s.Untrusted = append(s.Untrusted, n)
		return true
	}
	i := slices.IndexFunc(s.Trusted, n.same)
	if i < 0 {
		return false
	}
	s.Trusted = slices.Delete(s.Trusted, i, i+1)
	return true
}
