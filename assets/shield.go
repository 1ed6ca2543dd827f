// Package assets holds Localguard's bundled icons.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

var (
	//go:embed shield-safe.svg
	safeSVG []byte
	//go:embed shield-at-risk.svg
	atRiskSVG []byte
	//go:embed shield-exposed.svg
	exposedSVG []byte
	//go:embed shield-unknown.svg
	unknownSVG []byte
)

// Shields, one per verdict status, drawn as SVG so they stay sharp in the
// tray and the window alike.
var (
	ShieldSafe    = fyne.NewStaticResource("shield-safe.svg", safeSVG)
	ShieldAtRisk  = fyne.NewStaticResource("shield-at-risk.svg", atRiskSVG)
	ShieldExposed = fyne.NewStaticResource("shield-exposed.svg", exposedSVG)
	ShieldUnknown = fyne.NewStaticResource("shield-unknown.svg", unknownSVG)
)
