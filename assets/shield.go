// Package assets holds Localguard's bundled icons.
package assets

import (
	_ "embed"

	"fyne.io/fyne/v2"
)

//go:generate go test -run TestBitmaps -update .

var (
	//go:embed shield-safe.svg
	safeSVG []byte
	//go:embed shield-at-risk.svg
	atRiskSVG []byte
	//go:embed shield-exposed.svg
	exposedSVG []byte
	//go:embed shield-unknown.svg
	unknownSVG []byte

	//go:embed shield-safe.png
	safePNG []byte
	//go:embed shield-at-risk.png
	atRiskPNG []byte
	//go:embed shield-exposed.png
	exposedPNG []byte
	//go:embed shield-unknown.png
	unknownPNG []byte
)

// Shields, one per verdict status, drawn as SVG so they stay sharp in the
// window at any scale.
var (
	ShieldSafe    = fyne.NewStaticResource("shield-safe.svg", safeSVG)
	ShieldAtRisk  = fyne.NewStaticResource("shield-at-risk.svg", atRiskSVG)
	ShieldExposed = fyne.NewStaticResource("shield-exposed.svg", exposedSVG)
	ShieldUnknown = fyne.NewStaticResource("shield-unknown.svg", unknownSVG)
)

// The same shields as PNG bitmaps of BitmapSize pixels, for the tray and
// the window's taskbar icon: a tray reads only bitmaps (an SVG there shows
// as an empty icon), and drawing an SVG into a window icon costs the UI
// thread a fifth of a second each time. They are drawn from the SVGs by
// `go generate`, and a test keeps them in step.
var (
	ShieldSafeBitmap    = fyne.NewStaticResource("shield-safe.png", safePNG)
	ShieldAtRiskBitmap  = fyne.NewStaticResource("shield-at-risk.png", atRiskPNG)
	ShieldExposedBitmap = fyne.NewStaticResource("shield-exposed.png", exposedPNG)
	ShieldUnknownBitmap = fyne.NewStaticResource("shield-unknown.png", unknownPNG)
)

// BitmapSize is the width and height of the shield bitmaps, in pixels.
const BitmapSize = 128
