package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// TestTextContrast computes, from the theme itself, the contrast of every
// colour the window draws text in against what it stands on, in the light
// and the dark variant: WCAG AA asks 4.5:1.
func TestTextContrast(t *testing.T) {
	th := readableTheme{theme.DefaultTheme()}
	checkPairs(t, th, textPairs, 4.5)
	// The measure itself: black on white is 21:1, a colour on itself 1:1.
	if c := contrast(theme.DefaultTheme().Color(theme.ColorNameForeground, theme.VariantLight), theme.DefaultTheme().Color(theme.ColorNameForeground, theme.VariantLight)); c != 1 {
		t.Errorf("a colour on itself: %.2f", c)
	}
	if c := contrast(th.Color(theme.ColorNameDisabled, theme.VariantLight), th.Color(theme.ColorNameBackground, theme.VariantLight)); c < 4.5 {
		t.Errorf("the low-importance grey (Checked at) on white: %.2f", c)
	}
}

// TestControlContrast computes, from the theme, the contrast of what
// outlines or marks a control (an unticked checkbox, an entry's border, a
// ticked box) against what it stands on, in both variants: WCAG asks 3:1
// of non-text.
func TestControlContrast(t *testing.T) {
	checkPairs(t, readableTheme{theme.DefaultTheme()}, controlPairs, 3)
	// Fyne's own light outline is what made unticked boxes invisible.
	d := theme.DefaultTheme()
	if c := contrast(d.Color(theme.ColorNameInputBorder, theme.VariantLight), d.Color(theme.ColorNameBackground, theme.VariantLight)); c >= 3 {
		t.Logf("Fyne's light input border reads at %.2f:1 now", c)
	}
}

// TestDefaultThemeIsNotReadable keeps the reason for readableTheme in view:
// Fyne's own warning orange on white is far below 4.5:1.
func TestDefaultThemeIsNotReadable(t *testing.T) {
	d := theme.DefaultTheme()
	if c := contrast(d.Color(theme.ColorNameWarning, theme.VariantLight), d.Color(theme.ColorNameBackground, theme.VariantLight)); c >= 4.5 {
		t.Skipf("Fyne's default warning colour reads at %.2f:1 now: readableTheme may no longer be needed", c)
	}
}

// checkPairs fails for every pair whose contrast in either variant of th
// is below least.
func checkPairs(t *testing.T, th fyne.Theme, pairs []textPair, least float64) {
	t.Helper()
	for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
		for _, p := range pairs {
			if c := contrast(th.Color(p.fg, v), th.Color(p.bg, v)); c < least {
				t.Errorf("variant %d: %s on %s: contrast %.2f:1, want at least %.1f:1", v, p.fg, p.bg, c, least)
			}
		}
	}
}
