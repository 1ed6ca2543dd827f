package ui

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// readableTheme is Fyne's default theme with the colours Localguard draws
// text in made readable: every text colour stands on its background with a
// contrast of at least 4.5:1 (WCAG AA), in the light and the dark variant.
// Fyne's defaults miss it for the low-importance grey ("Checked at",
// 1.3–1.6:1), the warning orange (2.2:1 on white) and others. The outlines
// of controls (an unticked checkbox, an entry's border) stand out by at
// least 3:1, as WCAG asks of what identifies a control: Fyne's light grey
// outline is 1.3:1 on white, nearly invisible.
type readableTheme struct{ fyne.Theme }

// readableColors replaces the default theme's colours that text is drawn
// in, per variant.
var readableColors = map[fyne.ThemeVariant]map[fyne.ThemeColorName]color.Color{
	theme.VariantLight: {
		// Still lighter than the text (#565656), so disabled looks so.
		theme.ColorNameDisabled:            color.NRGBA{0x75, 0x75, 0x75, 0xff},
		theme.ColorNamePrimary:             color.NRGBA{0x15, 0x65, 0xc0, 0xff},
		theme.ColorNameHyperlink:           color.NRGBA{0x15, 0x65, 0xc0, 0xff},
		theme.ColorNameError:               color.NRGBA{0xc6, 0x28, 0x28, 0xff},
		theme.ColorNameWarning:             color.NRGBA{0x9a, 0x4d, 0x00, 0xff},
		theme.ColorNameSuccess:             color.NRGBA{0x1b, 0x6e, 0x2e, 0xff},
		theme.ColorNameForegroundOnWarning: color.White,
		theme.ColorNameForegroundOnSuccess: color.White,
		// Well past 3:1 (6.7:1): the box's thin stroke is drawn
		// antialiased, lighter than its colour.
		theme.ColorNameInputBorder: color.NRGBA{0x5e, 0x5e, 0x5e, 0xff},
	},
	theme.VariantDark: {
		theme.ColorNameDisabled: color.NRGBA{0x8c, 0x8c, 0x8c, 0xff},
		// A lighter blue reads on the dark background; the text on it
		// is then dark.
		theme.ColorNamePrimary:             color.NRGBA{0x6e, 0xa8, 0xff, 0xff},
		theme.ColorNameHyperlink:           color.NRGBA{0x6e, 0xa8, 0xff, 0xff},
		theme.ColorNameForegroundOnPrimary: color.NRGBA{0x17, 0x17, 0x18, 0xff},
		theme.ColorNameInputBorder:         color.NRGBA{0x9e, 0x9e, 0x9e, 0xff},
	},
}

// Color is the default theme's colour, made readable where it is text's.
func (t readableTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	if c, ok := readableColors[v][n]; ok {
		return c
	}
	return t.Theme.Color(n, v)
}

// textPair is a colour text is drawn in and the colour it stands on.
type textPair struct{ fg, bg fyne.ThemeColorName }

// textPairs are every text colour the window uses, on its background:
// labels of each importance on the window and on dialogs, and the label
// of each kind of button on the button.
var textPairs = []textPair{
	{theme.ColorNameForeground, theme.ColorNameBackground},
	{theme.ColorNameDisabled, theme.ColorNameBackground},
	{theme.ColorNamePrimary, theme.ColorNameBackground},
	{theme.ColorNameError, theme.ColorNameBackground},
	{theme.ColorNameWarning, theme.ColorNameBackground},
	{theme.ColorNameSuccess, theme.ColorNameBackground},
	{theme.ColorNameHyperlink, theme.ColorNameBackground},
	{theme.ColorNameForeground, theme.ColorNameOverlayBackground},
	{theme.ColorNameDisabled, theme.ColorNameOverlayBackground},
	{theme.ColorNameError, theme.ColorNameOverlayBackground},
	{theme.ColorNameWarning, theme.ColorNameOverlayBackground},
	{theme.ColorNameSuccess, theme.ColorNameOverlayBackground},
	{theme.ColorNameForeground, theme.ColorNameButton},
	{theme.ColorNameForegroundOnPrimary, theme.ColorNamePrimary},
	{theme.ColorNameForegroundOnError, theme.ColorNameError},
	{theme.ColorNameForegroundOnWarning, theme.ColorNameWarning},
	{theme.ColorNameForegroundOnSuccess, theme.ColorNameSuccess},
}

// controlPairs are the colours that outline or mark a control, on what
// they stand: an unticked checkbox's box and an entry's border on the
// window, on a dialog and on the field's own fill; a ticked box (primary)
// on the window and a dialog.
var controlPairs = []textPair{
	{theme.ColorNameInputBorder, theme.ColorNameBackground},
	{theme.ColorNameInputBorder, theme.ColorNameOverlayBackground},
	{theme.ColorNameInputBorder, theme.ColorNameInputBackground},
	{theme.ColorNamePrimary, theme.ColorNameBackground},
	{theme.ColorNamePrimary, theme.ColorNameOverlayBackground},
	{theme.ColorNameForeground, theme.ColorNameInputBackground},
}

// contrast is the WCAG 2 contrast ratio of text in fg on bg (1 to 21): a
// translucent background is composed over white, a translucent foreground
// over the background.
func contrast(fg, bg color.Color) float64 {
	bgR, bgG, bgB := over(bg, color.White)
	fgR, fgG, fgB := over(fg, color.NRGBA{uint8(bgR * 255), uint8(bgG * 255), uint8(bgB * 255), 255})
	l1 := luminance(fgR, fgG, fgB)
	l2 := luminance(bgR, bgG, bgB)
	if l1 < l2 {
		l1, l2 = l2, l1
	}
	return (l1 + 0.05) / (l2 + 0.05)
}

// over composes c over an opaque base, giving sRGB components in 0..1.
func over(c, base color.Color) (r, g, b float64) {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	bb := color.NRGBAModel.Convert(base).(color.NRGBA)
	a := float64(n.A) / 255
	mix := func(x, y uint8) float64 { return (float64(x)*a + float64(y)*(1-a)) / 255 }
	return mix(n.R, bb.R), mix(n.G, bb.G), mix(n.B, bb.B)
}

// luminance is WCAG 2's relative luminance of an sRGB colour.
func luminance(r, g, b float64) float64 {
	lin := func(c float64) float64 {
		if c <= 0.04045 {
			return c / 12.92
		}
		return math.Pow((c+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(r) + 0.7152*lin(g) + 0.0722*lin(b)
}
