package system

import (
	"errors"
	"fmt"

	"golang.org/x/sys/windows/registry"
)

// portProxyKey is where netsh interface portproxy keeps its entries.
const portProxyKey = `SYSTEM\CurrentControlSet\Services\PortProxy`

// portProxies reads every kind's tcp key; a kind without one has no
// entries.
func portProxies() ([]PortProxy, error) {
	var out []PortProxy
	var errs []error
	for _, kind := range PortProxyKinds {
		entries, err := portProxyKind(kind)
		out = append(out, entries...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	return out, errors.Join(errs...)
}

// portProxyKind reads the entries of one kind (v4tov4...).
func portProxyKind(kind string) ([]PortProxy, error) {
	path := portProxyKey + `\` + kind + `\tcp`
	k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE)
	if errors.Is(err, registry.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf(`reading HKLM\%s: %w`, path, err)
	}
	defer k.Close()
	names, err := k.ReadValueNames(0)
	if err != nil {
		return nil, fmt.Errorf(`reading HKLM\%s: %w`, path, err)
	}
	var out []PortProxy
	for _, name := range names {
		data, _, err := k.GetStringValue(name)
		if err != nil {
			continue // not a string: no entry netsh wrote
		}
		if p, ok := ParsePortProxy(kind, name, data); ok {
			out = append(out, p)
		}
	}
	return out, nil
}
