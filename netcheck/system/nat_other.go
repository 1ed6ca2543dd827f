//go:build !linux

package system

func natRules() ([]NATRule, error) { return nil, nil }

func routeLocalnet([]string) ([]string, error) { return nil, nil }
