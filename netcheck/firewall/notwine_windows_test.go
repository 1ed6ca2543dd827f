//go:build !wine

package firewall

const underWine = false
