package netcheck

import (
	"path/filepath"
	"strings"

	"localguard/envfix"
)

// loader reads a .env as FlowMeter would with the environment env.
type loader func(path string, env []string) (*envfix.File, error)

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

// forgetInterfaces drops the interfaces kept: the network changed.
func (k *checkCache) forgetInterfaces() { k.ifacesValid = false }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
