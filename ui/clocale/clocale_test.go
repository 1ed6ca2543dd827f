package clocale

import (
	"os"
	"testing"
)

func TestNormalize(t *testing.T) {
	for _, tc := range []struct {
		lcAll, lang string
		want        string // the deciding variable afterwards
		changed     bool
	}{
		{"", "C.UTF-8", "C", true},
		{"", "POSIX.utf8", "POSIX", true},
		{"", "C@euro", "C", true},
		{"", "C", "C", false},
		{"", "en_US.UTF-8", "en_US.UTF-8", false},
		{"", "", "", false},
		{"C.UTF-8", "en_US.UTF-8", "C", true},
		{"de_DE.UTF-8", "C.UTF-8", "de_DE.UTF-8", false},
	} {
		t.Setenv("LC_ALL", tc.lcAll)
		t.Setenv("LC_MESSAGES", "")
		t.Setenv("LANG", tc.lang)
		changed := Normalize()
		deciding := "LANG"
		if tc.lcAll != "" {
			deciding = "LC_ALL"
		}
		if got := os.Getenv(deciding); got != tc.want || changed != tc.changed {
			t.Errorf("LC_ALL=%q LANG=%q: %s=%q, changed %v; want %q, %v", tc.lcAll, tc.lang, deciding, got, changed, tc.want, tc.changed)
		}
	}
}
