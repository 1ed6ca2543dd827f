//go:build wine

package firewall

// underWine is set by the wine tag (.ci/windows): Wine lacks most of
// INetFwPolicy2, so its reading must be unknown.
const underWine = true
