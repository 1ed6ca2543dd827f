package netcheck

import (
	"fmt"
	"net/netip"
	"path/filepath"
	"strings"
	"time"

	"localguard/envfix"
	"localguard/netcheck/system"
)

// sandboxTTL is how long a watching Checker trusts a formula-sandbox answer
// before asking FlowMeter again: the sandbox can be switched off at any
// moment, but asking on every poll would cost FlowMeter and Localguard CPU.
const sandboxTTL = 10 * time.Second

// checkCache is what a watching Checker keeps between checks, so that a
// poll while nothing changes reads no file and lists no interface: the .env
// files (kept while their folder is watched, dropped on any event in it)
// and the interfaces (kept until the system says they changed).
type checkCache struct {
	enabled  bool
	settings map[string]*envfix.File
	paths    []string
	watched  map[string]bool

	ifaces      []Interface
	ifacesValid bool

	// answers are the probe and sandbox answers of the last check, kept
	// while the socket and the interfaces stay; a check keeps only what it
	// uses, so nothing grows while the machine changes.
	answers, used map[string]answer
	// linkEvents is true when the system reports interface changes.
	linkEvents bool
}

// load reads path, or answers from memory when the file's folder is
// watched and nothing happened in it since.
func (k *checkCache) load(path string, env []string) (*envfix.File, error) {
	key := path + "\x00" + strings.Join(env, "\x00")
	if f, ok := k.settings[key]; ok {
		return f, nil
	}
	f, err := envfix.Load(path, env)
	if !k.enabled {
		return f, err
	}
	if !contains(k.paths, path) {
		k.paths = append(k.paths, path)
	}
	if err == nil && k.watched[filepath.Dir(path)] {
		if k.settings == nil {
			k.settings = map[string]*envfix.File{}
		}
		k.settings[key] = f
	}
	return f, err
}

// interfaces lists the interfaces, from memory while the system reports no
// change.
func (k *checkCache) interfaces() ([]Interface, error) {
	if k.enabled && k.linkEvents && k.ifacesValid {
		return k.ifaces, nil
	}
	ifaces, err := Interfaces()
	if err == nil {
		k.ifaces, k.ifacesValid = ifaces, true
	}
	return ifaces, err
}

// files lists the .env files checks have read.
func (k *checkCache) files() []string { return k.paths }

// watch records that dir is watched: its files may be kept.
func (k *checkCache) watch(dir string) {
	if k.watched == nil {
		k.watched = map[string]bool{}
	}
	k.watched[dir] = true
}

// forget drops the files kept: something changed on disk.
func (k *checkCache) forget() { k.settings = nil }

// forgetInterfaces drops the interfaces kept, and the connects made on
// them: the network changed.
func (k *checkCache) forgetInterfaces() { k.ifacesValid, k.answers = false, nil }

// answer is a remembered probe or sandbox answer.
type answer struct {
	ok    bool
	state Sandbox
	at    time.Time
}

// beginCheck starts a check: what it does not use again is dropped.
func (k *checkCache) beginCheck() { k.answers, k.used = k.used, map[string]answer{} }

// remember answers from memory while watching, else asks.
func (k *checkCache) remember(key string, ttl time.Duration, ask func() answer) answer {
	if !k.enabled {
		return ask()
	}
	a, ok := k.answers[key]
	if !ok || ttl > 0 && time.Since(a.at) > ttl {
		a = ask()
		a.at = time.Now()
	}
	k.used[key] = a
	return a
}

// probeKey names a connect to addr for socket s.
func probeKey(s system.Socket, a netip.Addr) string {
	return fmt.Sprintf("probe %d %s %d", s.Inode, a, s.Port)
}

// sandboxKey names the sandbox answer of socket s.
func sandboxKey(s system.Socket) string { return fmt.Sprintf("sandbox %d %d", s.Inode, s.Port) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
